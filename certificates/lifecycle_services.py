"""What happens to a credential after issue: registrars revoke, suspend, lift a suspension or
re-issue after a legal-name correction; holders renew.

Each change locks the certificate, checks the state it starts from, saves, logs to the audit
log and re-renders what must change (a new certificate's PDF) after the commit. A refused
change raises ``ValidationError`` with a plain message and changes nothing.

A signed digital credential is never signed again: the status lists (``openbadges/status.py``)
read the stored status at each request, so revoking, suspending, lifting or replacing a
certificate shows in them as soon as it commits, and the old credential keeps its proof.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import eligibility, lifecycle, selectors, tasks, wording
from .models import Certificate, CertificateKind, CertificateStatus, IssueReason, StatusReason
from .services import decimal_text, new_certificate


def _locked(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update(of=("self",)).get(pk=certificate.pk)


def _record_change(certificate, *, status, registrar, reason="", note="", action, data=None):
    certificate.status = status
    certificate.status_reason = reason
    certificate.status_note = note
    certificate.status_changed_at = timezone.now()
    certificate.status_changed_by = registrar
    certificate.save(
        update_fields=[
            "status",
            "status_reason",
            "status_note",
            "status_changed_at",
            "status_changed_by",
        ]
    )
    log(
        instance=certificate,
        action=action,
        user=registrar,
        data={"number": certificate.number, "reason": reason, "note": note, **(data or {})},
    )


def _reason_and_note(reason: str, note: str) -> tuple[str, str]:
    note = note.strip()
    if reason not in StatusReason.values:
        raise ValidationError(_("Choose a reason."), code="reason")
    if not note:
        raise ValidationError(_("Write a note saying what happened, for the record."), code="note")
    return reason, note


@transaction.atomic
def certificate_revoke(*, registrar, certificate: Certificate, reason: str, note: str):
    reason, note = _reason_and_note(reason, note)
    certificate = _locked(certificate)
    if certificate.status not in (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED):
        raise ValidationError(
            _("This certificate is %(status)s, so it cannot be revoked.")
            % {"status": certificate.get_status_display().lower()},
            code="state",
        )
    _record_change(
        certificate,
        status=CertificateStatus.REVOKED,
        registrar=registrar,
        reason=reason,
        note=note,
        action="alongside.certificate.revoke",
    )
    return certificate


@transaction.atomic
def certificate_suspend(*, registrar, certificate: Certificate, reason: str, note: str):
    reason, note = _reason_and_note(reason, note)
    certificate = _locked(certificate)
    if certificate.status != CertificateStatus.ACTIVE:
        raise ValidationError(
            _("Only an active certificate can be suspended (this one is %(status)s).")
            % {"status": certificate.get_status_display().lower()},
            code="state",
        )
    _record_change(
        certificate,
        status=CertificateStatus.SUSPENDED,
        registrar=registrar,
        reason=reason,
        note=note,
        action="alongside.certificate.suspend",
    )
    return certificate


@transaction.atomic
def certificate_lift_suspension(*, registrar, certificate: Certificate, note: str):
    note = note.strip()
    if not note:
        raise ValidationError(_("Write a note saying why the suspension ends."), code="note")
    certificate = _locked(certificate)
    if certificate.status != CertificateStatus.SUSPENDED:
        raise ValidationError(_("This certificate is not suspended."), code="state")
    _record_change(
        certificate,
        status=CertificateStatus.ACTIVE,
        registrar=registrar,
        note=note,
        action="alongside.certificate.lift",
    )
    return certificate


def _successor(old: Certificate, *, reason: str, issued_by, **changes) -> Certificate:
    values = {
        "holder_id": old.holder_id,
        "kind": old.kind,
        "issue_reason": reason,
        "program_enrollment_id": old.program_enrollment_id,
        "program_version_id": old.program_version_id,
        "course_id": old.course_id,
        "previous": old,
        "name_as_printed": old.name_as_printed,
        "title": old.title,
        "version_label": old.version_label,
        "issued_at": timezone.now(),
        "expires_on": old.expires_on,
        "snapshot": old.snapshot,
        "issued_by": issued_by,
    }
    values.update(changes)
    new = new_certificate(**values)
    old.status = CertificateStatus.SUPERSEDED
    old.superseded_by = new
    old.status_changed_at = new.issued_at
    old.status_changed_by = issued_by
    old.save(update_fields=["status", "superseded_by", "status_changed_at", "status_changed_by"])
    transaction.on_commit(lambda: tasks.render_certificate.enqueue(new.pk))
    return new


@transaction.atomic
def certificate_reissue(*, registrar, certificate: Certificate, legal_name: str) -> Certificate:
    """Correct the holder's legal name and issue a new certificate in its place; the old one is
    marked replaced and points to the new one."""
    legal_name = " ".join(legal_name.split())
    if not legal_name:
        raise ValidationError(_("Type the corrected legal name."), code="empty")
    certificate = _locked(certificate)
    if certificate.status not in (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED):
        raise ValidationError(
            _("This certificate is %(status)s, so it cannot be re-issued.")
            % {"status": certificate.get_status_display().lower()},
            code="state",
        )
    holder = certificate.holder
    old_name = holder.legal_name
    if holder.legal_name != legal_name:
        holder.legal_name = legal_name
        holder.save(update_fields=["legal_name"])
    new = _successor(
        certificate,
        reason=IssueReason.REISSUE,
        issued_by=registrar,
        name_as_printed=legal_name,
        status=certificate.status,
    )
    log(
        instance=new,
        action="alongside.certificate.reissue",
        user=registrar,
        data={
            "number": new.number,
            "replaces": certificate.number,
            "old_name": old_name,
            "new_name": legal_name,
        },
    )
    return new


def renewal_evaluation(
    certificate: Certificate, *, today, record: eligibility.Record | None = None
) -> eligibility.Evaluation | None:
    """The renewal rule checked against continuing-education (training) hours earned since the
    certificate was issued, or None when the program has no renewal rule. Pass the holder's
    ``record`` when checking several certificates, to read it once."""
    version = certificate.program_version
    renewal = version.renewal if version else None
    if not renewal or not renewal.get("training"):
        return None
    requirements = eligibility.Requirements.build(
        domains=tuple(version.requirements.get("domains", [])),
        training=selectors.hours_rule_of(renewal["training"]),
    )
    since_issue = eligibility.Record(hours=_training_since_issue(certificate, record))
    return eligibility.evaluate(requirements, since_issue, today=today)


def _training_since_issue(
    certificate: Certificate, record: eligibility.Record | None = None
) -> tuple[eligibility.HoursRow, ...]:
    issued_on = timezone.localdate(certificate.issued_at)
    record = record or selectors.record_of(certificate.holder)
    return tuple(
        row for row in record.hours if row.ledger == eligibility.TRAINING and row.day >= issued_on
    )


@transaction.atomic
def certificate_renew(*, holder, certificate: Certificate) -> Certificate:
    """Renew a credential whose renewal hours are done: a new certificate, valid for another
    period from the old expiry date (or from today, renewing in the grace period)."""
    certificate = _locked(certificate)
    if certificate.holder_id != holder.pk or certificate.kind != CertificateKind.PROGRAM:
        raise ValidationError(_("This is not one of your credentials."), code="not_yours")
    version = certificate.program_version
    renewal = version.renewal or {}
    today = timezone.localdate()
    if not lifecycle.can_renew(
        stored=certificate.status,
        expires_on=certificate.expires_on,
        grace_days=renewal.get("grace_days"),
        today=today,
    ):
        raise ValidationError(
            _("This credential cannot be renewed now. Please contact the registrar."),
            code="state",
        )
    evaluation = renewal_evaluation(certificate, today=today)
    if evaluation is None:
        raise ValidationError(_("This credential has no renewal rule."), code="no_rule")
    if not evaluation.met:
        names = selectors.names_for([version]).as_kwargs()
        gaps = [t for item in evaluation.missing if (t := wording.gap_text(item, **names))]
        raise ValidationError(
            _("You need more continuing education to renew: %(gaps)s.") % {"gaps": "; ".join(gaps)},
            code="not_met",
        )
    start = max(certificate.expires_on, today)
    hours = eligibility.hours_in_window(
        _training_since_issue(certificate),
        ledger=eligibility.TRAINING,
        domains=selectors.requirements_of(version).domains,
        within_days=None,
        today=today,
    )
    new = _successor(
        certificate,
        reason=IssueReason.RENEWAL,
        issued_by=None,
        name_as_printed=holder.legal_name or certificate.name_as_printed,
        expires_on=start + datetime.timedelta(days=version.validity_days)
        if version.validity_days
        else None,
        snapshot={
            **certificate.snapshot,
            "renewal": {
                "renews": certificate.number,
                "evaluated_on": today.isoformat(),
                "training_hours": {code: decimal_text(v) for code, v in hours.items() if v},
            },
        },
    )
    log(
        instance=new,
        action="alongside.certificate.renew",
        user=holder,
        data={"number": new.number, "renews": certificate.number},
    )
    return new
