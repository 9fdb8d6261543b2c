"""Two requests at the same moment: two tabs starting an attempt, a double-clicked submit.
Real threads on real connections, so this runs on PostgreSQL (SQLite's test database is in
memory and shared by one connection)."""

import pytest
from django.db import connection

from assessments import services
from assessments.models import Attempt
from courses import services as course_services
from courses.models import TrainingHourCredit
from tests.concurrency import run_together
from tests.course_pages import make_course
from tests.factories import UserFactory
from tests.quiz_builders import make_quiz, right_answers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def enrolled():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that several connections share (PostgreSQL)")
    trainee = UserFactory()
    course = make_course(modules=1, reflection=False)
    module = course.modules().get()
    quiz = make_quiz(module, kinds=("single", "true_false"))
    course_services.enrollment_create(trainee=trainee, course=course)
    course_services.module_mark_done(trainee=trainee, module=module)
    return trainee, quiz


def test_two_tabs_starting_at_once_share_one_attempt(enrolled):
    trainee, quiz = enrolled
    results, errors = run_together(lambda: services.attempt_start(trainee=trainee, quiz=quiz).pk)
    assert not errors
    assert len(set(results)) == 1
    assert Attempt.objects.filter(quiz=quiz, trainee=trainee).count() == 1


def test_a_double_submit_grades_and_credits_once(enrolled):
    trainee, quiz = enrolled
    attempt = services.attempt_start(trainee=trainee, quiz=quiz)
    services.answers_save(attempt=attempt, trainee=trainee, answers=right_answers(attempt))
    results, errors = run_together(
        lambda: services.attempt_submit(attempt=attempt, trainee=trainee)
    )
    assert not errors
    assert sorted(outcome.already_submitted for outcome in results) == [False, True]
    assert TrainingHourCredit.objects.filter(trainee=trainee).count() == 1
