"""What trainees do with courses. Ordinary models that point at pages (PROTECT), so a trainee's
record survives any edit of the course and a page with records cannot be deleted by accident.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pages import CoursePage, Domain, ModulePage


class EnrollmentQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)


class Enrollment(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        verbose_name=_("trainee"),
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.PROTECT, related_name="enrollments", verbose_name=_("course")
    )
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    last_module = models.ForeignKey(
        ModulePage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last module opened"),
    )

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "course"], name="enrollment_once_per_course")
        ]

    def __str__(self):
        return f"{self.trainee} · {self.course.title}"


class ModuleCompletion(models.Model):
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="completions")
    module = models.ForeignKey(ModulePage, on_delete=models.PROTECT, related_name="completions")
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)

    class Meta:
        verbose_name = _("module completion")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "module"], name="module_done_once")
        ]

    def __str__(self):
        return f"{self.enrollment} · {self.module.title}"


class TrainingHourCredit(models.Model):
    """A line in a trainee's training-hours ledger: contact hours in one domain, earned on a day
    by completing a course. Written once when the course is completed; never edited."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_hour_credits",
        verbose_name=_("trainee"),
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="hour_credits"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.PROTECT, related_name="+")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="hour_credits")
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    earned_on = models.DateField(_("earned on"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("training hours")
        verbose_name_plural = _("training hours")
        ordering = ["-earned_on"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "domain"], name="hours_credited_once")
        ]

    def __str__(self):
        return f"{self.hours} h {self.domain.code} · {self.trainee}"


class ReflectionAnswer(models.Model):
    """A trainee's private answer to a reflection prompt, keyed by the block's stable id.
    Only its author ever sees it."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.PROTECT, related_name="+")
    block_id = models.CharField(max_length=64)
    text = models.TextField(_("your reflection"), max_length=5000)
    updated_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("reflection")
        constraints = [
            models.UniqueConstraint(
                fields=["trainee", "module", "block_id"], name="one_reflection_per_prompt"
            )
        ]

    def __str__(self):
        return f"{self.trainee} · {self.module.title}"
