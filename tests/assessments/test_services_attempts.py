import datetime

import pytest
from django.utils import timezone

from assessments import services
from assessments.models import Accommodation, Answer, Attempt, Choice, QuizQuestion
from assessments.services import QuizProblem, RawAnswer
from courses import services as course_services
from courses.models import Enrollment, TrainingHourCredit
from tests.course_pages import make_course
from tests.quiz_builders import make_question, make_quiz, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    course = make_course(modules=1, reflection=False)
    module = course.modules().get()
    quiz = make_quiz(module)
    course_services.enrollment_create(trainee=world.trainee, course=course)
    return world.trainee, course, module, quiz


def test_start_fixes_questions_revisions_and_order_and_resumes(setup):
    trainee, _course, _module, quiz = setup
    attempt = services.attempt_start(trainee=trainee, quiz=quiz)
    rows = list(attempt.questions.order_by("position"))
    assert [row.position for row in rows] == [1, 2, 3, 4]
    assert {row.question_id for row in rows} == set(
        quiz.quiz_questions.values_list("question_id", flat=True)
    )
    assert all(row.revision_id == row.question.latest_revision_id for row in rows)
    # A second tab, or coming back later: the same attempt, unchanged.
    again = services.attempt_start(trainee=trainee, quiz=quiz)
    assert again.pk == attempt.pk
    assert Attempt.objects.count() == 1


def test_not_enrolled_cannot_start(world, setup):
    _trainee, _course, _module, quiz = setup
    with pytest.raises(QuizProblem, match="Enroll in the course first"):
        services.attempt_start(trainee=world.other_trainee, quiz=quiz)
    assert not Attempt.objects.filter(trainee=world.other_trainee).exists()


def test_refused_answers_change_nothing(setup):
    trainee, _course, _module, quiz = setup
    attempt = services.attempt_start(trainee=trainee, quiz=quiz)
    single = attempt.questions.get(kind="single")
    other = attempt.questions.exclude(kind__in=["single", "matching"]).first()
    foreign_choice = other.choice_order[0]
    cases = [
        ({99: RawAnswer(choice_ids=(single.choice_order[0],))}, "not part of this attempt"),
        (
            {single.position: RawAnswer(choice_ids=(foreign_choice,))},
            "not one of this question's choices",
        ),
        (
            {single.position: RawAnswer(choice_ids=tuple(single.choice_order[:2]))},
            "Choose one answer",
        ),
    ]
    for answers, message in cases:
        with pytest.raises(QuizProblem, match=message):
            services.answers_save(attempt=attempt, trainee=trainee, answers=answers)
    assert not Answer.objects.exists()


def test_pass_completes_the_course_once(setup):
    trainee, course, module, quiz = setup
    course_services.module_mark_done(trainee=trainee, module=module)
    assert Enrollment.objects.get().completed_at is None  # the quiz is still to pass
    attempt = services.attempt_start(trainee=trainee, quiz=quiz)
    services.answers_save(attempt=attempt, trainee=trainee, answers=right_answers(attempt))
    outcome = services.attempt_submit(attempt=attempt, trainee=trainee)
    assert outcome.attempt.passed and outcome.attempt.percent == 100
    assert outcome.completed_course is True
    again = services.attempt_submit(attempt=attempt, trainee=trainee)
    assert again.already_submitted and not again.completed_course
    assert TrainingHourCredit.objects.count() == 1
    with pytest.raises(QuizProblem, match="already passed"):
        services.attempt_start(trainee=trainee, quiz=quiz)
    with pytest.raises(QuizProblem, match="already submitted"):
        services.answers_save(attempt=attempt, trainee=trainee, answers=right_answers(attempt))


