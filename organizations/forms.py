from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ROLE_FIELDS, Membership, Role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Roles"))
        kwargs.setdefault(
            "help_text", _("A person can hold more than one role, such as supervisor and trainee.")
        )
        kwargs.setdefault("error_messages", {"required": _("Choose at least one role.")})
        super().__init__(choices=Role.choices, **kwargs)


def roles_of(instance) -> list[str]:
    return [role for role, field in ROLE_FIELDS.items() if getattr(instance, field)]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send the invitation link to this address. It works for %(days)s days."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    roles = RolesField(initial=[Role.TRAINEE])

    def __init__(self, *args, days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = self.fields["email"].help_text % {"days": days}


class MemberRolesForm(forms.Form):
    roles = RolesField()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.legal_name} ({obj.email})"


class AssignmentForm(forms.Form):
    supervisor = PersonChoiceField(
        label=_("Supervisor"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose a supervisor"),
        error_messages={
            "invalid_choice": _("Choose a supervisor who is a member of this organization.")
        },
    )
    trainee = PersonChoiceField(
        label=_("Trainee"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Choose a trainee"),
        error_messages={
            "invalid_choice": _("Choose a trainee who is a member of this organization.")
        },
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Ends on (optional)"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if the assignment has no planned end."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("legal_name", "email")
        members = Membership.objects.filter(organization=organization)
        self.fields["supervisor"].queryset = users.filter(
            pk__in=members.filter(is_supervisor=True).values("user")
        )
        self.fields["trainee"].queryset = users.filter(
            pk__in=members.filter(is_trainee=True).values("user")
        )
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        supervisor, trainee = cleaned.get("supervisor"), cleaned.get("trainee")
        if supervisor and trainee and supervisor == trainee:
            self.add_error("trainee", _("A person cannot supervise themself. Choose someone else."))
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The end date must be on or after the start date."))
        return cleaned


class EndAssignmentForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Last day of supervision"),
        widget=DateInput(),
        help_text=_("Hours dated after this day cannot be signed off under this assignment."),
    )


class CredentialSharingForm(forms.Form):
    """One checkbox per organization the person belongs to. Fields are built from the
    person's own memberships only, so a posted id of anyone else's membership is ignored."""

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = list(memberships)
        for membership in self.memberships:
            name = self.field_name(membership)
            self.fields[name] = forms.BooleanField(
                label=_("Let %(organization)s see my credentials and their status")
                % {"organization": membership.organization.name},
                required=False,
                initial=membership.shares_credentials,
                widget=forms.CheckboxInput(attrs={"aria-describedby": f"{name}_status"}),
            )

    @staticmethod
    def field_name(membership) -> str:
        return f"membership_{membership.pk}"

    def choices(self) -> dict[int, bool]:
        """The choice for each membership, by membership id (after ``is_valid``)."""
        return {
            membership.pk: self.cleaned_data[self.field_name(membership)]
            for membership in self.memberships
        }

    def rows(self):
        """Each membership with its bound checkbox, for the template."""
        return [(membership, self[self.field_name(membership)]) for membership in self.memberships]
