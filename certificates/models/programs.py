"""Credential programs: a certifying body's requirements, kept as versioned data.

A ``CredentialProgram`` is identified by its slug. Every import that changes it adds a
``ProgramVersion`` (the requirements exactly as imported, never edited afterwards); the
program points at its current version. A trainee who starts a program gets a
``ProgramEnrollment`` pinned to the version of that day, and keeps it unless a registrar moves
them. ``AttestationText`` is one version of a statement such as a code of ethics; a new text
is a new version, which must be signed again (``AttestationSignature``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage


class Kind(models.TextChoices):
    CERTIFICATION = "certification", _("Certification")
    COMPLETION = "certificate-of-completion", _("Certificate of completion")
    MICRO = "micro-credential", _("Micro-credential")


class Issuance(models.TextChoices):
    AUTOMATIC = "automatic", _("Issued as soon as every requirement is met")
    REVIEW = "review", _("Issued after a registrar reviews the record")


class CredentialProgram(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    current_version = models.ForeignKey(
        "ProgramVersion",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("current version"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("credential program")
        verbose_name_plural = _("credential programs")
        ordering = ["slug"]

    def __str__(self):
        return self.current_version.title if self.current_version_id else self.slug


class ProgramVersion(models.Model):
    """One imported version of a program. ``requirements`` is the normalized form that
    ``eligibility.Requirements`` is built from; ``document`` is the file as imported (with
    defaults filled in), and ``digest`` its SHA-256, so an unchanged file writes nothing."""

    program = models.ForeignKey(
        CredentialProgram, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    issuance = models.CharField(_("issuance"), max_length=20, choices=Issuance.choices)
    validity_days = models.PositiveIntegerField(_("valid for (days)"), null=True, blank=True)
    source = models.JSONField(default=dict, blank=True)
    requirements = models.JSONField()
    renewal = models.JSONField(null=True, blank=True)
    document = models.JSONField()
    digest = models.CharField(max_length=64)
    courses = models.ManyToManyField(
        CoursePage, through="ProgramVersionCourse", related_name="+", blank=True
    )
    attestations = models.ManyToManyField(
        "AttestationText", through="ProgramVersionAttestation", related_name="+", blank=True
    )
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("program version")
        ordering = ["program", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="program_version_number")
        ]

    def __str__(self):
        return f"{self.title} (v{self.number})"


class ProgramVersionCourse(models.Model):
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "course"], name="program_course_once")
        ]

    def __str__(self):
        return f"{self.version_id} · {self.course_id}"


class AttestationText(models.Model):
    code = models.SlugField(_("code"), max_length=80)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=50000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attestation text")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="attestation_code_version")
        ]

    def __str__(self):
        return f"{self.title} (v{self.version})"


class ProgramVersionAttestation(models.Model):
    version = models.ForeignKey(ProgramVersion, on_delete=models.CASCADE, related_name="+")
    attestation = models.ForeignKey(AttestationText, on_delete=models.PROTECT, related_name="+")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "attestation"], name="program_attestation_once"
            )
        ]

    def __str__(self):
        return f"{self.version_id} · {self.attestation_id}"


class AttestationSignature(models.Model):
    """A trainee's electronic signature of one attestation text version: the name they typed,
    when, and from which address."""

    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attestation_signatures"
    )
    attestation = models.ForeignKey(
        AttestationText, on_delete=models.PROTECT, related_name="signatures"
    )
    typed_name = models.CharField(_("typed name"), max_length=200)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("attestation signature")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["signer", "attestation"], name="attestation_signed_once"
            )
        ]

    def __str__(self):
        return f"{self.signer} · {self.attestation}"


class ProgramEnrollment(models.Model):
    """A trainee working toward a program, on the version they started with."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="program_enrollments"
    )
    program = models.ForeignKey(
        CredentialProgram, on_delete=models.PROTECT, related_name="enrollments"
    )
    version = models.ForeignKey(ProgramVersion, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started"), default=timezone.now)

    class Meta:
        verbose_name = _("program enrollment")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "program"], name="program_started_once")
        ]

    def __str__(self):
        return f"{self.trainee} · {self.version}"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a registrar")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class IssuanceReview(models.Model):
    """A trainee who meets every requirement of a review program, waiting for a registrar.
    At most one is pending per enrollment; decided ones stay as history."""

    enrollment = models.ForeignKey(
        ProgramEnrollment, on_delete=models.PROTECT, related_name="reviews"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    """Why it was declined, in words the trainee reads."""

    class Meta:
        verbose_name = _("issuance review")
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(status="pending"),
                name="one_pending_review_per_enrollment",
            )
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.get_status_display()}"
