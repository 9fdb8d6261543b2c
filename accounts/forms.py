from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form adds to email and password."""

    field_order = ["legal_name", "preferred_name", "email", "password1", "password2"]

    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        help_text=_("Your full name as it should be printed on certificates."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_name = forms.CharField(
        label=_("Preferred name (optional)"),
        max_length=100,
        required=False,
        help_text=_("What you like to be called on this site."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def signup(self, request, user):
        user.legal_name = self.cleaned_data["legal_name"].strip()
        user.preferred_name = self.cleaned_data["preferred_name"].strip()
        user.save(update_fields=["legal_name", "preferred_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["legal_name", "preferred_name"]
        widgets = {
            "legal_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "preferred_name": forms.TextInput(attrs={"autocomplete": "nickname"}),
        }
