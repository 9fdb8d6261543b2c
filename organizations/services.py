"""Every change to organizations, memberships, assignments and invitations goes through here.

Each service is keyword-only and runs in one order: check the precondition, lock the rows it
changes, save, write the audit entry, and send any email after the transaction commits (a
failed email is logged, never raised). A refused change raises ``ValidationError`` with a message
written for the person who asked, and changes nothing.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from .models import ROLE_FIELDS, Invitation, Membership, Organization, SupervisionAssignment
from .roles import forget_roles

logger = logging.getLogger(__name__)
User = get_user_model()

INVITATION_SALT = "alongside.organizations.invitation"


def _role_flags(roles) -> dict[str, bool]:
    roles = set(roles)
    unknown = roles - set(ROLE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s.") % {"role": ", ".join(sorted(unknown))})
    if not roles:
        raise ValidationError(_("Choose at least one role."))
    return {field: role in roles for role, field in ROLE_FIELDS.items()}


def _send_after_commit(*, subject: str, template: str, context: dict, to: str) -> None:
    def send():
        try:
            send_mail(
                subject=subject,
                message=render_to_string(template, context),
                from_email=None,
                recipient_list=[to],
            )
        except Exception:
            logger.exception("Could not send %r to %s", subject, to)

    transaction.on_commit(send)


# Invitations ----------------------------------------------------------------------------------


class InvitationProblem(ValidationError):
    """An invitation link that cannot be used, with the reason in plain words."""


def _email_check(email: str) -> str:
    """A keyed digest of the invited address: the link is bound to the address without
    carrying it (a signed token is only base64, readable by anyone who sees the URL, and URLs
    end up in browser history and proxy logs)."""
    return salted_hmac(INVITATION_SALT, email.strip().lower(), algorithm="sha256").hexdigest()[:24]


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"i": invitation.pk, "m": _email_check(invitation.email)}, salt=INVITATION_SALT
    )


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link points to, or ``InvitationProblem`` saying why not."""
    max_age = datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvitationProblem(
            _("This invitation has expired. Ask the person who invited you to send a new one."),
            code="expired",
        ) from exc
    except signing.BadSignature as exc:
        raise InvitationProblem(
            _(
                "This invitation link is not valid. Check that you copied the whole link from "
                "the email, or ask for a new invitation."
            ),
            code="invalid",
        ) from exc
    invitation = (
        Invitation.objects.select_related("organization").filter(pk=payload.get("i")).first()
    )
    if invitation is not None and not constant_time_compare(
        _email_check(invitation.email), str(payload.get("m", ""))
    ):
        invitation = None
    if invitation is None or invitation.withdrawn_at is not None:
        raise InvitationProblem(
            _("This invitation was withdrawn. Ask the organization for a new one."),
            code="withdrawn",
        )
    if invitation.accepted_at is not None:
        raise InvitationProblem(
            _("This invitation has already been used. Log in to continue."), code="used"
        )
    return invitation


