"""Querysets scoped to what a person may see. Each mirrors a predicate in ``permissions.py``."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import (
    Invitation,
    Membership,
    Organization,
    SupervisionAssignment,
    SupervisorQualification,
)

SHARES_CREDENTIALS = Q(shares_credentials=True) & (Q(is_trainee=True) | Q(is_supervisor=True))
"""Memberships whose credentials the organization's admins may see: trainees and supervisors
who chose to share them."""


def organizations_administered_by(user) -> QuerySet[Organization]:
    if not getattr(user, "is_authenticated", False):
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user, memberships__is_org_admin=True)


def organization_for_admin(user, slug: str) -> Organization:
    """The organization ``slug`` if ``user`` administers it; otherwise a 404, never a 403, so
    that outsiders learn nothing about which organizations exist."""
    return get_object_or_404(organizations_administered_by(user), slug=slug)


def membership_in(organization: Organization, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"), organization=organization, pk=pk
    )


def assignment_in(organization: Organization, pk: int) -> SupervisionAssignment:
    return get_object_or_404(
        SupervisionAssignment.objects.select_related("supervisor", "trainee"),
        organization=organization,
        pk=pk,
    )


def invitation_in(organization: Organization, pk: int) -> Invitation:
    return get_object_or_404(Invitation.objects.filter(organization=organization), pk=pk)


def members_of(organization: Organization) -> QuerySet[Membership]:
    """Members with what the member list shows, in a fixed number of queries."""
    today = timezone.localdate()
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related(
            Prefetch(
                "user__supervisor_qualifications",
                queryset=SupervisorQualification.objects.filter(expires_on__gte=today),
                to_attr="current_qualifications",
            )
        )
        .order_by("user__legal_name", "user__email")
    )


def current_assignments_in(organization: Organization) -> QuerySet[SupervisionAssignment]:
    return (
        SupervisionAssignment.objects.current(timezone.localdate())
        .filter(organization=organization)
        .select_related("supervisor", "trainee")
        .order_by("trainee__legal_name", "supervisor__legal_name")
    )


def open_invitations_of(organization: Organization) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).select_related("invited_by")


def members_with_role(organization: Organization, field: str) -> QuerySet[Membership]:
    return members_of(organization).filter(**{field: True})


def current_supervisees_of(user) -> QuerySet:
    """The trainees ``user`` supervises today, in any organization."""
    # One subquery over the same assignment row: filtering the relation twice would join it
    # twice and match a past assignment of this supervisor with someone else's current one.
    current = SupervisionAssignment.objects.current(timezone.localdate()).filter(supervisor=user)
    return get_user_model().objects.filter(pk__in=current.values("trainee"))


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization")


def current_supervisors_of(user) -> QuerySet[SupervisionAssignment]:
    return (
        SupervisionAssignment.objects.current(timezone.localdate())
        .filter(trainee=user)
        .select_related("supervisor", "organization")
    )


def members_sharing_credentials(organization: Organization) -> QuerySet[Membership]:
    """Trainees and supervisors of ``organization`` who chose to share their credentials."""
    return (
        Membership.objects.filter(SHARES_CREDENTIALS, organization=organization)
        .select_related("user")
        .order_by("user__legal_name", "user__email")
    )


def credential_sharing_counts(organization: Organization) -> dict[str, int]:
    """How many trainees and supervisors of ``organization`` share their credentials and how
    many have not chosen to, in one query. Never who: the ones not sharing stay unnamed."""
    return Membership.objects.filter(
        Q(is_trainee=True) | Q(is_supervisor=True), organization=organization
    ).aggregate(
        sharing=Count("pk", filter=Q(shares_credentials=True)),
        not_sharing=Count("pk", filter=Q(shares_credentials=False)),
    )


def people_sharing_credentials_with(user) -> QuerySet:
    """The people whose credentials ``user`` may see: members who chose to share them with an
    organization ``user`` administers. Mirrors ``permissions.may_see_credentials_of``."""
    sharing = Membership.objects.filter(
        SHARES_CREDENTIALS, organization__in=organizations_administered_by(user)
    )
    return get_user_model().objects.filter(pk__in=sharing.values("user"))


def personal_data(user) -> dict:
    """The person's memberships, supervision assignments (either side) and qualifications,
    for the download of their own data (``accounts.personal_data``)."""
    assignments = (
        SupervisionAssignment.objects.filter(Q(trainee=user) | Q(supervisor=user))
        .select_related("organization", "supervisor", "trainee")
        .order_by("starts_on", "pk")
    )
    return {
        "organizations": [
            {
                "organization": membership.organization.name,
                "trainee": membership.is_trainee,
                "supervisor": membership.is_supervisor,
                "organization_admin": membership.is_org_admin,
                "joined_at": membership.joined_at,
                "shares_credentials": membership.shares_credentials,
                "sharing_changed_at": membership.shares_credentials_changed_at,
            }
            for membership in Membership.objects.filter(user=user)
            .select_related("organization")
            .order_by("joined_at", "pk")
        ],
        "supervision": [
            {
                "organization": assignment.organization.name,
                "role": "trainee" if assignment.trainee_id == user.pk else "supervisor",
                "with": (
                    assignment.supervisor
                    if assignment.trainee_id == user.pk
                    else assignment.trainee
                ).display_name,
                "starts_on": assignment.starts_on,
                "ends_on": assignment.ends_on,
            }
            for assignment in assignments
        ],
        "supervisor_qualifications": [
            {
                "credential": qualification.credential_name,
                "number": qualification.credential_number,
                "expires_on": qualification.expires_on,
            }
            for qualification in SupervisorQualification.objects.filter(user=user).order_by("pk")
        ],
    }
