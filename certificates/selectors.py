"""Reads for programs and credentials, scoped to the person asking and bounded in queries."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet

from courses.models import CoursePage, Domain
from courses.selectors import completed_course_slugs, training_hours_by_day
from hours.selectors import approved_hours_by_day
from organizations.roles import REGISTRARS_GROUP

from . import eligibility, lifecycle
from .models import (
    AttestationSignature,
    AttestationText,
    Certificate,
    CertificateKind,
    CredentialProgram,
    IssuanceReview,
    IssueReason,
    ProgramEnrollment,
    ProgramVersion,
    ProgramVersionAttestation,
    ReviewStatus,
)


def hours_rule_of(data: dict | None) -> eligibility.HoursRule | None:
    if not data:
        return None
    return eligibility.HoursRule(
        total=Decimal(data["total"]),
        by_domain=tuple((code, Decimal(hours)) for code, hours in data.get("by_domain", [])),
        within_days=data.get("within_days"),
    )


def enrollment_of(trainee, program: CredentialProgram) -> ProgramEnrollment | None:
    return (
        ProgramEnrollment.objects.filter(trainee=trainee, program=program)
        .select_related("version", "program")
        .first()
    )


def requirements_of(version: ProgramVersion) -> eligibility.Requirements:
    """A version's stored requirements as the plain values ``eligibility`` decides on."""
    data = version.requirements
    return eligibility.Requirements.build(
        domains=tuple(data.get("domains", [])),
        courses=tuple(data.get("courses", [])),
        training=hours_rule_of(data.get("training")),
        practice=hours_rule_of(data.get("practice")),
        supervision=hours_rule_of(data.get("supervision")),
        attestations=tuple((code, int(number)) for code, number in data.get("attestations", [])),
    )


def record_of(trainee) -> eligibility.Record:
    """Everything of the trainee's that can meet a requirement, in four queries: completed
    courses, training credits, approved practice and supervision hours, and signatures."""
    rows = [
        eligibility.HoursRow(eligibility.TRAINING, code, day, hours)
        for code, day, hours in training_hours_by_day(trainee)
    ]
    rows.extend(
        eligibility.HoursRow(ledger, code, day, hours)
        for ledger, code, day, hours in approved_hours_by_day(trainee)
    )
    signed = frozenset(
        AttestationSignature.objects.filter(signer=trainee).values_list(
            "attestation__code", "attestation__version"
        )
    )
    return eligibility.Record(
        completed_courses=frozenset(completed_course_slugs(trainee)),
        hours=tuple(rows),
        signed=signed,
    )


@dataclass
class Names:
    """What the keys in an evaluation are called, for the words shown to people."""

    domains: dict[str, str]
    courses: dict[str, str]
    attestations: dict[str, str]

    def as_kwargs(self) -> dict:
        return {
            "domain_names": self.domains,
            "course_titles": self.courses,
            "attestation_titles": self.attestations,
        }


NAMES_VERSION_KEY = "requirement-names:version"
NAMES_TIMEOUT = 60 * 60


def _domain_and_attestation_names() -> tuple[dict[str, str], dict[tuple[str, int], str]]:
    """Every domain's name and every attestation text's title, from the cache.

    Both are short lists (a dozen domains, a few texts) that change only when domains or a
    program are imported or edited, yet the dashboard and the hours page need them for every
    trainee on a program. Saving or deleting either bumps a version number
    (``certificates.receivers``), so a change shows on the next page everywhere."""
    version = cache.get_or_set(NAMES_VERSION_KEY, 1, timeout=None)
    key = f"requirement-names:{version}"
    names = cache.get(key)
    if names is None:
        names = (
            dict(Domain.objects.values_list("code", "name")),
            {
                (code, number): title
                for code, number, title in AttestationText.objects.values_list(
                    "code", "version", "title"
                )
            },
        )
        cache.set(key, names, timeout=NAMES_TIMEOUT)
    return names


def _bump_names_version() -> None:
    try:
        cache.incr(NAMES_VERSION_KEY)
    except ValueError:
        cache.set(NAMES_VERSION_KEY, 2, timeout=None)


def names_changed() -> None:
    """Forget the cached names now, and again once the change commits: a page read between
    the two would otherwise cache the names as they were before the commit."""
    _bump_names_version()
    transaction.on_commit(_bump_names_version)


def names_for(versions: list[ProgramVersion]) -> Names:
    """Domain names, course titles and attestation titles for these versions: domain names and
    attestation titles from the cache, course titles in one query when a version requires
    courses."""
    domains, courses, attestations = set(), set(), set()
    for version in versions:
        data = version.requirements
        domains.update(data.get("domains", []))
        courses.update(data.get("courses", []))
        attestations.update((code, int(n)) for code, n in data.get("attestations", []))
    domain_names, attestation_titles = (
        _domain_and_attestation_names() if domains or attestations else ({}, {})
    )
    return Names(
        domains={code: domain_names[code] for code in domains if code in domain_names},
        courses=dict(
            CoursePage.objects.filter(slug__in=courses).values_list("slug", "title")
            if courses
            else []
        ),
        attestations={
            code: attestation_titles[code, number]
            for code, number in attestations
            if (code, number) in attestation_titles
        },
    )


