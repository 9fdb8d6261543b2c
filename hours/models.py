"""Supervised hours: what a trainee logs, and what a supervisor attests.

``HourEntry`` is a line in one of two ledgers (supervised practice, or supervision received),
moved through its workflow by the services only. A ``SignOff`` is a supervisor's attestation:
who decided, when, under which qualification, and a snapshot of the entries with its SHA-256
digest. Sign-offs are insert-only, enforced by database triggers (see ``triggers.py``); a
correction is a new sign-off (a reversal), never an edit.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from courses.models import Domain
from organizations.models import Organization

from . import rules


class Ledger(models.TextChoices):
    PRACTICE = "practice", _("Supervised practice")
    SUPERVISION = "supervision", _("Supervision received")


class SupervisionFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GROUP = "group", _("Group")


class Activity(models.TextChoices):
    ONE_TO_ONE = "one_to_one", _("One-to-one peer support")
    GROUP = "group_facilitation", _("Group facilitation")
    ADVOCACY = "advocacy", _("Advocacy")
    OUTREACH = "outreach", _("Outreach")
    DOCUMENTATION = "documentation", _("Documentation")
    OTHER = "other", _("Other")


class Setting(models.TextChoices):
    DETOX = "detox", _("Detox")
    RESIDENTIAL = "residential", _("Residential")
    OUTPATIENT = "outpatient", _("Outpatient")
    COMMUNITY = "community", _("Community")
    ONLINE = "online", _("Online")


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")


class Status(models.TextChoices):
    DRAFT = rules.DRAFT, _("Draft")
    SUBMITTED = rules.SUBMITTED, _("Waiting for review")
    APPROVED = rules.APPROVED, _("Approved")
    REJECTED = rules.REJECTED, _("Sent back")


class HourEntry(models.Model):
    EDITABLE_FIELDS = [
        "ledger",
        "supervision_format",
        "date",
        "minutes",
        "domain",
        "activity",
        "setting",
        "delivery",
        "description",
    ]
    """What the trainee fills in; everything else is set by the workflow."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="hour_entries"
    )
    ledger = models.CharField(_("ledger"), max_length=20, choices=Ledger.choices)
    supervision_format = models.CharField(
        _("supervision format"), max_length=20, choices=SupervisionFormat.choices, blank=True
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="+", verbose_name=_("domain")
    )
    activity = models.CharField(_("activity"), max_length=30, choices=Activity.choices)
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)
    description = models.CharField(_("short description"), max_length=rules.DESCRIPTION_MAX_LENGTH)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hour_entries_to_review",
        verbose_name=_("supervisor"),
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(_("reason"), blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hour entry")
        verbose_name_plural = _("hour entries")
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["trainee", "date"]),
            models.Index(fields=["supervisor", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=rules.STEP_MINUTES)
                & Q(minutes__lte=rules.MAX_ENTRY_MINUTES),
                name="hour_entry_minutes_in_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    minutes__in=range(
                        rules.STEP_MINUTES, rules.MAX_ENTRY_MINUTES + 1, rules.STEP_MINUTES
                    )
                ),
                name="hour_entry_minutes_in_steps",
            ),
        ]

    def __str__(self):
        return f"{self.date} · {self.minutes} min · {self.get_ledger_display()}"

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60


class SignOff(models.Model):
    """A supervisor's decision on one or more entries, kept forever as it was made."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Sent back")
        REVERSAL = "reversal", _("Reopened by a registrar")

    action = models.CharField(max_length=20, choices=Action.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, related_name="+"
    )
    qualification = models.JSONField(default=dict)
    """The decider's qualification at the time: credential name, number and expiry date."""
    reason = models.TextField(blank=True)
    snapshot = models.JSONField()
    """The entries decided, as they were: the canonical JSON the digest is computed from."""
    digest = models.CharField(max_length=64)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entries = models.ManyToManyField(HourEntry, related_name="sign_offs", through="SignOffEntry")

    class Meta:
        verbose_name = _("sign-off")
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.get_action_display()} · {self.decided_at:%Y-%m-%d} · {self.digest[:12]}"


class SignOffEntry(models.Model):
    sign_off = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(HourEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sign_off", "entry"], name="sign_off_entry_once")
        ]

    def __str__(self):
        return f"{self.sign_off_id} · {self.entry_id}"
