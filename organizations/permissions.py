"""Who may do what. The only module that decides permissions; views and templates ask it.

Predicates are ``rules`` predicates over relationships we already store. Selectors in
``selectors.py`` return the matching querysets, and tests check that the two agree.
"""

import rules
from django.utils import timezone

from . import roles as r
from .models import Membership, Organization, SupervisionAssignment
from .selectors import SHARES_CREDENTIALS


@rules.predicate
def is_trainee(user):
    return r.TRAINEE in r.person_roles(user)


@rules.predicate
def is_supervisor(user):
    return r.SUPERVISOR in r.person_roles(user)


@rules.predicate
def is_org_admin(user):
    return r.ORG_ADMIN in r.person_roles(user)


@rules.predicate
def is_registrar(user):
    return r.REGISTRAR in r.person_roles(user)


@rules.predicate
def is_editor(user):
    return r.EDITOR in r.person_roles(user)


@rules.predicate
def is_site_staff(user):
    return bool(r.person_roles(user) & {r.REGISTRAR, r.EDITOR})


@rules.predicate
def is_org_admin_of(user, organization):
    if not getattr(user, "is_authenticated", False) or organization is None:
        return False
    if isinstance(organization, Membership | SupervisionAssignment):
        organization = organization.organization
    if not isinstance(organization, Organization):
        return False
    return Membership.objects.filter(
        organization=organization, user=user, is_org_admin=True
    ).exists()


@rules.predicate
def is_current_supervisor_of(user, trainee):
    if not getattr(user, "is_authenticated", False) or trainee is None:
        return False
    return (
        SupervisionAssignment.objects.current(timezone.localdate())
        .filter(supervisor=user, trainee=trainee)
        .exists()
    )


@rules.predicate
def may_see_credentials_of(user, holder):
    """An organization admin may see a member's credentials when that member (a trainee or a
    supervisor there) chose to share them with that organization. Withdrawing the choice ends
    it at once; nothing is copied."""
    if not getattr(user, "is_authenticated", False) or getattr(holder, "pk", None) is None:
        return False
    return (
        Membership.objects.filter(SHARES_CREDENTIALS, user=holder)
        .filter(
            organization__in=Membership.objects.filter(user=user, is_org_admin=True).values(
                "organization"
            )
        )
        .exists()
    )


@rules.predicate
def requires_mfa(user):
    """Supervisors, organization admins and staff, when the MFA requirement is switched on."""
    return bool(r.person_roles(user) & {r.SUPERVISOR, r.ORG_ADMIN, r.REGISTRAR, r.EDITOR})


rules.add_perm("organizations.manage_organization", is_org_admin_of)
rules.add_perm("organizations.manage_membership", is_org_admin_of)
rules.add_perm("organizations.manage_assignment", is_org_admin_of)
rules.add_perm("organizations.view_supervisee", is_current_supervisor_of)
rules.add_perm("organizations.view_member_credentials", may_see_credentials_of)