def public_programs() -> QuerySet[CredentialProgram]:
    return (
        CredentialProgram.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("current_version__title")
    )


def attestations_of(version: ProgramVersion) -> list[AttestationText]:
    return [
        row.attestation
        for row in ProgramVersionAttestation.objects.filter(version=version)
        .select_related("attestation")
        .order_by("sort_order")
    ]


def initial_certificate(enrollment: ProgramEnrollment) -> Certificate | None:
    return Certificate.objects.filter(
        program_enrollment=enrollment,
        kind=CertificateKind.PROGRAM,
        issue_reason=IssueReason.INITIAL,
    ).first()


@dataclass
class ProgramProgress:
    enrollment: ProgramEnrollment
    evaluation: eligibility.Evaluation
    certificate: Certificate | None
    review: IssuanceReview | None
    """The latest review, if the program is issued after review."""

    @property
    def version(self) -> ProgramVersion:
        return self.enrollment.version

    @property
    def waiting_for_review(self) -> bool:
        return self.review is not None and self.review.status == ReviewStatus.PENDING

    @property
    def declined(self) -> bool:
        return (
            self.certificate is None
            and self.review is not None
            and self.review.status == ReviewStatus.DECLINED
        )


def programs_of(trainee, *, today, program: CredentialProgram | None = None) -> list:
    """The programs ``trainee`` pursues (or just ``program``), each evaluated against the
    version they are on, with the certificate and latest review. A fixed number of queries
    however many programs, hours and certificates there are."""
    enrollments = ProgramEnrollment.objects.filter(trainee=trainee).select_related(
        "program", "version"
    )
    if program is not None:
        enrollments = enrollments.filter(program=program)
    enrollments = list(
        enrollments.prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.filter(issue_reason=IssueReason.INITIAL),
                to_attr="initial_certificates",
            ),
            Prefetch(
                "reviews",
                queryset=IssuanceReview.objects.order_by("-requested_at", "-pk"),
                to_attr="latest_reviews",
            ),
        ).order_by("-started_at")
    )
    if not enrollments:
        return []
    record = record_of(trainee)
    return [
        ProgramProgress(
            enrollment=enrollment,
            evaluation=eligibility.evaluate(
                requirements_of(enrollment.version), record, today=today
            ),
            certificate=next(iter(enrollment.initial_certificates), None),
            review=next(iter(enrollment.latest_reviews), None),
        )
        for enrollment in enrollments
    ]


def certificates_of(holder) -> QuerySet[Certificate]:
    return Certificate.objects.filter(holder=holder).order_by("-issued_at", "-pk")


def pending_reviews() -> QuerySet[IssuanceReview]:
    return (
        IssuanceReview.objects.filter(status=ReviewStatus.PENDING)
        .select_related("enrollment__trainee", "enrollment__version", "enrollment__program")
        .order_by("requested_at", "pk")
    )


def with_shown_status(
    certificates: QuerySet[Certificate], shown: str, *, today: datetime.date
) -> QuerySet[Certificate]:
    """The certificates whose status shows as ``shown`` today: the query form of
    :func:`certificates.lifecycle.shown_status`, so that a registrar filtering on "Expired" or
    "Active" gets what the list and the holder see, not the stored status alone."""
    expiring_from = today + datetime.timedelta(days=lifecycle.EXPIRING_WITHIN_DAYS)
    active = Q(status=lifecycle.ACTIVE)
    conditions = {
        lifecycle.ACTIVE: active & (Q(expires_on__isnull=True) | Q(expires_on__gt=expiring_from)),
        lifecycle.EXPIRING: active & Q(expires_on__gte=today, expires_on__lte=expiring_from),
        lifecycle.EXPIRED: active & Q(expires_on__lt=today),
    }
    return certificates.filter(conditions.get(shown, Q(status=shown)))


def registrars_to_notify() -> list:
    """Active members of the Registrars group with an email address, each once."""
    return list(
        get_user_model()
        .objects.filter(groups__name=REGISTRARS_GROUP, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def personal_data(user) -> dict:
    """The person's programs, the statements they signed and their certificates, for the
    download of their own data. A certificate's staff note stays out; its public reason is in."""
    return {
        "programs": [
            {
                "program": enrollment.version.title,
                "version": enrollment.version.number,
                "started_at": enrollment.started_at,
            }
            for enrollment in ProgramEnrollment.objects.filter(trainee=user)
            .select_related("version")
            .order_by("started_at", "pk")
        ],
        "signed_statements": [
            {
                "statement": signature.attestation.title,
                "version": signature.attestation.version,
                "typed_name": signature.typed_name,
                "signed_at": signature.signed_at,
                "ip_address": signature.ip_address,
            }
            for signature in AttestationSignature.objects.filter(signer=user)
            .select_related("attestation")
            .order_by("signed_at", "pk")
        ],
        "certificates": [
            {
                "number": certificate.number,
                "kind": certificate.kind,
                "title": certificate.title,
                "name_as_printed": certificate.name_as_printed,
                "issued_at": certificate.issued_at,
                "expires_on": certificate.expires_on,
                "status": certificate.shown_status(),
                "status_reason": certificate.status_reason,
                "verification_code": certificate.verification_code,
            }
            for certificate in certificates_of(user).order_by("issued_at", "pk")
        ],
    }
