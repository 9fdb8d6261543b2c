"""Taking a quiz: start, save answers, submit. Every write goes through here.

The order is the same everywhere: check, lock, save, log. Answers are checked against the
question as asked in this attempt (a choice from another question is refused), and nothing is
ever counted twice: one open attempt per quiz and trainee (a database constraint), and a
submitted attempt is graded once, under a row lock.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from courses.models import Enrollment, ModulePage
from courses.services import enrollment_refresh_completion

from . import grading, keys, selectors
from .grading import QuestionKind
from .models import Answer, Attempt, AttemptQuestion, Question, Quiz


class QuizProblem(ValidationError):
    """Something the trainee asked for that the quiz rules do not allow, said plainly."""


@dataclass(frozen=True)
class RawAnswer:
    choice_ids: tuple[int, ...] = ()
    matches: tuple[tuple[int, int], ...] = ()


def _enrollment_for(trainee, quiz: Quiz) -> Enrollment:
    course_path = quiz.course.path if quiz.course_id else quiz.module.path[: -ModulePage.steplen]
    enrollment = Enrollment.objects.filter(trainee=trainee, course__path=course_path).first()
    if enrollment is None:
        raise QuizProblem(
            _("Enroll in the course first, then you can take its quizzes."), code="not_enrolled"
        )
    return enrollment


def start_refusal_message(decision: grading.StartDecision) -> str:
    if decision.reason == "already_passed":
        return _("You have already passed this quiz. Well done.")
    if decision.reason == "no_attempts_left":
        return _(
            "You have used all the attempts for this quiz. Please talk with your supervisor or "
            "contact us: staff can review your situation."
        )
    if decision.reason == "wait" and decision.next_allowed_at:
        return _("From %(time)s you can try again. Use the time to look over the module.") % {
            "time": date_format(timezone.localtime(decision.next_allowed_at), "DATETIME_FORMAT")
        }
    return _("This quiz cannot be started right now.")


def _ensure_revisions(questions: list[Question]) -> None:
    for question in questions:
        if question.latest_revision_id is None:
            question.save_revision()


@transaction.atomic
def attempt_start(*, trainee, quiz: Quiz, now: datetime | None = None) -> Attempt:
    """Start an attempt, or return the open one (a second tab resumes, never doubles)."""
    now = now or timezone.now()
    _enrollment_for(trainee, quiz)
    attempts = selectors.attempts_of(trainee, quiz)
    open_attempt = next((a for a in attempts if a.is_open), None)
    if open_attempt is not None:
        return open_attempt
    decision = selectors.start_decision(trainee, quiz, attempts, now)
    if not decision.allowed:
        raise QuizProblem(start_refusal_message(decision), code=decision.reason)
    quiz_questions = list(quiz.quiz_questions.select_related("question").order_by("sort_order"))
    if not quiz_questions:
        raise QuizProblem(_("This quiz has no questions yet."), code="empty")
    questions = {qq.question_id: qq.question for qq in quiz_questions}
    _ensure_revisions(list(questions.values()))
    attempt = Attempt(
        id=uuid.uuid4(),
        quiz=quiz,
        trainee=trainee,
        number=len(attempts) + 1,
        started_at=now,
        deadline=grading.deadline(
            started_at=now,
            rules=selectors.rules_of(quiz),
            accommodation=selectors.accommodation_of(trainee, quiz),
        ),
    )
    try:
        with transaction.atomic():
            attempt.save(force_insert=True)
    except IntegrityError:
        # The same trainee started in another tab a moment ago: resume that one.
        return Attempt.objects.get(quiz=quiz, trainee=trainee, submitted_at__isnull=True)
    chosen = grading.draw_questions(
        ids=[qq.question_id for qq in quiz_questions],
        count=quiz.draw,
        shuffle=quiz.shuffle_questions,
        seed=str(attempt.id),
    )
    as_asked = keys.questions_as_asked([questions[qid].latest_revision_id for qid in chosen])
    rows = []
    for position, question_id in enumerate(chosen, start=1):
        question = questions[question_id]
        asked = as_asked[question.latest_revision_id]
        rows.append(
            AttemptQuestion(
                attempt=attempt,
                position=position,
                question_id=question_id,
                revision_id=question.latest_revision_id,
                kind=asked.kind,
                choice_order=grading.choice_order(
                    ids=keys.option_ids(asked),
                    shuffle=quiz.shuffle_choices or asked.kind == QuestionKind.MATCHING,
                    seed=f"{attempt.id}:{question_id}",
                ),
            )
        )
    AttemptQuestion.objects.bulk_create(rows)
    log(instance=attempt, action="alongside.quiz.start", user=trainee, data={"quiz": quiz.pk})
    return attempt


def _check_open(attempt: Attempt, now: datetime) -> None:
    if attempt.submitted_at is not None:
        raise QuizProblem(
            _("This attempt was already submitted, so your answers were not changed."),
            code="submitted",
        )
    if attempt.deadline and not grading.answers_count(saved_at=now, deadline=attempt.deadline):
        raise QuizProblem(
            _("Time is up for this attempt. The answers you saved before the time limit count."),
            code="time_up",
        )


def _validated(question: AttemptQuestion, raw: RawAnswer) -> RawAnswer:
    allowed = set(question.choice_order)
    if question.kind == QuestionKind.MATCHING:
        for left, right in raw.matches:
            if left not in allowed or right not in allowed:
                raise QuizProblem(
                    _("An answer did not match this question's items. Please reload the page."),
                    code="unknown_choice",
                )
        return RawAnswer(matches=tuple(sorted(set(raw.matches))))
    if any(choice not in allowed for choice in raw.choice_ids):
        raise QuizProblem(
            _("An answer was not one of this question's choices. Please reload the page."),
            code="unknown_choice",
        )
    if (
        question.kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE)
        and len(set(raw.choice_ids)) > 1
    ):
        raise QuizProblem(_("Choose one answer for this question."), code="one_only")
    return RawAnswer(choice_ids=tuple(sorted(set(raw.choice_ids))))


@transaction.atomic
def answers_save(
    *, attempt: Attempt, trainee, answers: dict[int, RawAnswer], now: datetime | None = None
) -> datetime:
    """Save answers by question position, all or none, in a fixed number of queries."""
    now = now or timezone.now()
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk, trainee=trainee)
    _check_open(attempt, now)
    questions = {q.position: q for q in attempt.questions.all()}
    unknown = set(answers) - set(questions)
    if unknown:
        raise QuizProblem(
            _("An answer was for a question that is not part of this attempt."),
            code="unknown_question",
        )
    rows = []
    for position, raw in answers.items():
        clean = _validated(questions[position], raw)
        rows.append(
            Answer(
                attempt_question=questions[position],
                choice_ids=list(clean.choice_ids),
                matches={str(left): right for left, right in clean.matches},
                saved_at=now,
            )
        )
    Answer.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["attempt_question"],
        update_fields=["choice_ids", "matches", "saved_at"],
    )
    return now


@dataclass(frozen=True)
class SubmitOutcome:
    attempt: Attempt
    already_submitted: bool
    completed_course: bool


@transaction.atomic
def attempt_submit(*, attempt: Attempt, trainee, now: datetime | None = None) -> SubmitOutcome:
    """Grade the answers saved in time and record the result, once. Submitting again (a double
    click, a second tab) returns the recorded result unchanged."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update()
        .select_related("quiz")
        .get(pk=attempt.pk, trainee=trainee)
    )
    if attempt.submitted_at is not None:
        return SubmitOutcome(attempt, already_submitted=True, completed_course=False)
    quiz = attempt.quiz
    questions = list(attempt.questions.select_related("answer").order_by("position"))
    as_asked = keys.questions_as_asked([q.revision_id for q in questions])
    items, late = [], 0
    for question in questions:
        answer = getattr(question, "answer", None)
        if (
            answer is not None
            and attempt.deadline
            and not grading.answers_count(saved_at=answer.saved_at, deadline=attempt.deadline)
        ):
            answer, late = None, late + 1
        items.append((keys.key_for(as_asked[question.revision_id]), keys.response_for(answer)))
    result = grading.grade_attempt(
        items, pass_mark=quiz.pass_mark, partial_credit=quiz.partial_credit
    )
    for question, question_result in zip(questions, result.questions, strict=True):
        question.points_possible = question_result.points_possible
        question.points_awarded = question_result.points_awarded
        question.is_correct = question_result.is_correct
    AttemptQuestion.objects.bulk_update(
        questions, ["points_possible", "points_awarded", "is_correct"]
    )
    attempt.submitted_at = now
    attempt.points_possible = result.points_possible
    attempt.points_awarded = result.points_awarded
    attempt.percent = result.percent
    attempt.passed = result.passed
    attempt.late_answers = late
    attempt.save()
    log(
        instance=attempt,
        action="alongside.quiz.submit",
        user=trainee,
        data={
            "quiz": quiz.pk,
            "percent": str(result.percent),
            "passed": result.passed,
            "late": late,
        },
    )
    completed_course = False
    if result.passed:
        completed_course = enrollment_refresh_completion(enrollment=_enrollment_for(trainee, quiz))
    return SubmitOutcome(attempt, already_submitted=False, completed_course=completed_course)


def attempt_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return bool(attempt.is_open and attempt.deadline and now > attempt.deadline)
