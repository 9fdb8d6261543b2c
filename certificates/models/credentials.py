"""Certificates: what the site has certified about a person, frozen at the moment of issue.

The printed name, title, dates and a snapshot of what was certified (hours by domain,
courses, attestations) are copied in, so later edits of a program, a course or a profile never
change an issued certificate. Each carries a public verification code and a certificate
number. A person earns at most one initial certificate per program enrollment and per course,
enforced by the database; renewals and re-issues (later issues) are further rows linked to
the one before.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage

from .. import lifecycle
from ..codes import format_code
from .programs import ProgramEnrollment, ProgramVersion


def private_storage():
    return storages["private"]


class CertificateKind(models.TextChoices):
    PROGRAM = "program", _("Credential")
    COURSE = "course", _("Certificate of completion")


class IssueReason(models.TextChoices):
    INITIAL = "initial", _("First issue")
    RENEWAL = "renewal", _("Renewal")
    REISSUE = "reissue", _("Re-issue")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Replaced")


SHOWN_STATUS_LABELS = {
    lifecycle.ACTIVE: _("Active"),
    lifecycle.EXPIRING: _("Expiring soon"),
    lifecycle.EXPIRED: _("Expired"),
    lifecycle.SUSPENDED: _("Suspended"),
    lifecycle.REVOKED: _("Revoked"),
    lifecycle.SUPERSEDED: _("Replaced"),
}


class StatusReason(models.TextChoices):
    """Why a registrar revoked or suspended a credential. The category is public (it appears on
    the verification page); the note is not."""

    ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
    REQUIREMENTS_NOT_MET = "requirements_not_met", _("Requirements not met")
    ETHICS = "ethics", _("Ethics or conduct review")
    HOLDER_REQUEST = "holder_request", _("At the holder's request")
    ADMINISTRATIVE = "administrative", _("Administrative")


class Certificate(models.Model):
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CertificateKind.choices)
    issue_reason = models.CharField(
        max_length=20, choices=IssueReason.choices, default=IssueReason.INITIAL
    )
    program_enrollment = models.ForeignKey(
        ProgramEnrollment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certificates",
    )
    program_version = models.ForeignKey(
        ProgramVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name_as_printed = models.CharField(_("name as printed"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    version_label = models.CharField(_("version"), max_length=100, blank=True)
    number = models.CharField(_("certificate number"), max_length=40, blank=True)
    """``AL-<year>-<row id>``, given right after the row is inserted, in the same transaction."""
    verification_code = models.CharField(_("verification code"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued"))
    expires_on = models.DateField(_("expires"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ACTIVE,
    )
    snapshot = models.JSONField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField(
        _("PDF"), storage=private_storage, upload_to="certificates/", blank=True, max_length=200
    )
    """Rendered by a background task after the issue commits; never served by URL."""
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(
        _("reason"), max_length=30, choices=StatusReason.choices, blank=True
    )
    status_note = models.TextField(_("note for staff"), blank=True, max_length=2000)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    credential = models.JSONField(_("signed digital credential"), null=True, blank=True)
    """The Open Badges 3.0 credential with its proof, signed once (by the render task, or on the
    first request for it) and never changed: its status is published in the status lists."""
    identity_salt = models.CharField(max_length=64, blank=True, editable=False)
    """Salt of the hashed email address in the credential, random per certificate."""
    status_list = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status_index = models.PositiveIntegerField(null=True, blank=True, editable=False)
    """The certificate's bit in status list ``status_list`` (one list per purpose, revocation
    and suspension, the same index in both), picked at random when it is created."""

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="certificate_number_unique"
            ),
            models.UniqueConstraint(
                fields=["program_enrollment"],
                condition=Q(issue_reason="initial", kind="program"),
                name="credential_issued_once_per_program_enrollment",
            ),
            models.UniqueConstraint(
                fields=["holder", "course"],
                condition=Q(issue_reason="initial", kind="course"),
                name="course_certificate_issued_once",
            ),
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="certificate_status_entry_unique"
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="program",
                        program_enrollment__isnull=False,
                        program_version__isnull=False,
                    )
                    | Q(kind="course", course__isnull=False)
                ),
                name="certificate_names_what_it_certifies",
            ),
        ]

    def __str__(self):
        return f"{self.number or '-'} · {self.title} · {self.name_as_printed}"

    @property
    def code_display(self) -> str:
        return format_code(self.verification_code)

    def shown_status(self, today=None) -> str:
        """What to show today: the stored status, or expiring / expired by the calendar."""
        return lifecycle.shown_status(
            stored=self.status, expires_on=self.expires_on, today=today or timezone.localdate()
        )

    def get_shown_status_display(self, today=None) -> str:
        return str(SHOWN_STATUS_LABELS[self.shown_status(today)])


class ExpiryReminder(models.Model):
    """One reminder email sent about one certificate, so a reminder is never sent twice."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    days_before = models.SmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="expiry_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.certificate_id} · {self.days_before}"
