from django import forms
from django.utils.translation import gettext_lazy as _


class AttestationSignForm(forms.Form):
    typed_name = forms.CharField(
        label=_("Your full legal name"),
        max_length=200,
        help_text=_("Type it as it is on your profile. This is your electronic signature."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirmed = forms.BooleanField(
        label=_("I have read this statement and I agree to follow it."),
        required=False,
    )


class ReviewDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the trainee reads this)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReviewApproveForm(forms.Form):
    exam_confirmed = forms.BooleanField(
        label=_("I have checked the board exam result and the record, and they meet the rules."),
        required=False,
    )