@transaction.atomic
def invitation_create(
    *, organization: Organization, email: str, roles: set[str], invited_by
) -> Invitation:
    email = email.strip().lower()
    flags = _role_flags(roles)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s is already a member of %(organization)s. Change their roles instead.")
            % {"email": email, "organization": organization.name},
            code="already_member",
        )
    # A new invitation replaces an open one for the same address, so only the newest link works.
    now = timezone.now()
    Invitation.objects.filter(
        organization=organization, email=email, accepted_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    invitation = Invitation.objects.create(
        organization=organization, email=email, invited_by=invited_by, **flags
    )
    log(
        instance=invitation,
        action="alongside.invitation.send",
        user=invited_by,
        data={"email": email, "roles": sorted(invitation.roles)},
    )
    _send_after_commit(
        subject=_("You are invited to join %(organization)s on Alongside")
        % {"organization": organization.name},
        template="organizations/email/invitation.txt",
        context={
            "invitation": invitation,
            "url": invitation_url(invitation),
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
        to=email,
    )
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, by) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(_("This invitation is no longer open."), code="closed")
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    log(instance=invitation, action="alongside.invitation.withdraw", user=by)
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    invitation = (
        Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    )
    if not invitation.is_open:
        raise InvitationProblem(_("This invitation has already been used or withdrawn."))
    if invitation.email.lower() != user.email.lower():
        raise InvitationProblem(
            _(
                "This invitation was sent to a different email address. Log out, then log in or "
                "sign up with the address the invitation was sent to."
            ),
            code="wrong_account",
        )
    membership, created = Membership.objects.select_for_update().get_or_create(
        organization=invitation.organization,
        user=user,
        defaults={field: getattr(invitation, field) for field in ROLE_FIELDS.values()},
    )
    if not created:
        for field in ROLE_FIELDS.values():
            setattr(membership, field, getattr(membership, field) or getattr(invitation, field))
        membership.save(update_fields=list(ROLE_FIELDS.values()))
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log(
        instance=membership,
        action="alongside.membership.join",
        user=user,
        data={"roles": sorted(membership.roles), "invitation": invitation.pk},
    )
    forget_roles(user)
    return membership


# Memberships ----------------------------------------------------------------------------------


def _ensure_another_admin(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(organization=membership.organization, is_org_admin=True)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            _(
                "%(organization)s needs at least one organization admin. Give someone else the "
                "admin role first."
            )
            % {"organization": membership.organization.name},
            code="last_admin",
        )


def _end_assignments(*, organization, today, **who) -> int:
    return (
        SupervisionAssignment.objects.current(today)
        .filter(organization=organization, **who)
        .update(ends_on=today)
    )


@transaction.atomic
def membership_set_roles(*, membership: Membership, roles: set[str], by) -> tuple[Membership, int]:
    """Give a member exactly ``roles``. Dropping supervisor or trainee ends that person's current
    supervision assignments in this organization today. Returns the membership and how many
    assignments ended."""
    flags = _role_flags(roles)
    membership = (
        Membership.objects.select_for_update()
        .select_related("organization", "user")
        .get(pk=membership.pk)
    )
    if membership.is_org_admin and not flags["is_org_admin"]:
        _ensure_another_admin(membership)
    before = sorted(membership.roles)
    today = timezone.localdate()
    ended = 0
    if membership.is_supervisor and not flags["is_supervisor"]:
        ended += _end_assignments(
            organization=membership.organization, today=today, supervisor=membership.user
        )
    if membership.is_trainee and not flags["is_trainee"]:
        ended += _end_assignments(
            organization=membership.organization, today=today, trainee=membership.user
        )
    for field, value in flags.items():
        setattr(membership, field, value)
    membership.save(update_fields=list(flags))
    log(
        instance=membership,
        action="alongside.membership.roles",
        user=by,
        data={"before": before, "after": sorted(membership.roles), "assignments_ended": ended},
    )
    forget_roles(membership.user)
    return membership, ended


@transaction.atomic
def membership_remove(*, membership: Membership, by) -> int:
    """Remove a person from an organization, ending their supervision assignments there.
    Their own records (courses, hours, credentials) stay theirs. Returns assignments ended."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("organization", "user")
        .get(pk=membership.pk)
    )
    if membership.is_org_admin:
        _ensure_another_admin(membership)
    today = timezone.localdate()
    ended = _end_assignments(
        organization=membership.organization, today=today, supervisor=membership.user
    ) + _end_assignments(organization=membership.organization, today=today, trainee=membership.user)
    log(
        instance=membership.organization,
        action="alongside.membership.remove",
        user=by,
        data={"person": membership.user.email, "roles": sorted(membership.roles)},
    )
    membership.delete()
    forget_roles(membership.user)
    return ended


# Supervision assignments ----------------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *,
    organization: Organization,
    supervisor,
    trainee,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    by,
) -> SupervisionAssignment:
    # Lock both memberships so a concurrent role change cannot slip between check and save.
    list(
        Membership.objects.select_for_update().filter(
            organization=organization, user__in=[supervisor, trainee]
        )
    )
    assignment = SupervisionAssignment(
        organization=organization,
        supervisor=supervisor,
        trainee=trainee,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    assignment.full_clean(exclude={"created_at"}, validate_constraints=False)
    assignment.save()
    log(
        instance=assignment,
        action="alongside.assignment.create",
        user=by,
        data={
            "supervisor": supervisor.email,
            "trainee": trainee.email,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        },
    )
    return assignment


@transaction.atomic
def assignment_end(
    *, assignment: SupervisionAssignment, ends_on: datetime.date, by
) -> SupervisionAssignment:
    assignment = SupervisionAssignment.objects.select_for_update().get(pk=assignment.pk)
    if ends_on < assignment.starts_on:
        raise ValidationError(
            _("The end date cannot be before the assignment started (%(date)s).")
            % {"date": date_format(assignment.starts_on)},
            code="dates",
        )
    if assignment.ends_on is not None and assignment.ends_on < timezone.localdate():
        raise ValidationError(_("This assignment has already ended."), code="ended")
    assignment.ends_on = ends_on
    assignment.save(update_fields=["ends_on"])
    log(
        instance=assignment,
        action="alongside.assignment.end",
        user=by,
        data={"ends_on": ends_on.isoformat()},
    )
    return assignment


# Sharing credentials --------------------------------------------------------------------------


@transaction.atomic
def credential_sharing_save(*, user, choices: dict[int, bool]) -> list[Membership]:
    """Record ``user``'s choice, per membership id, of whether that organization's admins may
    see their credentials. Only the person's own memberships can be named; a choice that did
    not change writes nothing. Each change keeps its time and is logged. Returns the
    memberships whose choice changed."""
    memberships = list(
        Membership.objects.select_for_update()
        .filter(user=user, pk__in=list(choices))
        .select_related("organization")
        .order_by("pk")
    )
    if len(memberships) != len(choices):
        raise ValidationError(
            _("You can only choose for organizations you belong to."), code="not_yours"
        )
    now = timezone.now()
    changed = []
    for membership in memberships:
        shares = bool(choices[membership.pk])
        if membership.shares_credentials == shares:
            continue
        membership.shares_credentials = shares
        membership.shares_credentials_changed_at = now
        membership.save(update_fields=["shares_credentials", "shares_credentials_changed_at"])
        log(
            instance=membership,
            action="alongside.membership.credential_sharing",
            user=user,
            data={"organization": membership.organization.slug, "shares": shares},
        )
        changed.append(membership)
    return changed
