"""What anyone holding a verification code may learn about a credential, read from the
database (never from a PDF or a file someone brings).

The public record is deliberately small: the name as printed, the credential, the issuer, the
dates, the status with its public reason category, where a replaced credential went and its
renewal history. Never hours, notes, scores, courses or anything else from the snapshot: a peer
credential can imply lived experience, and an employer needs to know only that it is genuine.

One query reads the certificate; a second, only when it was renewed or re-issued, reads every
issue of the same credential, so the page's cost does not grow with the history.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from . import lifecycle
from .codes import format_code, normalize_code
from .models import Certificate, CertificateKind

FORMAT = "alongside-verification/1"
VALID_STATUSES = frozenset({lifecycle.ACTIVE, lifecycle.EXPIRING})


@dataclass(frozen=True)
class PublicRecord:
    certificate: Certificate
    history: list[Certificate]
    """Every issue of this credential, oldest first, this one included."""
    current: Certificate
    """The latest issue: the one to trust when this one was replaced."""
    today: datetime.date

    @property
    def status(self) -> str:
        return self.certificate.shown_status(self.today)

    @property
    def is_valid(self) -> bool:
        return self.status in VALID_STATUSES

    @property
    def replaced_by(self) -> Certificate | None:
        if self.certificate.status != lifecycle.SUPERSEDED or self.current == self.certificate:
            return None
        return self.current


PUBLIC_FIELDS = (
    "kind",
    "issue_reason",
    "program_enrollment_id",
    "course_id",
    "holder_id",
    "previous_id",
    "name_as_printed",
    "title",
    "number",
    "verification_code",
    "issued_at",
    "expires_on",
    "status",
    "status_reason",
    "status_changed_at",
    "superseded_by_id",
)


def _other_issues(certificate: Certificate):
    """Every issue of the same credential: renewals and re-issues share the program
    enrollment, or the holder and the course."""
    issues = Certificate.objects.only(*PUBLIC_FIELDS).order_by("issued_at", "pk")
    if certificate.kind == CertificateKind.PROGRAM:
        return issues.filter(
            kind=CertificateKind.PROGRAM, program_enrollment_id=certificate.program_enrollment_id
        )
    return issues.filter(
        kind=CertificateKind.COURSE,
        holder_id=certificate.holder_id,
        course_id=certificate.course_id,
    )


def public_record(text: str, *, today: datetime.date | None = None) -> PublicRecord | None:
    """The public record for a typed or scanned code, or None when there is no such code.
    One query for a credential issued once (most of them), two when it was renewed or
    re-issued."""
    code = normalize_code(text)
    if code is None:
        return None
    certificate = Certificate.objects.only(*PUBLIC_FIELDS).filter(verification_code=code).first()
    if certificate is None:
        return None
    history = [certificate]
    if certificate.previous_id or certificate.superseded_by_id:
        history = [
            certificate if issue.pk == certificate.pk else issue
            for issue in _other_issues(certificate)
        ]
    current = next(
        (issue for issue in reversed(history) if issue.superseded_by_id is None), certificate
    )
    return PublicRecord(
        certificate=certificate,
        history=history,
        current=current,
        today=today or timezone.localdate(),
    )


def record_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("verify_record", args=[certificate.verification_code])


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def status_document(record: PublicRecord) -> dict:
    """The machine-readable form of the record, served as ``status.json``. Its keys are a
    public contract (documented in the README): add keys, never rename or remove them."""
    certificate = record.certificate
    replaced_by = record.replaced_by
    return {
        "format": FORMAT,
        "code": format_code(certificate.verification_code),
        "valid": record.is_valid,
        "status": record.status,
        "status_label": str(certificate.get_shown_status_display(record.today)),
        "status_reason": (
            {
                "code": certificate.status_reason,
                "label": str(certificate.get_status_reason_display()),
            }
            if certificate.status_reason
            and certificate.status in (lifecycle.REVOKED, lifecycle.SUSPENDED)
            else None
        ),
        "status_changed_on": _day(
            timezone.localdate(certificate.status_changed_at)
            if certificate.status_changed_at and certificate.status != lifecycle.ACTIVE
            else None
        ),
        "holder_name": certificate.name_as_printed,
        "credential": {
            "title": certificate.title,
            "kind": certificate.kind,
            "kind_label": str(certificate.get_kind_display()),
            "number": certificate.number,
        },
        "issuer": {"name": settings.CREDENTIAL_ISSUER_NAME, "url": settings.SITE_URL},
        "issued_on": _day(timezone.localdate(certificate.issued_at)),
        "expires_on": _day(certificate.expires_on),
        "replaced_by": (
            {
                "code": format_code(replaced_by.verification_code),
                "url": record_url(replaced_by),
            }
            if replaced_by
            else None
        ),
        "history": [
            {
                "issue": issue.issue_reason,
                "issue_label": str(issue.get_issue_reason_display()),
                "issued_on": _day(timezone.localdate(issue.issued_at)),
                "expires_on": _day(issue.expires_on),
                "status": issue.shown_status(record.today),
                "this_one": issue.pk == certificate.pk,
            }
            for issue in record.history
        ],
        "url": record_url(certificate),
        "credential_url": record_url(certificate) + "credential.json",
        "checked_on": record.today.isoformat(),
    }


CACHE_VERSION_KEY = "verify:version"
CACHE_SECONDS = 10 * 60


@dataclass(frozen=True)
class RenderedRecord:
    html: str
    title: str
    code: str


def cached_record_html(code: str) -> RenderedRecord | None:
    """The record's part of the verification page, from the cache when nothing changed.

    Employers and their systems check the same credentials again and again, and this is the
    busiest public page. The key holds the code, today's date (expiring and expired follow the
    calendar), the language, and a version number that goes up after any certificate is saved
    and committed (``_certificates_changed``): a revocation, a suspension, a renewal or a
    re-issue shows on the next request. Unknown codes are not cached."""
    normalized = normalize_code(code)
    if normalized is None:
        return None
    today = timezone.localdate()
    version = cache.get_or_set(CACHE_VERSION_KEY, 1, timeout=None)
    key = f"verify:{version}:{normalized}:{today.isoformat()}:{get_language()}"
    rendered = cache.get(key)
    if rendered is not None:
        return rendered
    record = public_record(normalized, today=today)
    if record is None:
        return None
    rendered = RenderedRecord(
        html=render_to_string(
            "certificates/verify/record_body.html",
            {
                "record": record,
                "certificate": record.certificate,
                "status": record.status,
                "issuer": settings.CREDENTIAL_ISSUER_NAME,
            },
        ),
        title=record.certificate.title,
        code=record.certificate.verification_code,
    )
    cache.set(key, rendered, timeout=CACHE_SECONDS)
    return rendered


def _bump_version():
    try:
        cache.incr(CACHE_VERSION_KEY)
    except ValueError:
        cache.set(CACHE_VERSION_KEY, 2, timeout=None)


@receiver(post_save, sender=Certificate)
@receiver(post_delete, sender=Certificate)
def _certificates_changed(**kwargs):
    """Now, and again after the change commits: a page another request read from the database
    before the commit, and cached under the first new version, is then forgotten too."""
    _bump_version()
    transaction.on_commit(_bump_version)
