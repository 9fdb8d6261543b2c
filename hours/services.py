"""Every change to hour entries and every sign-off goes through here.

One order everywhere: check, lock, save, log, notify after commit. A refusal raises
``ValidationError`` with a message in plain words and changes nothing. Decisions lock the
entries they decide, so two supervisors (or two tabs) deciding the same entry at once get
exactly one decision; the other is told the entry was already decided.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from organizations.models import SupervisionAssignment, SupervisorQualification

from . import rules, tasks
from .models import HourEntry, Ledger, SignOff, SignOffEntry, Status
from .signals import hours_changed

TIME_MESSAGES = {
    "future": gettext_lazy(
        "The date is in the future. Log hours on or after the day they happened."
    ),
    "too_short": gettext_lazy("An entry is at least 15 minutes."),
    "step": gettext_lazy("Use steps of 15 minutes (for example 45 minutes or 1 hour 15)."),
    "too_long": gettext_lazy(
        "One entry can be at most 12 hours. Split a longer day into several entries."
    ),
    "day_over": gettext_lazy("Your entries for that day would add up to more than 24 hours."),
}
DESCRIPTION_MESSAGES = {
    "too_long": gettext_lazy("Keep the description short: at most 300 characters."),
    "email": gettext_lazy(
        "Remove the email address. Hour logs must not hold details about the people you support."
    ),
    "phone": gettext_lazy(
        "Remove the phone number. Hour logs must not hold details about the people you support."
    ),
}
NAME_WARNING = gettext_lazy(
    "This looks like it may contain a person's name. Describe the work, not the person: for "
    "example “one-to-one support after a detox admission”. If there is no name, tick the box "
    "to confirm."
)

FIELDS = HourEntry.EDITABLE_FIELDS


def _minutes_that_day(trainee, date: datetime.date, exclude_pk: int | None) -> int:
    entries = HourEntry.objects.filter(trainee=trainee, date=date)
    if exclude_pk:
        entries = entries.exclude(pk=exclude_pk)
    return entries.aggregate(total=Sum("minutes"))["total"] or 0


def check_entry(
    *, trainee, values: dict, entry_pk: int | None, names_confirmed: bool
) -> dict[str, list[str]]:
    """Problems by field name, in plain words; an empty dict means the entry may be saved."""
    problems: dict[str, list[str]] = {}
    time_codes = rules.check_time(
        date=values["date"],
        minutes=values["minutes"],
        today=timezone.localdate(),
        other_minutes_that_day=_minutes_that_day(trainee, values["date"], entry_pk),
    )
    for code in time_codes:
        field = "date" if code in {"future", "day_over"} else "minutes"
        problems.setdefault(field, []).append(str(TIME_MESSAGES[code]))
    description = rules.check_description(values["description"])
    for code in description.errors:
        problems.setdefault("description", []).append(str(DESCRIPTION_MESSAGES[code]))
    if "name" in description.warnings and not names_confirmed:
        problems.setdefault("description", []).append(str(NAME_WARNING))
    if values["ledger"] == Ledger.SUPERVISION and not values.get("supervision_format"):
        problems.setdefault("supervision_format", []).append(
            _("Say whether the supervision was individual or in a group.")
        )
    return problems


@transaction.atomic
def entry_save(
    *, trainee, values: dict, entry: HourEntry | None = None, names_confirmed: bool = False
) -> HourEntry:
    """Create a draft, or change a draft or a sent-back entry (approved entries are locked)."""
    if entry is not None:
        entry = HourEntry.objects.select_for_update().get(pk=entry.pk, trainee=trainee)
        if rules.next_status(entry.status, "edit") is None:
            raise ValidationError(
                _("This entry is %(status)s and can no longer be changed.")
                % {"status": entry.get_status_display().lower()},
                code="locked",
            )
    problems = check_entry(
        trainee=trainee,
        values=values,
        entry_pk=entry.pk if entry else None,
        names_confirmed=names_confirmed,
    )
    if problems:
        raise ValidationError(problems)
    entry = entry or HourEntry(trainee=trainee)
    for field in FIELDS:
        setattr(
            entry,
            field,
            values.get(field) or ("" if field == "supervision_format" else values.get(field)),
        )
    if entry.ledger != Ledger.SUPERVISION:
        entry.supervision_format = ""
    entry.save()
    return entry


def current_supervisors_of(trainee) -> list[SupervisionAssignment]:
    return list(
        SupervisionAssignment.objects.current(timezone.localdate())
        .filter(trainee=trainee)
        .select_related("supervisor", "organization")
    )


@transaction.atomic
def entries_submit(*, trainee, entries: Iterable[HourEntry], supervisor) -> list[HourEntry]:
    """Send entries to one of the trainee's current supervisors. Any current supervisor of the
    trainee in the same organization may then decide them."""
    assignment = next(
        (a for a in current_supervisors_of(trainee) if a.supervisor_id == supervisor.pk), None
    )
    if assignment is None:
        raise ValidationError(
            _("Choose one of your current supervisors. Your organization admin can assign one."),
            code="not_supervisor",
        )
    ids = [entry.pk for entry in entries]
    locked = list(HourEntry.objects.select_for_update().filter(pk__in=ids, trainee=trainee))
    if len(locked) != len(set(ids)):
        raise ValidationError(_("One of these entries is not yours."), code="not_yours")
    for entry in locked:
        if rules.next_status(entry.status, "submit") is None:
            raise ValidationError(
                _("The entry of %(date)s was already sent for review.")
                % {"date": date_format(entry.date)},
                code="already_submitted",
            )
    now = timezone.now()
    HourEntry.objects.filter(pk__in=ids).update(
        status=Status.SUBMITTED,
        supervisor=supervisor,
        organization=assignment.organization,
        submitted_at=now,
        rejection_reason="",
    )
    for entry in locked:
        log(
            instance=entry,
            action="alongside.hours.submit",
            user=trainee,
            data={"supervisor": supervisor.email},
        )
    transaction.on_commit(
        lambda: tasks.notify_supervisor_of_batch.enqueue(supervisor.pk, trainee.pk, ids)
    )
    return locked


def _qualification(supervisor, on: datetime.date) -> SupervisorQualification:
    qualification = (
        SupervisorQualification.objects.filter(user=supervisor, expires_on__gte=on)
        .order_by("-expires_on")
        .first()
    )
    if qualification is None:
        raise ValidationError(
            _(
                "Your supervisor qualification is not current, so you cannot sign off hours. "
                "Ask a registrar to record your renewed credential."
            ),
            code="no_qualification",
        )
    return qualification


def snapshot_of(entries: list[HourEntry]) -> list[dict]:
    return [
        {
            "id": entry.pk,
            "trainee": entry.trainee.email,
            "ledger": entry.ledger,
            "supervision_format": entry.supervision_format,
            "date": entry.date.isoformat(),
            "minutes": entry.minutes,
            "domain": entry.domain.code,
            "activity": entry.activity,
            "setting": entry.setting,
            "delivery": entry.delivery,
            "description": entry.description,
        }
        for entry in entries
    ]


def digest_of(document) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces), so anyone can recompute it."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def entries_decide(*, supervisor, entry_ids: list[int], approve: bool, reason: str = "") -> SignOff:
    """Approve entries (one or many), or send one back with a reason, as one sign-off."""
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError(
            _("Say what needs to change, so the trainee can correct it."), code="reason"
        )
    if not entry_ids:
        raise ValidationError(_("Choose at least one entry."), code="empty")
    today = timezone.localdate()
    qualification = _qualification(supervisor, today)
    entries = list(
        HourEntry.objects.select_for_update()
        .filter(pk__in=entry_ids)
        .select_related("trainee", "domain")
        .order_by("date", "pk")
    )
    supervised = set(
        SupervisionAssignment.objects.current(today)
        .filter(supervisor=supervisor)
        .values_list("trainee_id", "organization_id")
    )
    if len(entries) != len(set(entry_ids)) or any(
        (entry.trainee_id, entry.organization_id) not in supervised for entry in entries
    ):
        raise ValidationError(
            _("You can decide only entries of people you currently supervise."),
            code="not_supervisee",
        )
    for entry in entries:
        if entry.status != Status.SUBMITTED:
            raise ValidationError(
                _("The entry of %(date)s was already decided (%(status)s). Nothing was changed.")
                % {"date": date_format(entry.date), "status": entry.get_status_display().lower()},
                code="already_decided",
            )
    now = timezone.now()
    snapshot = {
        "action": "approve" if approve else "reject",
        "decided_by": supervisor.email,
        "decided_at": now.isoformat(),
        "qualification": {
            "credential": qualification.credential_name,
            "number": qualification.credential_number,
            "expires_on": qualification.expires_on.isoformat(),
        },
        "reason": reason,
        "entries": snapshot_of(entries),
    }
    sign_off = SignOff.objects.create(
        action=SignOff.Action.APPROVE if approve else SignOff.Action.REJECT,
        decided_by=supervisor,
        decided_at=now,
        organization_id=entries[0].organization_id,
        qualification=snapshot["qualification"],
        reason=reason,
        snapshot=snapshot,
        digest=digest_of(snapshot),
    )
    SignOffEntry.objects.bulk_create(
        [SignOffEntry(sign_off=sign_off, entry=entry) for entry in entries]
    )
    HourEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        status=Status.APPROVED if approve else Status.REJECTED,
        decided_at=now,
        decided_by=supervisor,
        rejection_reason="" if approve else reason,
    )
    for entry in entries:
        log(
            instance=entry,
            action="alongside.hours.approve" if approve else "alongside.hours.reject",
            user=supervisor,
            data={"sign_off": sign_off.pk, "digest": sign_off.digest, "reason": reason},
        )
    if approve:
        hours_changed.send(
            sender=HourEntry, trainee_ids=sorted({entry.trainee_id for entry in entries})
        )
    transaction.on_commit(lambda: tasks.notify_trainee_of_decision.enqueue(sign_off.pk))
    return sign_off


@transaction.atomic
def entry_reopen(*, registrar, entry: HourEntry, reason: str) -> SignOff:
    """Reopen an approved entry. Nothing is rewritten: a reversal sign-off records who reopened
    it and why, and the entry returns to draft for the trainee to correct and resubmit."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening this entry."), code="reason")
    entry = (
        HourEntry.objects.select_for_update().select_related("trainee", "domain").get(pk=entry.pk)
    )
    if rules.next_status(entry.status, "reopen") is None:
        raise ValidationError(_("Only an approved entry can be reopened."), code="not_approved")
    approval = entry.sign_offs.filter(action=SignOff.Action.APPROVE).order_by("-decided_at").first()
    now = timezone.now()
    snapshot = {
        "action": "reversal",
        "decided_by": registrar.email,
        "decided_at": now.isoformat(),
        "reason": reason,
        "reverses": approval.digest if approval else None,
        "entries": snapshot_of([entry]),
    }
    sign_off = SignOff.objects.create(
        action=SignOff.Action.REVERSAL,
        decided_by=registrar,
        decided_at=now,
        organization_id=entry.organization_id,
        reason=reason,
        snapshot=snapshot,
        digest=digest_of(snapshot),
        reverses=approval,
    )
    SignOffEntry.objects.create(sign_off=sign_off, entry=entry)
    HourEntry.objects.filter(pk=entry.pk).update(
        status=Status.DRAFT, decided_at=None, decided_by=None
    )
    log(
        instance=entry,
        action="alongside.hours.reopen",
        user=registrar,
        data={"reason": reason, "sign_off": sign_off.pk},
    )
    hours_changed.send(sender=HourEntry, trainee_ids=[entry.trainee_id])
    return sign_off
