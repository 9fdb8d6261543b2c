import json

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Answer, Attempt
from courses import services as course_services
from tests.course_pages import make_course
from tests.quiz_builders import make_quiz, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_client(client, world):
    course = make_course(modules=1, reflection=False)
    module = course.modules().get()
    quiz = make_quiz(module, retry_after_minutes=0)
    course_services.enrollment_create(trainee=world.trainee, course=course)
    client.force_login(world.trainee)
    return client, quiz, module


def form_data(attempt, answers, action):
    data = {"action": action}
    for position, raw in answers.items():
        if raw.matches:
            for left, right in raw.matches:
                data[f"q{position}-{left}"] = str(right)
        else:
            data[f"q{position}"] = [str(pk) for pk in raw.choice_ids]
    return data


def test_module_page_offers_the_quiz(quiz_client):
    client, quiz, module = quiz_client
    page = client.get(module.url).content.decode()
    assert f"Quiz: {quiz.title}" in page
    assert reverse("quiz_detail", args=[quiz.pk]) in page


def test_attempt_form_has_native_controls_and_no_answer_key(quiz_client):
    client, quiz, _module = quiz_client
    response = client.post(reverse("quiz_detail", args=[quiz.pk]))
    attempt = Attempt.objects.get()
    assert response.url == reverse("attempt_take", args=[attempt.pk])
    page = client.get(response.url).content.decode()
    assert 'type="radio"' in page and 'type="checkbox"' in page and "<select" in page
    for secret in ("is_correct", "Not quite: look again.", "Because of the teaching", "correct"):
        assert secret not in page
    assert "no-store" in client.get(response.url)["Cache-Control"]


def test_no_javascript_save_then_submit_and_a_kind_fail(quiz_client):
    client, quiz, module = quiz_client
    client.post(reverse("quiz_detail", args=[quiz.pk]))
    attempt = Attempt.objects.get()
    url = reverse("attempt_take", args=[attempt.pk])
    response = client.post(url, form_data(attempt, wrong_answers(attempt), "save"), follow=True)
    assert "Your answers are saved." in response.content.decode()
    assert Answer.objects.count() == 4
    response = client.post(url, form_data(attempt, wrong_answers(attempt), "submit"), follow=True)
    page = response.content.decode()
    assert "You scored 0%. You need 80% to pass." in page
    assert "Not passing yet is part of learning." in page
    assert module.title in page
    assert "Try again" in page
    assert "Not quite: look again." in page  # feedback on the picked wrong choice


def test_submitting_twice_counts_once(quiz_client):
    client, quiz, _module = quiz_client
    client.post(reverse("quiz_detail", args=[quiz.pk]))
    attempt = Attempt.objects.get()
    url = reverse("attempt_take", args=[attempt.pk])
    data = form_data(attempt, right_answers(attempt), "submit")
    client.post(url, data)
    response = client.post(url, data, follow=True)
    assert "You passed with 100%." in response.content.decode()
    assert Attempt.objects.count() == 1
    assert Attempt.objects.get().passed


def test_autosave_saves_one_answer_and_refuses_foreign_choices(quiz_client):
    client, quiz, _module = quiz_client
    client.post(reverse("quiz_detail", args=[quiz.pk]))
    attempt = Attempt.objects.get()
    single = attempt.questions.get(kind="single")
    other = attempt.questions.get(kind="multiple")
    url = reverse("attempt_autosave", args=[attempt.pk])
    response = client.post(
        url, {"position": single.position, f"q{single.position}": single.choice_order[0]}
    )
    assert json.loads(response.content)["saved"] is True
    response = client.post(
        url, {"position": single.position, f"q{single.position}": other.choice_order[0]}
    )
    assert response.status_code == 400
    assert "not one of this question's choices" in json.loads(response.content)["message"]
    assert Answer.objects.get().choice_ids == [single.choice_order[0]]


def test_two_tabs_resume_the_same_attempt(quiz_client):
    client, quiz, _module = quiz_client
    first = client.post(reverse("quiz_detail", args=[quiz.pk])).url
    second = client.post(reverse("quiz_detail", args=[quiz.pk])).url
    assert first == second
    assert Attempt.objects.count() == 1


def test_review_policy_answers_shows_explanations(quiz_client, world):
    client, quiz, _module = quiz_client
    quiz.review = "answers"
    quiz.save()
    attempt = services.attempt_start(trainee=world.trainee, quiz=quiz)
    services.answers_save(attempt=attempt, trainee=world.trainee, answers=wrong_answers(attempt))
    services.attempt_submit(attempt=attempt, trainee=world.trainee)
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert "Because of the teaching." in page
    assert "a correct answer" in page
    quiz.review = "score"
    quiz.save()
    page = client.get(reverse("attempt_result", args=[attempt.pk])).content.decode()
    assert "Because of the teaching." not in page and "Your answers" not in page
