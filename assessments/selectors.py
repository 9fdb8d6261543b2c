"""Reads for quizzes, scoped to the person asking."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import grading
from .grading import Accommodation as AccommodationRule
from .grading import PastAttempt, QuizRules
from .models import Accommodation, Attempt, Quiz


def attempt_of(user, attempt_id) -> Attempt:
    """The trainee's own attempt, or a 404 for anyone else."""
    return get_object_or_404(Attempt.objects.select_related("quiz"), pk=attempt_id, trainee=user)


def quiz_for(quiz_id: int) -> Quiz:
    return get_object_or_404(Quiz.objects.select_related("module", "course"), pk=quiz_id)


def rules_of(quiz: Quiz) -> QuizRules:
    return QuizRules(
        max_attempts=quiz.max_attempts,
        retry_after_minutes=quiz.retry_after_minutes,
        time_limit_minutes=quiz.time_limit_minutes,
    )


def accommodation_of(user, quiz: Quiz) -> AccommodationRule:
    row = Accommodation.objects.filter(quiz=quiz, trainee=user).first()
    if row is None:
        return AccommodationRule()
    return AccommodationRule(
        extra_attempts=row.extra_attempts, extra_time_minutes=row.extra_time_minutes
    )


def attempts_of(user, quiz: Quiz) -> list[Attempt]:
    return list(Attempt.objects.filter(quiz=quiz, trainee=user).order_by("number"))


def past_attempts(attempts: list[Attempt]) -> list[PastAttempt]:
    return [PastAttempt(submitted_at=a.submitted_at, passed=a.passed) for a in attempts]


def start_decision(user, quiz: Quiz, attempts: list[Attempt], now=None) -> grading.StartDecision:
    """May ``user`` start a new attempt now? The quiz rules, their accommodation and their past
    attempts, decided by ``grading.may_start``."""
    return grading.may_start(
        now=now or timezone.now(),
        rules=rules_of(quiz),
        accommodation=accommodation_of(user, quiz),
        past=past_attempts(attempts),
    )


def quizzes_for(module_ids: set[int], course_ids: set[int]) -> list[Quiz]:
    if not module_ids and not course_ids:
        return []
    return list(Quiz.objects.filter(Q(module_id__in=module_ids) | Q(course_id__in=course_ids)))


def personal_data(user) -> dict:
    """The person's quiz attempts and results, for the download of their own data."""
    return {
        "quiz_attempts": [
            {
                "quiz": attempt.quiz.title,
                "attempt": attempt.number,
                "started_at": attempt.started_at,
                "submitted_at": attempt.submitted_at,
                "points_awarded": attempt.points_awarded,
                "points_possible": attempt.points_possible,
                "percent": attempt.percent,
                "passed": attempt.passed,
            }
            for attempt in Attempt.objects.filter(trainee=user)
            .select_related("quiz")
            .order_by("started_at", "pk")
        ]
    }
