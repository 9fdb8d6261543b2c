"""Staff manage organizations, memberships, supervision and qualifications in the Wagtail admin,
grouped under "People". Changes made here are logged by Wagtail like any other admin edit."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import (
    Invitation,
    Membership,
    Organization,
    SupervisionAssignment,
    SupervisorQualification,
)


class OrganizationViewSet(ModelViewSet):
    url_prefix = "people/organizations"
    model = Organization
    icon = "group"
    menu_label = _("Organizations")
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    form_fields = ["name", "slug"]
    inspect_view_enabled = True


class MembershipViewSet(ModelViewSet):
    url_prefix = "people/memberships"
    model = Membership
    icon = "user"
    menu_label = _("Memberships")
    list_display = ["user", "organization", "get_roles_display", "joined_at"]
    list_filter = ["organization", "is_trainee", "is_supervisor", "is_org_admin"]
    search_fields = ["user__legal_name", "user__email", "organization__name"]
    panels = [
        FieldPanel("organization"),
        FieldPanel("user"),
        FieldRowPanel(
            [FieldPanel("is_trainee"), FieldPanel("is_supervisor"), FieldPanel("is_org_admin")]
        ),
    ]


class SupervisionAssignmentViewSet(ModelViewSet):
    url_prefix = "people/supervision"
    model = SupervisionAssignment
    icon = "link"
    menu_label = _("Supervision")
    list_display = ["supervisor", "trainee", "organization", "starts_on", "ends_on"]
    list_filter = ["organization"]
    search_fields = ["supervisor__legal_name", "trainee__legal_name", "organization__name"]
    panels = [
        FieldPanel("organization"),
        FieldRowPanel([FieldPanel("supervisor"), FieldPanel("trainee")]),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
    ]


class SupervisorQualificationViewSet(ModelViewSet):
    url_prefix = "people/qualifications"
    model = SupervisorQualification
    icon = "tick-inverse"
    menu_label = _("Qualifications")
    list_display = ["user", "credential_name", "credential_number", "expires_on"]
    search_fields = ["user__legal_name", "user__email", "credential_name", "credential_number"]
    form_fields = ["user", "credential_name", "credential_number", "expires_on"]


class InvitationViewSet(ModelViewSet):
    url_prefix = "people/invitations"
    model = Invitation
    icon = "mail"
    menu_label = _("Invitations")
    list_display = ["email", "organization", "get_roles_display", "created_at", "accepted_at"]
    list_filter = ["organization"]
    search_fields = ["email", "organization__name"]
    form_fields = ["withdrawn_at"]
    add_view_enabled = False
    inspect_view_enabled = True


class PeopleGroup(ModelViewSetGroup):
    menu_label = _("People")
    menu_icon = "group"
    menu_order = 300
    items = [
        OrganizationViewSet,
        MembershipViewSet,
        SupervisionAssignmentViewSet,
        SupervisorQualificationViewSet,
        InvitationViewSet,
    ]


@hooks.register("register_admin_viewset")
def register_people():
    return PeopleGroup()


@hooks.register("register_log_actions")
def register_organization_log_actions(actions):
    actions.register_action("alongside.invitation.send", _("Send invitation"), _("Invitation sent"))
    actions.register_action(
        "alongside.invitation.withdraw", _("Withdraw invitation"), _("Invitation withdrawn")
    )
    actions.register_action("alongside.membership.join", _("Join organization"), _("Joined"))
    actions.register_action("alongside.membership.roles", _("Change roles"), _("Roles changed"))
    actions.register_action("alongside.membership.remove", _("Remove member"), _("Member removed"))
    actions.register_action(
        "alongside.membership.credential_sharing",
        _("Choose credential sharing"),
        _("Credential sharing changed"),
    )
    actions.register_action(
        "alongside.assignment.create", _("Assign supervisor"), _("Supervisor assigned")
    )
    actions.register_action(
        "alongside.assignment.end", _("End supervision"), _("Supervision ended")
    )


@hooks.register("register_personal_data")
def personal_data_sections(user):
    """This app's part of a person's download of their own data (``accounts.personal_data``)."""
    from .selectors import personal_data

    return personal_data(user)
