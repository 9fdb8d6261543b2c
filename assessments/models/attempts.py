"""What happens when a trainee takes a quiz.

Starting an ``Attempt`` fixes its questions: which ones, in which order, with which revision and
in which choice order (``AttemptQuestion``). Each ``Answer`` is saved as it is given. Submitting
grades the answers saved in time and stores the result on the attempt and its questions; a
submitted attempt never changes again.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from .questions import Question, Quiz


class Attempt(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("time limit ends"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    points_possible = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    points_awarded = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), default=False)
    late_answers = models.PositiveSmallIntegerField(
        _("answers saved after the time limit (not counted)"), default=0
    )

    class Meta:
        verbose_name = _("quiz attempt")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "trainee", "number"], name="attempt_number_unique"
            ),
            # Two tabs cannot open two attempts: the second start finds the first.
            models.UniqueConstraint(
                fields=["quiz", "trainee"],
                condition=Q(submitted_at__isnull=True),
                name="one_open_attempt_per_quiz",
            ),
        ]

    def __str__(self):
        return f"{self.quiz} · {self.trainee} · {self.number}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class AttemptQuestion(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    """The question's type as asked (from its revision)."""
    choice_order = models.JSONField(default=list)
    """Choice ids (or, for matching, right-item ids) in the order this trainee sees them."""
    points_possible = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    points_awarded = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_position_unique")
        ]

    def __str__(self):
        return f"{self.attempt} · {self.position}"


class Answer(models.Model):
    attempt_question = models.OneToOneField(
        AttemptQuestion, on_delete=models.CASCADE, related_name="answer"
    )
    choice_ids = models.JSONField(default=list)
    matches = models.JSONField(default=dict)
    """For matching questions: left-item id (as a string, JSON keys are strings) → right-item id."""
    saved_at = models.DateTimeField()

    class Meta:
        verbose_name = _("answer")

    def __str__(self):
        return f"{self.attempt_question} · {self.saved_at:%Y-%m-%d %H:%M:%S}"


class Accommodation(models.Model):
    """Extra time or extra attempts for one trainee on one quiz, granted by staff with a reason
    (the grant and every change are logged)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="accommodations")
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="quiz_accommodations",
        verbose_name=_("trainee"),
    )
    extra_attempts = models.PositiveSmallIntegerField(_("extra attempts"), default=0)
    extra_time_minutes = models.PositiveSmallIntegerField(_("extra time (minutes)"), default=0)
    reason = models.TextField(_("reason"), max_length=1000)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accommodation")
        verbose_name_plural = _("accommodations")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "trainee"], name="one_accommodation_per_quiz")
        ]

    def __str__(self):
        return f"{self.trainee} · {self.quiz}"
