"""Reads for hours, scoped to who may see them, with totals computed by the database."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from organizations.models import Membership, SupervisionAssignment
from organizations.roles import REGISTRAR, person_roles

from .models import HourEntry, SignOff, Status


def entries_of(trainee) -> QuerySet[HourEntry]:
    return HourEntry.objects.filter(trainee=trainee).select_related("domain", "supervisor")


def approved_entries_of(trainee) -> QuerySet[HourEntry]:
    """Approved entries, oldest first, each with ``approvals``: the sign-offs that approved it,
    newest first, with the supervisor who decided (an entry reopened and approved again has
    more than one). Two queries however many entries there are."""
    return (
        entries_of(trainee)
        .filter(status=Status.APPROVED)
        .prefetch_related(
            Prefetch(
                "sign_offs",
                queryset=SignOff.objects.filter(action=SignOff.Action.APPROVE)
                .select_related("decided_by")
                .order_by("-decided_at", "-pk"),
                to_attr="approvals",
            )
        )
        .order_by("date", "pk")
    )


def totals_of(trainee) -> list[dict]:
    """Minutes by ledger, domain and status, summed by the database."""
    return list(
        HourEntry.objects.filter(trainee=trainee)
        .values("ledger", "domain__code", "domain__name")
        .annotate(
            approved=Sum("minutes", filter=Q(status=Status.APPROVED)),
            pending=Sum("minutes", filter=Q(status=Status.SUBMITTED)),
            entries=Count("pk"),
        )
        .order_by("ledger", "domain__name")
    )


def review_queue(supervisor) -> QuerySet[HourEntry]:
    """Submitted entries of the people ``supervisor`` supervises today, in the organization of
    that supervision (any current supervisor there may decide, to cover absences)."""
    today = timezone.localdate()
    current = SupervisionAssignment.objects.current(today).filter(
        supervisor=supervisor, trainee=OuterRef("trainee"), organization=OuterRef("organization")
    )
    supervisees = SupervisionAssignment.objects.current(today).filter(supervisor=supervisor)
    return (
        # The IN list narrows the search to the supervisees' entries by index first; the
        # EXISTS then checks each entry's organization. With EXISTS alone SQLite scans every
        # submitted entry of the site (docs/performance.md).
        HourEntry.objects.filter(
            status=Status.SUBMITTED, trainee_id__in=supervisees.values("trainee")
        )
        .filter(Exists(current))
        .select_related("trainee", "domain")
        .order_by("date", "pk")
    )


def trainees_visible_to(user) -> QuerySet:
    """Whose hour records ``user`` may open: their own, their current supervisees', the
    members of organizations they administer, or everyone's for a registrar."""
    people = get_user_model().objects.all()
    if REGISTRAR in person_roles(user):
        return people
    supervised = SupervisionAssignment.objects.current(timezone.localdate()).filter(supervisor=user)
    administered = Membership.objects.filter(user=user, is_org_admin=True).values("organization")
    return people.filter(
        Q(pk=user.pk)
        | Q(pk__in=supervised.values("trainee"))
        | Q(pk__in=Membership.objects.filter(organization__in=administered).values("user"))
    ).distinct()


def pending_review_count(supervisor) -> int:
    return review_queue(supervisor).count()


def ledger_totals_of(trainee) -> list[dict]:
    """Approved and waiting hours per ledger, summed by the database."""
    rows = (
        HourEntry.objects.filter(trainee=trainee)
        .values("ledger")
        .annotate(
            approved=Sum("minutes", filter=Q(status=Status.APPROVED)),
            pending=Sum("minutes", filter=Q(status=Status.SUBMITTED)),
        )
        .order_by("ledger")
    )
    return [
        {
            "ledger": row["ledger"],
            "approved_hours": (row["approved"] or 0) / 60,
            "pending_hours": (row["pending"] or 0) / 60,
        }
        for row in rows
    ]


def approved_hours_by_day(trainee) -> list[tuple[str, str, object, Decimal]]:
    """Approved hours as ``(ledger, domain code, date, hours)``, summed per day by the
    database."""
    return [
        (ledger, code, day, Decimal(minutes or 0) / 60)
        for ledger, code, day, minutes in HourEntry.objects.filter(
            trainee=trainee, status=Status.APPROVED
        )
        .values("ledger", "domain__code", "date")
        .annotate(minutes=Sum("minutes"))
        .values_list("ledger", "domain__code", "date", "minutes")
        .order_by("date")
    ]


def personal_data(user) -> dict:
    """The person's own hour entries with their status and decisions, and the sign-offs they
    made as a supervisor (when and what, without the entries of the people they supervise),
    for the download of their own data."""
    entries = (
        HourEntry.objects.filter(trainee=user)
        .select_related("domain", "organization", "supervisor", "decided_by")
        .order_by("date", "pk")
    )
    return {
        "hour_entries": [
            {
                "date": entry.date,
                "ledger": entry.ledger,
                "supervision_format": entry.supervision_format,
                "minutes": entry.minutes,
                "domain": entry.domain.name if entry.domain else None,
                "activity": entry.activity,
                "setting": entry.setting,
                "delivery": entry.delivery,
                "description": entry.description,
                "status": entry.status,
                "organization": entry.organization.name if entry.organization else None,
                "supervisor": entry.supervisor.display_name if entry.supervisor else None,
                "submitted_at": entry.submitted_at,
                "decided_at": entry.decided_at,
                "decided_by": entry.decided_by.display_name if entry.decided_by else None,
                "reason_returned": entry.rejection_reason,
            }
            for entry in entries
        ],
        "sign_offs_made": [
            {
                "decided_at": sign_off.decided_at,
                "action": sign_off.action,
                "qualification": sign_off.qualification,
                "digest": sign_off.digest,
            }
            for sign_off in SignOff.objects.filter(decided_by=user).order_by("decided_at", "pk")
        ],
    }
