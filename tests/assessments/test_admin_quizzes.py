"""Quizzes in the Wagtail admin: who reaches the quiz reports and their CSV, what the CSV holds,
granting accommodations (reason required, logged, granted_by set), and questions as snippets that
keep a revision for every save."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry, Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from assessments.models import Accommodation, Question, Quiz
from cms.blocks import RICH_TEXT_FEATURES
from organizations.roles import EDITORS_GROUP, REGISTRARS_GROUP
from tests.course_pages import make_course
from tests.factories import UserFactory

from .test_reports_item_analysis import (
    choice_id,
    edit_choices,
    make_attempt,
    make_bank,
    make_question,
    make_quiz,
)

pytestmark = pytest.mark.django_db

# The permissions recommended for the staff groups (organizations/staff_groups.py).
EDITOR_CODENAMES = [
    f"{action}_{model}"
    for model in ("questionbank", "question", "quiz")
    for action in ("add", "change", "delete", "view")
]
REGISTRAR_CODENAMES = [
    "add_accommodation",
    "change_accommodation",
    "delete_accommodation",
    "view_accommodation",
    "view_quiz",
]

REPORTS_URL = "/admin/quiz-reports/"
QUESTIONS_URL = "/admin/snippets/assessments/question/"
ACCOMMODATIONS_URL = "/admin/quizzes/accommodations/"


def grant(group_name, codenames):
    permissions = Permission.objects.filter(
        content_type__app_label="assessments", codename__in=codenames
    )
    assert permissions.count() == len(codenames)
    Group.objects.get(name=group_name).permissions.add(*permissions)


@pytest.fixture
def staff(world):
    grant(EDITORS_GROUP, EDITOR_CODENAMES)
    grant(REGISTRARS_GROUP, REGISTRAR_CODENAMES)
    return world


@pytest.fixture
def quiz_with_attempts():
    """A module quiz with a choice question edited after it was asked (one choice dropped) and
    three submitted attempts: two passes and one fail."""
    question = make_question(
        "Is it OK to <b>lend money</b> to a peer?",
        choices=[("No, refer them on", True), ("=SUM(1+1) Yes", False), ("Café “maybe”", False)],
    )
    other = make_question("Who decides the goals of recovery?")
    quiz = make_quiz([question, other], title="Boundaries quiz")
    right, formula, cafe = (
        choice_id(question, text) for text in ("No, refer them on", "=SUM(1+1) Yes", "Café “maybe”")
    )
    other_right = [choice_id(other, "Right")]
    make_attempt(quiz, UserFactory(), [(question, [right]), (other, other_right)])
    make_attempt(quiz, UserFactory(), [(question, [cafe]), (other, other_right)])
    make_attempt(quiz, UserFactory(), [(question, [formula]), (other, None)])
    edit_choices(
        question,
        [
            ("No, refer them on", True, "No, refer them on"),
            ("=SUM(1+1) Yes", False, "=SUM(1+1) Yes"),
        ],
    )
    return quiz, question, other


# --------------------------------------------------------------------------------------------
# Who reaches the reports
# --------------------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, quiz_with_attempts):
    quiz, _question, _other = quiz_with_attempts
    for url in (REPORTS_URL, f"{REPORTS_URL}{quiz.pk}/", f"{REPORTS_URL}{quiz.pk}/csv/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["trainee", "supervisor", "org_admin"])
def test_people_without_admin_access_get_no_report(client, staff, quiz_with_attempts, who):
    quiz, _question, _other = quiz_with_attempts
    client.force_login(getattr(staff, who))
    for url in (REPORTS_URL, f"{REPORTS_URL}{quiz.pk}/", f"{REPORTS_URL}{quiz.pk}/csv/"):
        response = client.get(url)
        assert response.status_code == 302
        assert not response.get("Content-Disposition")


def test_staff_without_the_quiz_permission_get_wagtails_permission_denied(
    client, quiz_with_attempts
):
    quiz, _question, _other = quiz_with_attempts
    helpdesk = Group.objects.create(name="Helpdesk")
    helpdesk.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    staff_member = UserFactory()
    staff_member.groups.add(helpdesk)
    client.force_login(staff_member)
    for url in (REPORTS_URL, f"{REPORTS_URL}{quiz.pk}/", f"{REPORTS_URL}{quiz.pk}/csv/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    response = client.get(reverse("wagtailadmin_home"))
    assert "Sorry, you do not have permission to access this area." in response.content.decode()
    assert "quiz-reports" not in response.content.decode()


@pytest.mark.parametrize("who", ["editor", "registrar"])
def test_staff_with_the_quiz_permission_read_reports(client, staff, quiz_with_attempts, who):
    quiz, _question, _other = quiz_with_attempts
    client.force_login(getattr(staff, who))

    index = client.get(REPORTS_URL)
    assert index.status_code == 200
    assert "Boundaries quiz" in index.content.decode()
    assert client.get(f"{REPORTS_URL}{quiz.pk}/").status_code == 200
    assert client.get(f"{REPORTS_URL}{quiz.pk}/csv/").status_code == 200
    # The "Quizzes" menu offers the reports.
    assert "quiz-reports" in client.get(reverse("wagtailadmin_home")).content.decode()


def test_superusers_read_reports(client, quiz_with_attempts):
    quiz, _question, _other = quiz_with_attempts
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(f"{REPORTS_URL}{quiz.pk}/").status_code == 200


def test_an_unknown_quiz_is_not_found(client, staff):
    client.force_login(staff.editor)
    assert client.get(f"{REPORTS_URL}999999/").status_code == 404
    assert client.get(f"{REPORTS_URL}999999/csv/").status_code == 404


# --------------------------------------------------------------------------------------------
# What the pages and the CSV show
# --------------------------------------------------------------------------------------------


def test_index_lists_each_quiz_with_its_place_attempts_and_pass_rate(
    client, staff, quiz_with_attempts
):
    client.force_login(staff.editor)
    response = client.get(REPORTS_URL)
    row = response.context["rows"][0]
    assert row["quiz"] == quiz_with_attempts[0]
    assert row["place"] == "Ethics Course › Module 1"
    assert (row["submitted"], row["pass_rate"]) == (3, "67%")


def test_report_page_shows_questions_choices_and_removed_choices(client, staff, quiz_with_attempts):
    quiz, question, other = quiz_with_attempts
    client.force_login(staff.editor)
    response = client.get(f"{REPORTS_URL}{quiz.pk}/")
    html = response.content.decode()
    assert response.context["report"].submitted == 3
    assert "Is it OK to lend money to a peer?" in html
    assert "No, refer them on" in html
    assert "(choice since removed)" in html
    assert f"{REPORTS_URL}{quiz.pk}/csv/" in html
    facility = {row["figures"].question_id: row["facility"] for row in response.context["rows"]}
    assert facility == {question.pk: "33%", other.pk: "67%"}


def test_csv_has_one_row_per_question_and_choice(client, staff, quiz_with_attempts):
    quiz, question, other = quiz_with_attempts
    client.force_login(staff.editor)

    response = client.get(f"{REPORTS_URL}{quiz.pk}/csv/")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="quiz-{quiz.pk}-boundaries-quiz.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    header, *body = rows
    assert header == [
        "row",
        "position",
        "question id",
        "question",
        "type",
        "removed from quiz",
        "times asked",
        "facility",
        "discrimination",
        "matching pairs correct",
        "choice id",
        "choice",
        "correct choice",
        "times picked",
        "picked share",
    ]
    assert [(row[0], row[2], row[11]) for row in body] == [
        ("question", str(question.pk), ""),
        ("choice", str(question.pk), "No, refer them on"),
        # A choice text starting with "=" is never a spreadsheet formula.
        ("choice", str(question.pk), "'=SUM(1+1) Yes"),
        ("choice", str(question.pk), "(choice since removed)"),
        ("question", str(other.pk), ""),
        ("choice", str(other.pk), "Right"),
        ("choice", str(other.pk), "Wrong"),
    ]
    first = body[0]
    assert first[1:9] == [
        "1",
        str(question.pk),
        "Is it OK to lend money to a peer?",
        "Single choice",
        "no",
        "3",
        "0.3333",
        # Right here: the 100% attempt; wrong here: the 50% and 0% attempts (√3/2).
        "0.8660",
    ]
    removed_choice = body[3]
    assert removed_choice[12:] == ["", "1", "0.3333"]
    right_choice = body[1]
    assert right_choice[12:] == ["yes", "1", "0.3333"]


def test_csv_is_utf8(client, staff):
    question = make_question("Qué hacés → ¿bien?", choices=[("Sí", True), ("No", False)])
    quiz = make_quiz([question], title="Quiz en español")
    make_attempt(quiz, UserFactory(), [(question, [choice_id(question, "Sí")])])
    client.force_login(staff.editor)

    content = client.get(f"{REPORTS_URL}{quiz.pk}/csv/").content

    text = content.decode("utf-8")
    assert "Qué hacés → ¿bien?" in text
    assert "Sí" in text


# --------------------------------------------------------------------------------------------
# Accommodations
# --------------------------------------------------------------------------------------------


def accommodation_form(quiz, trainee, **overrides):
    data = {
        "quiz": quiz.pk,
        "trainee": trainee.pk,
        "extra_attempts": "1",
        "extra_time_minutes": "30",
        "reason": "Approved accommodation request from March.",
    }
    data.update(overrides)
    return data


def test_registrar_grants_an_accommodation_which_is_logged_with_its_reason(client, staff):
    quiz = make_quiz([make_question("Any")])
    client.force_login(staff.registrar)

    form = client.get(f"{ACCOMMODATIONS_URL}new/")
    assert form.status_code == 200
    assert f"{staff.trainee.legal_name} ({staff.trainee.email})" in form.content.decode()

    response = client.post(f"{ACCOMMODATIONS_URL}new/", accommodation_form(quiz, staff.trainee))

    assert response.status_code == 302
    accommodation = Accommodation.objects.get(quiz=quiz, trainee=staff.trainee)
    assert (accommodation.extra_attempts, accommodation.extra_time_minutes) == (1, 30)
    assert accommodation.granted_by == staff.registrar
    entry = ModelLogEntry.objects.get(action="alongside.quiz.accommodation")
    assert entry.user == staff.registrar
    assert entry.object_id == str(accommodation.pk)
    assert entry.data == {
        "trainee": staff.trainee.email,
        "extra_attempts": 1,
        "extra_time_minutes": 30,
        "reason": "Approved accommodation request from March.",
    }


def test_editing_an_accommodation_logs_the_change_and_who_made_it(client, staff):
    quiz = make_quiz([make_question("Any")])
    accommodation = Accommodation.objects.create(
        quiz=quiz,
        trainee=staff.trainee,
        extra_attempts=1,
        reason="First request.",
        granted_by=staff.registrar,
    )
    other_registrar = UserFactory()
    other_registrar.groups.add(Group.objects.get(name=REGISTRARS_GROUP))
    client.force_login(other_registrar)

    response = client.post(
        f"{ACCOMMODATIONS_URL}edit/{accommodation.pk}/",
        accommodation_form(
            quiz, staff.trainee, extra_attempts="0", extra_time_minutes="45", reason="Extended."
        ),
    )

    assert response.status_code == 302
    accommodation.refresh_from_db()
    assert (accommodation.extra_attempts, accommodation.extra_time_minutes) == (0, 45)
    assert accommodation.granted_by == other_registrar
    entry = ModelLogEntry.objects.get(action="alongside.quiz.accommodation")
    assert entry.user == other_registrar
    assert entry.data["reason"] == "Extended."
    assert entry.data["extra_time_minutes"] == 45
    history = client.get(f"{ACCOMMODATIONS_URL}history/{accommodation.pk}/")
    assert "Accommodation granted" in history.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({"reason": "   "}, "reason", "This field is required."),
        (
            {"extra_attempts": "0", "extra_time_minutes": "0"},
            None,
            "Give at least one extra attempt or some extra time, or both.",
        ),
    ],
    ids=["no-reason", "blank-reason", "nothing-granted"],
)
def test_accommodation_needs_a_reason_and_something_granted(
    client, staff, overrides, field, message
):
    quiz = make_quiz([make_question("Any")])
    client.force_login(staff.registrar)

    response = client.post(
        f"{ACCOMMODATIONS_URL}new/", accommodation_form(quiz, staff.trainee, **overrides)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in errors[field or "__all__"]
    assert not Accommodation.objects.exists()
    assert not ModelLogEntry.objects.filter(action="alongside.quiz.accommodation").exists()


def test_one_accommodation_per_trainee_and_quiz(client, staff):
    quiz = make_quiz([make_question("Any")])
    Accommodation.objects.create(
        quiz=quiz, trainee=staff.trainee, extra_attempts=1, reason="First request."
    )
    client.force_login(staff.registrar)

    response = client.post(f"{ACCOMMODATIONS_URL}new/", accommodation_form(quiz, staff.trainee))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Accommodation.objects.count() == 1


def test_editors_do_not_grant_accommodations(client, staff):
    client.force_login(staff.editor)
    response = client.get(f"{ACCOMMODATIONS_URL}new/")
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")


# --------------------------------------------------------------------------------------------
# Questions as snippets with revisions
# --------------------------------------------------------------------------------------------


def question_form(bank, prompt, choices, **overrides):
    data = {
        "bank": bank.pk,
        "kind": "single",
        "prompt": rich_text(f"<p>{prompt}</p>", features=RICH_TEXT_FEATURES),
        "explanation": rich_text("", features=RICH_TEXT_FEATURES),
        "points": "1",
        "domain": "",
        "choices": inline_formset(choices, initial=sum(1 for c in choices if "id" in c)),
        "pairs": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def test_editor_creates_and_edits_a_question_each_save_a_revision(client, staff):
    bank = make_bank()
    client.force_login(staff.editor)

    response = client.post(
        f"{QUESTIONS_URL}add/",
        question_form(
            bank,
            "What is a boundary?",
            [
                {
                    "text": "A limit that keeps a relationship safe",
                    "is_correct": "on",
                    "feedback": "",
                },
                {"text": "A rule against friendship", "feedback": ""},
            ],
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    question = Question.objects.get()
    assert question.latest_revision is not None
    assert Revision.objects.for_instance(question).count() == 1

    choices = list(question.choices.all())
    response = client.post(
        f"{QUESTIONS_URL}edit/{question.pk}/",
        question_form(
            bank,
            "What is a healthy boundary?",
            [
                {"id": choices[0].pk, "text": choices[0].text, "is_correct": "on", "feedback": ""},
                {"id": choices[1].pk, "text": "A wall", "feedback": ""},
            ],
        ),
    )

    assert response.status_code == 302, response.context["form"].errors
    question.refresh_from_db()
    revisions = Revision.objects.for_instance(question).order_by("pk")
    assert revisions.count() == 2
    assert question.latest_revision == revisions.last()
    assert "What is a boundary?" in revisions.first().content["prompt"]
    assert "What is a healthy boundary?" in question.prompt
    assert [c["text"] for c in question.latest_revision.content["choices"]] == [
        "A limit that keeps a relationship safe",
        "A wall",
    ]
    history = client.get(f"{QUESTIONS_URL}history/{question.pk}/")
    assert history.status_code == 200


def test_question_model_rules_are_checked_in_the_admin(client, staff):
    client.force_login(staff.editor)
    response = client.post(
        f"{QUESTIONS_URL}add/",
        question_form(
            make_bank(),
            "Two right answers?",
            [{"text": "A", "is_correct": "on"}, {"text": "B", "is_correct": "on"}],
        ),
    )
    assert response.status_code == 200
    assert not Question.objects.exists()
    assert "exactly one correct choice" in response.content.decode()


def test_question_listing_filters_by_kind_and_searches_the_prompt(client, staff):
    make_question("Boundaries with family")
    make_question("Signs of burnout", kind="multiple", choices=[("Tired", True), ("Rested", False)])
    client.force_login(staff.editor)

    listing = client.get(QUESTIONS_URL).content.decode()
    assert "Boundaries with family" in listing and "Signs of burnout" in listing

    by_kind = client.get(QUESTIONS_URL, {"kind": "multiple"}).content.decode()
    assert "Signs of burnout" in by_kind and "Boundaries with family" not in by_kind

    searched = client.get(QUESTIONS_URL, {"q": "family"}).content.decode()
    assert "Boundaries with family" in searched and "Signs of burnout" not in searched


def test_a_question_asked_in_an_attempt_is_not_deleted(client, staff):
    question = make_question("Asked once, since removed from its quiz")
    quiz = make_quiz([make_question("Still in the quiz")])
    make_attempt(quiz, UserFactory(), [(question, [choice_id(question, "Right")])])
    client.force_login(staff.editor)

    response = client.post(f"{QUESTIONS_URL}delete/{question.pk}/", follow=True)

    assert response.status_code == 200
    assert Question.objects.filter(pk=question.pk).exists()
    assert "cannot be deleted" in response.content.decode()


def test_quiz_log_actions_are_registered_once():
    actions = [action for action, _label in log_registry.get_choices()]
    for action in ("alongside.quiz.start", "alongside.quiz.submit", "alongside.quiz.accommodation"):
        assert actions.count(action) == 1


def test_deleting_the_only_right_choice_is_refused_on_edit(client, staff):
    question = make_question("Which is right?")
    right, wrong = question.choices.get(text="Right"), question.choices.get(text="Wrong")
    client.force_login(staff.editor)

    response = client.post(
        f"{QUESTIONS_URL}edit/{question.pk}/",
        question_form(
            question.bank,
            "Which is right?",
            [
                {"id": right.pk, "text": "Right", "is_correct": "on", "DELETE": "on"},
                {"id": wrong.pk, "text": "Wrong"},
            ],
        ),
    )

    assert response.status_code == 200
    assert "exactly one correct choice" in response.content.decode()
    assert question.choices.count() == 2
    assert Revision.objects.for_instance(question).count() == 1


def quiz_form(module, questions, **overrides):
    data = {
        "title": "Module check",
        "module": module.pk,
        "course": "",
        "pass_mark": "80",
        "max_attempts": "",
        "retry_after_minutes": "0",
        "time_limit_minutes": "",
        "draw": "",
        "review": "mistakes",
        "quiz_questions": inline_formset([{"question": question.pk} for question in questions]),
    }
    data.update(overrides)
    return nested_form_data(data)


def test_editor_builds_a_quiz_from_questions(client, staff):
    module = make_course("admin-course", modules=1).get_children().specific().first()
    first, second = make_question("First"), make_question("Second")
    client.force_login(staff.editor)

    too_many = client.post(
        "/admin/snippets/assessments/quiz/add/", quiz_form(module, [first, second], draw="3")
    )
    assert too_many.status_code == 200
    assert "draws 3 questions but has only 2" in too_many.content.decode()

    response = client.post(
        "/admin/snippets/assessments/quiz/add/", quiz_form(module, [first, second], draw="1")
    )
    assert response.status_code == 302
    quiz = Quiz.objects.get(module=module)
    assert [qq.question_id for qq in quiz.quiz_questions.order_by("sort_order")] == [
        first.pk,
        second.pk,
    ]


def test_report_page_shows_matching_pairs(client, staff):
    question = make_question(
        "Match each role", kind="matching", pairs=[("Peer", "Lived experience"), ("Nurse", "Care")]
    )
    quiz = make_quiz([question])
    peer, nurse = (question.pairs.get(left=left).pk for left in ("Peer", "Nurse"))
    make_attempt(quiz, UserFactory(), [(question, {peer: peer, nurse: peer})])
    client.force_login(staff.editor)

    response = client.get(f"{REPORTS_URL}{quiz.pk}/")

    html = response.content.decode()
    assert "Matching pairs correct" in html
    assert "50% (1/2)" in html
    rows = list(
        csv.reader(io.StringIO(client.get(f"{REPORTS_URL}{quiz.pk}/csv/").content.decode()))
    )
    assert rows[1][9] == "0.5000"


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("editor", QUESTIONS_URL),
        ("editor", "/admin/snippets/assessments/questionbank/"),
        ("editor", "/admin/snippets/assessments/quiz/"),
        ("registrar", "/admin/snippets/assessments/quiz/"),
        ("registrar", ACCOMMODATIONS_URL),
    ],
)
def test_listings_open_for_the_staff_who_use_them(client, staff, who, url):
    quiz = make_quiz([make_question("Listed")])
    Accommodation.objects.create(
        quiz=quiz, trainee=staff.trainee, extra_time_minutes=15, reason="Approved."
    )
    client.force_login(getattr(staff, who))
    response = client.get(url)
    assert response.status_code == 200
    if url == ACCOMMODATIONS_URL:
        assert staff.trainee.email in response.content.decode()


@pytest.mark.parametrize(
    "url", [QUESTIONS_URL, "/admin/snippets/assessments/questionbank/", ACCOMMODATIONS_URL]
)
def test_registrars_do_not_edit_questions_and_editors_do_not_see_accommodations(client, staff, url):
    who = staff.editor if url == ACCOMMODATIONS_URL else staff.registrar
    client.force_login(who)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