def test_retry_wait_and_max_attempts_with_accommodation(setup, world, time_machine):
    trainee, _course, _module, quiz = setup
    quiz.retry_after_minutes = 10
    quiz.max_attempts = 1
    quiz.save()
    time_machine.move_to(timezone.now(), tick=False)
    attempt = services.attempt_start(trainee=trainee, quiz=quiz)
    services.answers_save(attempt=attempt, trainee=trainee, answers=wrong_answers(attempt))
    assert services.attempt_submit(attempt=attempt, trainee=trainee).attempt.passed is False
    with pytest.raises(QuizProblem) as used_up:
        services.attempt_start(trainee=trainee, quiz=quiz)
    assert used_up.value.code == "no_attempts_left"
    Accommodation.objects.create(
        quiz=quiz,
        trainee=trainee,
        extra_attempts=1,
        reason="Reading support",
        granted_by=world.registrar,
    )
    with pytest.raises(QuizProblem, match="you can try again") as waiting:
        services.attempt_start(trainee=trainee, quiz=quiz)
    assert waiting.value.code == "wait"
    time_machine.shift(datetime.timedelta(minutes=10))
    second = services.attempt_start(trainee=trainee, quiz=quiz)
    assert second.number == 2


def test_time_limit_counts_only_answers_saved_in_time(setup, world, time_machine):
    trainee, _course, _module, quiz = setup
    quiz.time_limit_minutes = 5
    quiz.save()
    Accommodation.objects.create(
        quiz=quiz,
        trainee=trainee,
        extra_time_minutes=5,
        reason="Extra time",
        granted_by=world.registrar,
    )
    time_machine.move_to(timezone.now(), tick=False)
    attempt = services.attempt_start(trainee=trainee, quiz=quiz)
    assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=10)
    answers = right_answers(attempt)
    first_two = dict(list(answers.items())[:2])
    services.answers_save(attempt=attempt, trainee=trainee, answers=first_two)
    time_machine.shift(datetime.timedelta(minutes=11))
    with pytest.raises(QuizProblem, match="Time is up") as late:
        services.answers_save(attempt=attempt, trainee=trainee, answers=answers)
    assert late.value.code == "time_up"
    assert services.attempt_expired(attempt)
    result = services.attempt_submit(attempt=attempt, trainee=trainee).attempt
    assert result.submitted_at is not None
    assert result.points_awarded == sum(
        row.points_possible for row in result.questions.filter(position__in=first_two)
    )


def test_editing_a_question_never_changes_an_asked_revision(setup):
    trainee, _course, _module, quiz = setup
    attempt = services.attempt_start(trainee=trainee, quiz=quiz)
    answers = right_answers(attempt)
    single = attempt.questions.get(kind="single")
    question = single.question
    # The editor makes another choice the correct one and saves a new revision.
    question.choices.update(is_correct=False)
    Choice.objects.filter(question=question, text="Wrong answer").update(is_correct=True)
    question.refresh_from_db()
    question.save_revision()
    services.answers_save(attempt=attempt, trainee=trainee, answers=answers)
    result = services.attempt_submit(attempt=attempt, trainee=trainee).attempt
    assert result.passed
    assert result.questions.get(kind="single").revision_id != question.latest_revision_id


def test_saving_and_submitting_50_questions_is_bounded(world, django_assert_max_num_queries):
    course = make_course(modules=1, reflection=False)
    module = course.modules().get()
    quiz = make_quiz(module, kinds=())
    for order in range(50):
        QuizQuestion.objects.create(
            quiz=quiz,
            question=make_question(["single", "multiple", "true_false", "matching"][order % 4]),
            sort_order=order,
        )
    course_services.enrollment_create(trainee=world.trainee, course=course)
    attempt = services.attempt_start(trainee=world.trainee, quiz=quiz)
    answers = right_answers(attempt)
    with django_assert_max_num_queries(6):
        services.answers_save(attempt=attempt, trainee=world.trainee, answers=answers)
    with django_assert_max_num_queries(25):
        outcome = services.attempt_submit(attempt=attempt, trainee=world.trainee)
    assert outcome.attempt.percent == 100
