from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import Domain

from . import rules
from .models import HourEntry


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


DURATIONS = [
    (m, f"{m // 60} h {m % 60:02d} min" if m >= 60 else f"{m} min") for m in range(15, 721, 15)
]


class EntryForm(forms.ModelForm):
    minutes = forms.TypedChoiceField(
        label=_("Duration"),
        choices=DURATIONS,
        coerce=int,
        help_text=_("In steps of 15 minutes, up to 12 hours."),
    )
    domain = forms.ModelChoiceField(
        queryset=Domain.objects.all(), label=_("Domain"), empty_label=None
    )
    names_confirmed = forms.BooleanField(
        label=_("I checked: this description names no one and holds no client details."),
        required=False,
    )

    class Meta:
        model = HourEntry
        fields = HourEntry.EDITABLE_FIELDS
        widgets = {
            "date": DateInput(),
            "description": forms.Textarea(
                attrs={"rows": 3, "maxlength": rules.DESCRIPTION_MAX_LENGTH}
            ),
        }
        help_texts = {
            "description": _(
                "What kind of work it was, in a few words, such as “one-to-one support after a detox "
                "admission”. Never names, phone numbers, email addresses or other details of the people "
                "you support: hour logs are not client records."
            ),
            "supervision_format": _("Only for supervision you received."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("What needs to change?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The trainee sees this, so say plainly what to correct."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
