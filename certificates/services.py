"""Every write for programs and credentials.

Same order as everywhere: check the precondition, lock the row, save, write the audit entry.
A refused change raises ``ValidationError`` with a message for the person, and changes nothing.

Issuing is the heart of it. ``programs_reevaluate`` runs whenever something happens that can
meet a requirement (a course completed, hours approved or reopened, an attestation signed, a
program started): it locks each open program enrollment of the trainee, evaluates it, and
issues (automatic programs) or asks a registrar (review programs). A credential cannot be
issued twice: the enrollment row is locked while deciding, and a partial unique constraint
on the certificate table refuses a second initial certificate whatever happens.
"""

import datetime
import logging
import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from courses.models import CourseContactHours, Enrollment

from . import codes, eligibility, selectors, tasks, wording
from .models import (
    AttestationSignature,
    AttestationText,
    Certificate,
    CertificateKind,
    CredentialProgram,
    Issuance,
    IssuanceReview,
    IssueReason,
    ProgramEnrollment,
    ProgramVersion,
    ReviewStatus,
)
from .openbadges import services as openbadges_services
from .openbadges import status as status_lists

logger = logging.getLogger(__name__)
NUMBER_PREFIX = "AL"


def _same_name(typed: str, legal: str) -> bool:
    """Names match ignoring case, accents' composed form and extra spaces."""

    def clean(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return bool(clean(typed)) and clean(typed) == clean(legal)


# Starting a program ---------------------------------------------------------------------------


def program_start(*, trainee, program: CredentialProgram) -> ProgramEnrollment:
    """Start working toward ``program`` on its current version. Work done before counts."""
    if program.current_version_id is None:
        raise ValidationError(_("This program is not open yet."), code="no_version")
    if not trainee.legal_name.strip():
        raise ValidationError(
            _("Add your legal name to your profile first: it is printed on your credential."),
            code="no_legal_name",
        )
    try:
        with transaction.atomic():
            enrollment = ProgramEnrollment.objects.create(
                trainee=trainee, program=program, version_id=program.current_version_id
            )
            log(
                instance=enrollment,
                action="alongside.program.start",
                user=trainee,
                data={"program": program.slug, "version": enrollment.version.number},
            )
            programs_reevaluate(trainee_id=trainee.pk)
    except IntegrityError as exc:
        raise ValidationError(
            _("You have already started this program."), code="duplicate"
        ) from exc
    return enrollment


@transaction.atomic
def enrollment_move(*, registrar, enrollment: ProgramEnrollment, version: ProgramVersion):
    """Move a trainee to another version of their program (usually the current one)."""
    enrollment = ProgramEnrollment.objects.select_for_update().get(pk=enrollment.pk)
    if version.program_id != enrollment.program_id:
        raise ValidationError(_("That version belongs to another program."), code="program")
    if version.pk == enrollment.version_id:
        raise ValidationError(_("The trainee is already on this version."), code="same")
    if selectors.initial_certificate(enrollment) is not None:
        raise ValidationError(
            _("This credential has been issued already, so the version cannot change."),
            code="issued",
        )
    old = enrollment.version.number
    enrollment.version = version
    enrollment.save(update_fields=["version"])
    log(
        instance=enrollment,
        action="alongside.program.move",
        user=registrar,
        data={"from_version": old, "to_version": version.number},
    )
    programs_reevaluate(trainee_id=enrollment.trainee_id)
    return enrollment


# Attestations ---------------------------------------------------------------------------------


def attestation_sign(
    *, trainee, attestation: AttestationText, typed_name: str, confirmed: bool, ip_address=None
) -> AttestationSignature:
    """Sign one version of an attestation by typing one's legal name."""
    required = ProgramEnrollment.objects.filter(
        trainee=trainee, version__attestations=attestation
    ).exists()
    if not required:
        raise ValidationError(
            _("Start the program that asks for this statement before you sign it."),
            code="not_required",
        )
    if not confirmed:
        raise ValidationError(
            _("Tick the box to confirm that you have read the statement and agree to it."),
            code="not_confirmed",
        )
    typed_name = " ".join(typed_name.split())
    if not _same_name(typed_name, trainee.legal_name):
        raise ValidationError(
            _(
                "The name you typed is not the legal name on your profile. Type your full "
                "legal name as it is on your profile. If your profile is wrong, correct it "
                "there first."
            ),
            code="name_mismatch",
        )
    try:
        with transaction.atomic():
            signature = AttestationSignature.objects.create(
                signer=trainee,
                attestation=attestation,
                typed_name=typed_name,
                ip_address=ip_address or None,
            )
            log(
                instance=signature,
                action="alongside.attestation.sign",
                user=trainee,
                data={"code": attestation.code, "version": attestation.version},
            )
            programs_reevaluate(trainee_id=trainee.pk)
    except IntegrityError as exc:
        raise ValidationError(_("You have already signed this statement."), code="signed") from exc
    return signature


# Deciding and issuing -------------------------------------------------------------------------


def programs_reevaluate(*, trainee_id: int) -> list[Certificate]:
    """Re-decide every open program of the trainee: issue what is met (automatic programs) or
    ask a registrar (review programs). Returns the certificates issued. Each program is decided
    in its own savepoint, so one failure leaves the caller's work (a course completion, a
    sign-off) intact; the failure is logged."""
    issued = []
    open_ids = list(
        ProgramEnrollment.objects.filter(trainee_id=trainee_id)
        .exclude(
            certificates__kind=CertificateKind.PROGRAM,
            certificates__issue_reason=IssueReason.INITIAL,
        )
        .values_list("pk", flat=True)
    )
    for enrollment_id in open_ids:
        try:
            with transaction.atomic():
                certificate = _decide(enrollment_id)
        except (DatabaseError, ValidationError):
            logger.exception("Could not decide program enrollment %s", enrollment_id)
            continue
        if certificate is not None:
            issued.append(certificate)
    return issued


def _locked_enrollment(enrollment_id: int) -> ProgramEnrollment:
    return (
        ProgramEnrollment.objects.select_for_update(of=("self",))
        .select_related("version", "program", "trainee")
        .get(pk=enrollment_id)
    )


def _decide(enrollment_id: int) -> Certificate | None:
    enrollment = _locked_enrollment(enrollment_id)
    if selectors.initial_certificate(enrollment) is not None:
        return None
    today = timezone.localdate()
    record = selectors.record_of(enrollment.trainee)
    evaluation = eligibility.evaluate(
        selectors.requirements_of(enrollment.version), record, today=today
    )
    if not evaluation.met:
        return None
    if enrollment.version.issuance == Issuance.AUTOMATIC:
        return _issue(enrollment, record=record, today=today, issued_by=None)
    if not enrollment.reviews.filter(
        status__in=[ReviewStatus.PENDING, ReviewStatus.DECLINED]
    ).exists():
        _open_review(enrollment)
    return None


def _open_review(enrollment: ProgramEnrollment) -> IssuanceReview:
    review = IssuanceReview.objects.create(enrollment=enrollment)
    log(
        instance=review,
        action="alongside.program.review_request",
        user=enrollment.trainee,
        data={"program": enrollment.program.slug},
    )
    transaction.on_commit(lambda: tasks.notify_registrars_of_review.enqueue(review.pk))
    return review


def _gap_message(evaluation: eligibility.Evaluation, version: ProgramVersion) -> str:
    names = selectors.names_for([version]).as_kwargs()
    gaps = [text for item in evaluation.missing if (text := wording.gap_text(item, **names))]
    return _("The requirements are not all met yet. Still to do: %(gaps)s.") % {
        "gaps": "; ".join(gaps)
    }


def review_request(*, trainee, enrollment: ProgramEnrollment) -> IssuanceReview:
    """Ask a registrar again, after a decline, once every requirement is met."""
    with transaction.atomic():
        enrollment = _locked_enrollment(enrollment.pk)
        if enrollment.trainee_id != trainee.pk:
            raise ValidationError(_("This is not your program."), code="not_yours")
        if enrollment.version.issuance != Issuance.REVIEW:
            raise ValidationError(_("This program does not need a review."), code="automatic")
        if selectors.initial_certificate(enrollment) is not None:
            raise ValidationError(_("This credential has been issued already."), code="issued")
        if enrollment.reviews.filter(status=ReviewStatus.PENDING).exists():
            raise ValidationError(
                _("Your record is already waiting for a registrar."), code="pending"
            )
        evaluation = eligibility.evaluate(
            selectors.requirements_of(enrollment.version),
            selectors.record_of(trainee),
            today=timezone.localdate(),
        )
        if not evaluation.met:
            raise ValidationError(_gap_message(evaluation, enrollment.version), code="not_met")
        return _open_review(enrollment)


def _locked_review(review: IssuanceReview) -> IssuanceReview:
    review = IssuanceReview.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.PENDING:
        raise ValidationError(
            _(
                "This review was already decided (%(status)s) by %(person)s on %(date)s. "
                "Nothing was changed."
            )
            % {
                "status": review.get_status_display().lower(),
                "person": review.decided_by.display_name if review.decided_by else "-",
                "date": date_format(timezone.localtime(review.decided_at), "DATETIME_FORMAT"),
            },
            code="already_decided",
        )
    return review


@transaction.atomic
def review_approve(*, registrar, review: IssuanceReview, exam_confirmed: bool) -> Certificate:
    """Approve a review and issue the credential, after checking the record again."""
    if not exam_confirmed:
        raise ValidationError(
            _("Confirm that you have checked the exam result and the record."),
            code="not_confirmed",
        )
    review = _locked_review(review)
    enrollment = _locked_enrollment(review.enrollment_id)
    if selectors.initial_certificate(enrollment) is not None:
        raise ValidationError(_("This credential has been issued already."), code="issued")
    today = timezone.localdate()
    record = selectors.record_of(enrollment.trainee)
    evaluation = eligibility.evaluate(
        selectors.requirements_of(enrollment.version), record, today=today
    )
    if not evaluation.met:
        raise ValidationError(_gap_message(evaluation, enrollment.version), code="not_met")
    certificate = _issue(enrollment, record=record, today=today, issued_by=registrar)
    review.status = ReviewStatus.APPROVED
    review.decided_at = timezone.now()
    review.decided_by = registrar
    review.save(update_fields=["status", "decided_at", "decided_by"])
    log(
        instance=review,
        action="alongside.program.review_approve",
        user=registrar,
        data={"certificate": certificate.number},
    )
    return certificate


@transaction.atomic
def review_decline(*, registrar, review: IssuanceReview, reason: str) -> IssuanceReview:
    """Decline a review with a reason the trainee reads on the program page."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            _("Write the reason for the trainee: they see it on their program page."),
            code="reason",
        )
    review = _locked_review(review)
    review.status = ReviewStatus.DECLINED
    review.decided_at = timezone.now()
    review.decided_by = registrar
    review.reason = reason
    review.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    log(
        instance=review,
        action="alongside.program.review_decline",
        user=registrar,
        data={"reason": reason},
    )
    transaction.on_commit(lambda: tasks.notify_trainee_of_decline.enqueue(review.pk))
    return review


def decimal_text(value) -> str:
    """``Decimal("1.50")`` as ``"1.5"``, the same whichever database summed it."""
    return format(value.normalize(), "f")


def _hours_snapshot(
    record: eligibility.Record, requirements: eligibility.Requirements, today
) -> dict:
    hours = {}
    for ledger in eligibility.LEDGERS:
        rule = requirements.rule(ledger)
        by_domain = eligibility.hours_in_window(
            record.hours,
            ledger=ledger,
            domains=requirements.domains,
            within_days=rule.within_days if rule else None,
            today=today,
        )
        hours[ledger] = {
            code: decimal_text(value) for code, value in sorted(by_domain.items()) if value
        }
    return hours


def new_certificate(**values) -> Certificate:
    """Insert a certificate with a fresh code, a salt for its digital credential and a random
    free bit in the status lists (``openbadges.status``), then give it its number (from its
    row id)."""
    certificate = status_lists.with_free_entry(
        lambda entry: Certificate.objects.create(
            verification_code=codes.new_code(),
            identity_salt=openbadges_services.new_salt(),
            status_list=entry.list_number,
            status_index=entry.index,
            **values,
        )
    )
    certificate.number = (
        f"{NUMBER_PREFIX}-{timezone.localtime(certificate.issued_at):%Y}-{certificate.pk:06d}"
    )
    Certificate.objects.filter(pk=certificate.pk).update(number=certificate.number)
    return certificate


def _issue(
    enrollment: ProgramEnrollment, *, record: eligibility.Record, today, issued_by
) -> Certificate:
    version = enrollment.version
    trainee = enrollment.trainee
    requirements = selectors.requirements_of(version)
    now = timezone.now()
    names = selectors.names_for([version])
    snapshot = {
        "program": {
            "slug": enrollment.program.slug,
            "title": version.title,
            "version": version.number,
            "kind": version.kind,
        },
        "hours": _hours_snapshot(record, requirements, today),
        "domains": {code: names.domains.get(code, code) for code in requirements.domains},
        "courses": [
            {
                "slug": row["course__slug"],
                "title": row["course__title"],
                "completed_on": timezone.localdate(row["completed_at"]).isoformat(),
            }
            for row in Enrollment.objects.completed()
            .filter(trainee=trainee)
            .values("course__slug", "course__title", "completed_at")
            .order_by("completed_at")
        ],
        "attestations": [
            {
                "code": signature.attestation.code,
                "version": signature.attestation.version,
                "title": signature.attestation.title,
                "signed_at": signature.signed_at.isoformat(),
            }
            for signature in AttestationSignature.objects.filter(
                signer=trainee, attestation__in=version.attestations.all()
            ).select_related("attestation")
        ],
        "evaluated_on": today.isoformat(),
    }
    if issued_by is not None:
        snapshot["approved_by"] = issued_by.display_name
    certificate = new_certificate(
        holder=trainee,
        kind=CertificateKind.PROGRAM,
        program_enrollment=enrollment,
        program_version=version,
        name_as_printed=trainee.legal_name,
        title=version.title,
        version_label=str(version.number),
        issued_at=now,
        expires_on=(
            timezone.localdate(now) + datetime.timedelta(days=version.validity_days)
            if version.validity_days
            else None
        ),
        snapshot=snapshot,
        issued_by=issued_by,
    )
    log(
        instance=certificate,
        action="alongside.certificate.issue",
        user=issued_by or trainee,
        data={"number": certificate.number, "program": enrollment.program.slug},
    )
    transaction.on_commit(lambda: tasks.render_certificate.enqueue(certificate.pk))
    transaction.on_commit(lambda: tasks.notify_holder_of_issue.enqueue(certificate.pk))
    return certificate


def course_certificate_issue(*, enrollment: Enrollment) -> Certificate | None:
    """The certificate of completion for a course, with its contact hours by domain. Issued
    once per person and course; a second call returns None."""
    if Certificate.objects.filter(
        holder_id=enrollment.trainee_id,
        course_id=enrollment.course_id,
        kind=CertificateKind.COURSE,
        issue_reason=IssueReason.INITIAL,
    ).exists():
        return None
    course = enrollment.course
    trainee = get_user_model().objects.get(pk=enrollment.trainee_id)
    hours = {
        code: {"name": name, "hours": decimal_text(value)}
        for code, name, value in CourseContactHours.objects.filter(course=course)
        .values_list("domain__code", "domain__name", "hours")
        .order_by("domain__name")
    }
    now = timezone.now()
    try:
        with transaction.atomic():
            certificate = new_certificate(
                holder=trainee,
                kind=CertificateKind.COURSE,
                course=course,
                name_as_printed=trainee.legal_name or trainee.display_name,
                title=course.title,
                issued_at=now,
                snapshot={
                    "course": {"slug": course.slug, "title": course.title},
                    "hours": hours,
                    "completed_on": timezone.localdate(enrollment.completed_at or now).isoformat(),
                },
            )
            log(
                instance=certificate,
                action="alongside.certificate.issue",
                user=trainee,
                data={"number": certificate.number, "course": course.slug},
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: tasks.render_certificate.enqueue(certificate.pk))
    transaction.on_commit(lambda: tasks.notify_holder_of_issue.enqueue(certificate.pk))
    return certificate
