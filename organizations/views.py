"""Organization admins manage their own organization here (not in the Wagtail admin).

Every view looks the organization up through ``selectors.organization_for_admin``, so a person
who does not administer it gets a 404 and learns nothing about it. Members choose here too, on
``credential_sharing``, whether each of their organizations may see their credentials.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import (
    AssignmentForm,
    CredentialSharingForm,
    EndAssignmentForm,
    InvitationForm,
    MemberRolesForm,
    roles_of,
)


def _refusal_to_form(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@login_required
def organization_index(request):
    organizations = list(selectors.organizations_administered_by(request.user))
    if not organizations:
        raise PermissionDenied(_("You are not an admin of any organization."))
    if len(organizations) == 1:
        return redirect("organization_detail", slug=organizations[0].slug)
    return render(request, "organizations/index.html", {"organizations": organizations})


@login_required
def organization_detail(request, slug):
    organization = selectors.organization_for_admin(request.user, slug)
    members = list(selectors.members_of(organization))
    assignments = list(selectors.current_assignments_in(organization))
    supervisors_by_trainee: dict[int, list] = {}
    for assignment in assignments:
        supervisors_by_trainee.setdefault(assignment.trainee_id, []).append(assignment.supervisor)
    for member in members:
        member.current_supervisors = supervisors_by_trainee.get(member.user_id, [])
    return render(
        request,
        "organizations/detail.html",
        {
            "organization": organization,
            "members": members,
            "assignments": assignments,
            "invitations": list(selectors.open_invitations_of(organization)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, slug):
    organization = selectors.organization_for_admin(request.user, slug)
    form = InvitationForm(request.POST or None, days=settings.INVITATION_MAX_AGE_DAYS)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=organization,
                email=form.cleaned_data["email"],
                roles=set(form.cleaned_data["roles"]),
                invited_by=request.user,
            )
        except ValidationError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("organization_detail", slug=organization.slug)
    return render(
        request, "organizations/invite.html", {"organization": organization, "form": form}
    )


@login_required
@require_POST
def withdraw_invitation(request, slug, pk):
    organization = selectors.organization_for_admin(request.user, slug)
    invitation = selectors.invitation_in(organization, pk)
    try:
        services.invitation_withdraw(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    return redirect("organization_detail", slug=organization.slug)


@login_required
@require_http_methods(["GET", "POST"])
def member_roles(request, slug, pk):
    organization = selectors.organization_for_admin(request.user, slug)
    membership = selectors.membership_in(organization, pk)
    form = MemberRolesForm(request.POST or None, initial={"roles": roles_of(membership)})
    if request.method == "POST" and form.is_valid():
        try:
            membership, ended = services.membership_set_roles(
                membership=membership, roles=set(form.cleaned_data["roles"]), by=request.user
            )
        except ValidationError as error:
            _refusal_to_form(form, error)
        else:
            message = _("Roles updated for %(person)s.") % {"person": membership.user.display_name}
            if ended:
                message += " " + _("Supervision assignments ended today: %(count)d.") % {
                    "count": ended
                }
            messages.success(request, message)
            return redirect("organization_detail", slug=organization.slug)
    return render(
        request,
        "organizations/member_roles.html",
        {"organization": organization, "membership": membership, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, slug, pk):
    organization = selectors.organization_for_admin(request.user, slug)
    membership = selectors.membership_in(organization, pk)
    error_messages = []
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership, by=request.user)
        except ValidationError as error:
            error_messages = error.messages
        else:
            messages.success(
                request,
                _("%(person)s was removed from %(organization)s.")
                % {"person": membership.user.display_name, "organization": organization.name},
            )
            return redirect("organization_detail", slug=organization.slug)
    return render(
        request,
        "organizations/member_remove.html",
        {"organization": organization, "membership": membership, "errors": error_messages},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request, slug):
    organization = selectors.organization_for_admin(request.user, slug)
    initial = {}
    if trainee := request.GET.get("trainee"):
        initial["trainee"] = trainee
    form = AssignmentForm(request.POST or None, organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_create(
                organization=organization,
                supervisor=form.cleaned_data["supervisor"],
                trainee=form.cleaned_data["trainee"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                by=request.user,
            )
        except ValidationError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(
                request,
                _("%(supervisor)s now supervises %(trainee)s.")
                % {
                    "supervisor": assignment.supervisor.display_name,
                    "trainee": assignment.trainee.display_name,
                },
            )
            return redirect("organization_detail", slug=organization.slug)
    return render(
        request,
        "organizations/assignment_form.html",
        {"organization": organization, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request, slug, pk):
    organization = selectors.organization_for_admin(request.user, slug)
    assignment = selectors.assignment_in(organization, pk)
    form = EndAssignmentForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_end(
                assignment=assignment, ends_on=form.cleaned_data["ends_on"], by=request.user
            )
        except ValidationError as error:
            _refusal_to_form(form, error)
        else:
            messages.success(
                request,
                _("The supervision of %(trainee)s by %(supervisor)s ends on %(date)s.")
                % {
                    "trainee": assignment.trainee.display_name,
                    "supervisor": assignment.supervisor.display_name,
                    "date": date_format(form.cleaned_data["ends_on"]),
                },
            )
            return redirect("organization_detail", slug=organization.slug)
    return render(
        request,
        "organizations/assignment_end.html",
        {"organization": organization, "assignment": assignment, "form": form},
    )


@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """The page an invitation link opens. Anyone with the link may see whom it invites to which
    organization; accepting needs the invited person to be logged in with the invited address."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationProblem as problem:
        return render(
            request,
            "organizations/invitation_problem.html",
            {"problem": problem.messages[0]},
            status=410 if problem.code in {"expired", "withdrawn", "used"} else 400,
        )
    # The link was delivered to this address, so allauth may treat it as verified at sign-up.
    request.session["account_verified_email"] = invitation.email
    here = request.get_full_path()
    context = {
        "invitation": invitation,
        "signup_url": reverse("account_signup") + "?" + urlencode({REDIRECT_FIELD_NAME: here}),
        "login_url": reverse("account_login") + "?" + urlencode({REDIRECT_FIELD_NAME: here}),
    }
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except services.InvitationProblem as problem:
            context["problem"] = problem.messages[0]
        else:
            messages.success(
                request,
                _("Welcome to %(organization)s. You joined as: %(roles)s.")
                % {
                    "organization": membership.organization.name,
                    "roles": membership.get_roles_display(),
                },
            )
            return redirect("dashboard")
    return render(request, "organizations/invitation.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def credential_sharing(request):
    """The signed-in person chooses, per organization they belong to, whether its admins may
    see their credentials. Only their own memberships are on the form."""
    memberships = selectors.memberships_of(request.user).order_by("organization__name")
    # Not ``request.POST or None``: unticking every box posts no choice at all, and that is a
    # choice too (share with no one).
    form = CredentialSharingForm(
        request.POST if request.method == "POST" else None, memberships=memberships
    )
    if request.method == "POST" and form.is_valid():
        changed = services.credential_sharing_save(user=request.user, choices=form.choices())
        for membership in changed:
            template = (
                _("%(organization)s can now see your credentials and their status.")
                if membership.shares_credentials
                else _("%(organization)s can no longer see your credentials.")
            )
            messages.success(request, template % {"organization": membership.organization.name})
        if not changed:
            messages.info(request, _("Nothing changed. Your choices are as they were."))
        return redirect("credential_sharing")
    return render(request, "organizations/credential_sharing.html", {"form": form})
