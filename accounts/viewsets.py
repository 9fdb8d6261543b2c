"""Wagtail's user admin, adapted to our User: legal and preferred name instead of first and last.

No password fields (``WAGTAILUSERS_PASSWORD_ENABLED`` is off): an administrator never knows or
sets anyone's password. A person added here sets their own through "Forgot your password?",
or joins through an invitation."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import User

USER_CREATE_FIELDS = ["email", "legal_name", "preferred_name", "is_superuser", "groups"]
USER_EDIT_FIELDS = [*USER_CREATE_FIELDS, "is_active"]


class AlongsideUserCreationForm(UserCreationForm):
    first_name = None
    last_name = None
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = USER_CREATE_FIELDS

    def save(self, commit=True):
        """Marked as having no password (rather than an empty one), so the account page and
        allauth say plainly that a password is still to be set."""
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


class AlongsideUserEditForm(UserEditForm):
    first_name = None
    last_name = None
    legal_name = forms.CharField(label=_("Legal name"), max_length=200)
    preferred_name = forms.CharField(label=_("Preferred name"), max_length=100, required=False)

    class Meta(UserEditForm.Meta):
        model = User
        fields = USER_EDIT_FIELDS


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return AlongsideUserEditForm if for_update else AlongsideUserCreationForm
