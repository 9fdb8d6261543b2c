"""Quizzes in course packages: stored in the quiz engine on import, written back on export.

Questions are matched by position; a changed question is edited in place with a new revision,
so past attempts keep the revision they were asked; an unchanged quiz writes nothing; export
then import changes nothing."""

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import Revision

from assessments.keys import questions_as_asked
from assessments.models import (
    Attempt,
    AttemptQuestion,
    Choice,
    MatchPair,
    Question,
    QuestionBank,
    Quiz,
    QuizQuestion,
)
from cms.demo import ensure_site
from courses.models import CoursePage, ModulePage
from courses.packages import PackageError, dump_package, export_course, import_packages
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(settings.BASE_DIR) / "content" / "courses" / "professional-boundaries.json"

# A quiz of every kind with every setting away from its default, written the way export
# writes it (keys in schema order, defaults left out), so its export must equal it exactly.
FULL_QUIZ = {
    "title": "Check your understanding",
    "pass_mark": 75,
    "max_attempts": 3,
    "retry_after_minutes": 30,
    "time_limit_minutes": 20,
    "shuffle_questions": True,
    "shuffle_choices": True,
    "draw": 4,
    "partial_credit": True,
    "review": "answers",
    "questions": [
        {
            "type": "single",
            "prompt": "Which response keeps the **boundary**?",
            "domain": "ethical-responsibility",
            "points": 2,
            "explanation": "Declining kindly *and* offering help keeps both.",
            "choices": [
                {
                    "text": "Lend it once, since you trust them",
                    "correct": False,
                    "feedback": "Lending money changes the relationship.",
                },
                {"text": "Decline kindly and look for resources together", "correct": True},
            ],
        },
        {
            "type": "multiple",
            "prompt": "Which of these are early signs of burnout? Choose all that apply.",
            "domain": "self-care",
            "choices": [
                {"text": "Dreading each shift", "correct": True, "feedback": "Yes."},
                {"text": "Sleeping well", "correct": False},
                {"text": "Snapping at people you support", "correct": True},
            ],
        },
        {
            "type": "true_false",
            "prompt": "Sharing your own recovery story is always a boundary violation.",
            "explanation": "Purposeful self-disclosure is a core peer skill.",
            "answer": False,
        },
        {
            "type": "true_false",
            "prompt": "A boundary protects both people in the relationship.",
            "answer": True,
        },
        {
            "type": "matching",
            "prompt": "Match each term to what it means.",
            "points": 3,
            "pairs": [
                {"left": "Crossing", "right": "A rare, open step outside the usual role"},
                {"left": "Violation", "right": "Harm to, or use of, the person served"},
                {"left": "Dual relationship", "right": "A second role with the same person"},
            ],
        },
    ],
}
FINAL_QUIZ = {
    "title": "Final quiz",
    "pass_mark": 80,
    "questions": [
        {
            "type": "single",
            "prompt": "Whose job is it to keep the boundary?",
            "choices": [
                {"text": "The peer worker's", "correct": True},
                {"text": "The person served", "correct": False},
            ],
        },
        {
            "type": "matching",
            "prompt": "Match each situation to a response.",
            "pairs": [
                {"left": "A gift of cash", "right": "Decline and explain"},
                {"left": "A hand-made card", "right": "Accept and tell your supervisor"},
            ],
        },
    ],
}
DOMAINS = [
    {"code": "ethical-responsibility", "name": "Ethical Responsibility"},
    {"code": "self-care", "name": "Self-care"},
]


def example(**changes) -> dict:
    doc = json.loads((FIXTURES / "example-course.json").read_text(encoding="utf-8"))
    doc.update(copy.deepcopy(changes))
    return doc


def full_example() -> dict:
    doc = example(domains=DOMAINS, final_quiz=FINAL_QUIZ)
    doc["modules"][0]["quiz"] = copy.deepcopy(FULL_QUIZ)
    return doc


def run(*docs: dict, dry_run: bool = False):
    return import_packages(
        [(f"{doc['slug']}.json", json.dumps(doc).encode()) for doc in docs], dry_run=dry_run
    )


def quiz_of(slug: str) -> Quiz:
    return Quiz.objects.get(module=ModulePage.objects.get(slug=slug))


def questions_of(quiz: Quiz) -> list[Question]:
    return [row.question for row in quiz.quiz_questions.order_by("sort_order")]


def snapshot() -> dict:
    """Every row the quiz import might write, and every revision, to prove it wrote nothing."""
    return {
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", flat=True)),
        "banks": list(QuestionBank.objects.values_list("pk", "name")),
        "quizzes": list(Quiz.objects.order_by("pk").values()),
        "rows": list(QuizQuestion.objects.order_by("pk").values()),
        "questions": list(Question.objects.order_by("pk").values()),
        "choices": list(Choice.objects.order_by("pk").values()),
        "pairs": list(MatchPair.objects.order_by("pk").values()),
    }


def attempt_on(quiz: Quiz) -> Attempt:
    """A trainee's submitted attempt that asked the quiz's first question as it is now."""
    question = questions_of(quiz)[0]
    attempt = Attempt.objects.create(
        quiz=quiz,
        trainee=UserFactory(),
        number=1,
        started_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    AttemptQuestion.objects.create(
        attempt=attempt,
        position=0,
        question=question,
        revision=question.latest_revision,
        kind=question.kind,
        choice_order=[choice.pk for choice in question.choices.all()],
    )
    return attempt


@pytest.fixture
def home():
    return ensure_site(lambda message: None)


def test_the_shipped_course_stores_a_quiz_per_module(home):
    report = import_packages([(SHIPPED.name, SHIPPED.read_bytes())])
    assert report.lines() == [
        "created the course catalog at /courses/",
        "created: professional-boundaries",
    ]
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    course = CoursePage.objects.get(slug="professional-boundaries")
    modules = list(course.modules())
    quizzes = [Quiz.objects.get(module=module) for module in modules]
    assert len(quizzes) == 5 and Quiz.objects.count() == 5
    assert not Quiz.objects.filter(course=course).exists()  # the file has no final quiz
    bank = QuestionBank.objects.get()
    assert bank.name == course.title
    for quiz, spec in zip(quizzes, shipped["modules"], strict=True):
        assert (quiz.title, quiz.pass_mark, quiz.review) == (spec["quiz"]["title"], 80, "answers")
        assert (quiz.max_attempts, quiz.retry_after_minutes, quiz.time_limit_minutes) == (
            None,
            5,
            None,
        )
        assert (quiz.shuffle_questions, quiz.shuffle_choices, quiz.draw) == (False, True, None)
        assert not quiz.partial_credit
        questions = questions_of(quiz)
        assert len(questions) == 6
        for question, wanted in zip(questions, spec["quiz"]["questions"], strict=True):
            assert question.bank_id == bank.pk and question.kind == wanted["type"]
            assert question.domain.code == wanted["domain"]
            assert question.latest_revision is not None  # every new question has a revision
            choices = [(c.text, c.is_correct, c.feedback) for c in question.choices.all()]
            if wanted["type"] == "true_false":
                assert choices == [
                    ("True", wanted["answer"], ""),
                    ("False", not wanted["answer"], ""),
                ]
            elif wanted["type"] == "matching":
                pairs = [(p.left, p.right) for p in question.pairs.all()]
                assert pairs == [(p["left"], p["right"]) for p in wanted["pairs"]]
            else:  # choices keep their feedback
                assert choices == [
                    (c["text"], c["correct"], c.get("feedback", "")) for c in wanted["choices"]
                ]
    assert Choice.objects.exclude(feedback="").count() == 84
    first = questions_of(quizzes[0])[0]
    assert first.prompt == (
        "<p>Which of these is the best example of a <b>boundary violation</b>?</p>"
    )


def test_importing_the_same_quizzes_again_writes_nothing(home):
    files = [(SHIPPED.name, SHIPPED.read_bytes())]
    import_packages(files)
    run(full_example())
    revisions = Revision.objects.count()
    latest = dict(Question.objects.values_list("pk", "latest_revision_id"))
    before = snapshot()
    report = import_packages([*files, ("b.json", json.dumps(full_example()).encode())])
    assert [course.status for course in report.courses] == ["unchanged", "unchanged"]
    assert report.lines() == ["unchanged: professional-boundaries", "unchanged: boundaries-basics"]
    assert Revision.objects.count() == revisions
    assert dict(Question.objects.values_list("pk", "latest_revision_id")) == latest
    assert snapshot() == before


def test_every_kind_and_setting_is_stored(home):
    run(full_example())
    quiz = quiz_of("what-is-a-boundary")
    settings_ = {name: getattr(quiz, name) for name in FULL_QUIZ if name != "questions"}
    assert settings_ == {name: value for name, value in FULL_QUIZ.items() if name != "questions"}
    single, multiple, false, true, matching = questions_of(quiz)
    assert (single.kind, single.points, single.domain.code) == (
        "single",
        2,
        "ethical-responsibility",
    )
    assert single.prompt == "<p>Which response keeps the <b>boundary</b>?</p>"
    assert single.explanation == "<p>Declining kindly <i>and</i> offering help keeps both.</p>"
    assert (multiple.points, multiple.domain.code, multiple.explanation) == (1, "self-care", "")
    assert [c.is_correct for c in multiple.choices.all()] == [True, False, True]
    assert [(c.text, c.is_correct) for c in false.choices.all()] == [
        ("True", False),
        ("False", True),
    ]
    assert [(c.text, c.is_correct) for c in true.choices.all()] == [
        ("True", True),
        ("False", False),
    ]
    assert true.domain is None
    assert (matching.kind, matching.points, matching.pairs.count()) == ("matching", 3, 3)
    assert not matching.choices.exists()
    final = Quiz.objects.get(course=CoursePage.objects.get())
    assert (final.title, final.pass_mark, final.review, final.max_attempts) == (
        "Final quiz",
        80,
        "mistakes",
        None,
    )
    assert (final.retry_after_minutes, final.draw, final.partial_credit) == (0, None, False)
    assert [q.kind for q in questions_of(final)] == ["single", "matching"]
    # A revision holds the choices with the ids the trainees' answers use.
    content = single.latest_revision.content
    assert [c["pk"] for c in content["choices"]] == [c.pk for c in single.choices.all()]


def test_export_writes_quizzes_in_the_schema_shape_and_reimporting_changes_nothing(home):
    run(full_example())
    exported = export_course(CoursePage.objects.get())
    assert exported["modules"][0]["quiz"] == FULL_QUIZ
    assert list(exported["modules"][0]["quiz"]) == list(FULL_QUIZ)
    assert [list(q) for q in exported["modules"][0]["quiz"]["questions"]] == [
        list(q) for q in FULL_QUIZ["questions"]
    ]
    assert exported["final_quiz"] == FINAL_QUIZ
    assert list(exported)[-2:] == ["modules", "final_quiz"]
    assert list(exported["modules"][0])[-1] == "quiz"
    assert exported["domains"] == DOMAINS  # self-care is used by a question only
    before = snapshot()
    report = import_packages([("export.json", dump_package(exported).encode())])
    assert report.courses[0].status == "unchanged"
    assert snapshot() == before
    assert export_course(CoursePage.objects.get()) == exported


def test_export_declares_a_domain_only_a_question_uses(home):
    doc = example(domains=DOMAINS)
    doc["modules"][0]["quiz"]["questions"][1]["domain"] = "self-care"
    run(doc)
    exported = export_course(CoursePage.objects.get())
    assert exported["domains"] == DOMAINS
    assert [h["domain"] for h in exported["contact_hours"]] == ["ethical-responsibility"]


def test_a_changed_question_gets_a_new_revision_and_past_attempts_keep_theirs(home):
    doc = full_example()
    run(doc)
    quiz = quiz_of("what-is-a-boundary")
    attempt = attempt_on(quiz)
    asked = attempt.questions.get()
    old_choice_ids = [c.pk for c in asked.question.choices.all()]
    latest = dict(Question.objects.values_list("pk", "latest_revision_id"))
    revisions = Revision.objects.count()

    question = doc["modules"][0]["quiz"]["questions"][0]
    question["prompt"] = "Which response **keeps** the boundary best?"
    question["choices"][0]["feedback"] = "Money changes the relationship."
    report = run(doc)

    assert report.courses[0].status == "updated"
    assert Revision.objects.count() == revisions + 1  # the question only: no page revisions
    first = questions_of(quiz)[0]
    assert first.pk == asked.question_id  # edited in place, matched by position
    assert first.latest_revision_id != latest[first.pk]
    assert first.prompt == "<p>Which response <b>keeps</b> the boundary best?</p>"
    assert first.choices.first().feedback == "Money changes the relationship."
    others = {pk: rev for pk, rev in latest.items() if pk != first.pk}
    assert {
        pk: latest_id
        for pk, latest_id in Question.objects.values_list("pk", "latest_revision_id")
        if pk != first.pk
    } == others
    # The attempt still points at the revision it asked, with the choices it showed.
    asked.refresh_from_db()
    assert asked.revision_id == latest[first.pk]
    as_asked = questions_as_asked([asked.revision_id])[asked.revision_id]
    assert as_asked.prompt == "<p>Which response keeps the <b>boundary</b>?</p>"
    assert [c.pk for c in as_asked.choices.all()] == old_choice_ids
    assert as_asked.choices.all()[0].feedback == "Lending money changes the relationship."


def test_a_settings_only_change_updates_the_course_without_question_revisions(home):
    doc = full_example()
    run(doc)
    revisions = Revision.objects.count()
    doc["modules"][0]["quiz"]["pass_mark"] = 90
    del doc["modules"][0]["quiz"]["review"]
    report = run(doc)
    assert report.courses[0].status == "updated"
    assert report.changes() == ["updated: boundaries-basics"]
    assert Revision.objects.count() == revisions
    quiz = quiz_of("what-is-a-boundary")
    assert (quiz.pass_mark, quiz.review) == (90, "mistakes")


def test_questions_are_matched_by_position(home):
    doc = full_example()
    run(doc)
    quiz = quiz_of("what-is-a-boundary")
    before = questions_of(quiz)
    revisions = Revision.objects.count()

    questions = doc["modules"][0]["quiz"]["questions"]
    doc["modules"][0]["quiz"]["draw"] = 2
    del questions[3:]  # the last true/false and the matching question leave the quiz
    questions.append(
        {
            "type": "true_false",
            "prompt": "Supervision is a place to talk about gifts.",
            "answer": True,
        }
    )
    report = run(doc)

    assert report.courses[0].status == "updated"
    assert report.courses[0].notices == [
        "modules[0].quiz.questions: 1 question(s) no longer in the file were taken out of the "
        "quiz (kept in the question bank for past attempts)"
    ]
    after = questions_of(quiz)
    assert [q.pk for q in after[:3]] == [q.pk for q in before[:3]]
    # Position 3 was a true/false question and still is one, with a new prompt: edited in place.
    assert after[3].pk == before[3].pk
    assert after[3].prompt == "<p>Supervision is a place to talk about gifts.</p>"
    assert Question.objects.filter(pk=before[4].pk).exists()  # kept for past attempts
    assert QuizQuestion.objects.filter(quiz=quiz).count() == 4
    assert Revision.objects.count() == revisions + 1

    questions.append(FULL_QUIZ["questions"][4])  # a new question at the end is a new question
    run(doc)
    after = questions_of(quiz)
    assert len(after) == 5 and after[4].pk not in {q.pk for q in before}
    assert after[4].latest_revision is not None
    assert after[4].bank.name == "Boundaries Basics"


def test_a_quiz_removed_from_the_file_is_deleted(home):
    doc = full_example()
    run(doc)
    questions = Question.objects.count()
    del doc["modules"][0]["quiz"]
    del doc["final_quiz"]
    report = run(doc)
    assert report.courses[0].status == "updated"
    assert report.courses[0].notices == [
        "modules[0].quiz: no longer in the file, so the quiz was deleted",
        "final_quiz: no longer in the file, so the quiz was deleted",
    ]
    assert not Quiz.objects.exists() and not QuizQuestion.objects.exists()
    assert Question.objects.count() == questions  # the bank keeps its questions
    assert run(doc).courses[0].status == "unchanged"


def test_a_quiz_with_attempts_is_kept_when_removed_from_the_file(home):
    doc = full_example()
    run(doc)
    quiz = quiz_of("what-is-a-boundary")
    attempt_on(quiz)
    del doc["modules"][0]["quiz"]
    before = snapshot()
    report = run(doc)
    assert report.courses[0].status == "unchanged"
    assert report.courses[0].notices == ["modules[0].quiz: kept, because trainees have attempts"]
    assert snapshot() == before
    assert Quiz.objects.filter(pk=quiz.pk, module__slug="what-is-a-boundary").exists()


def test_the_question_bank_follows_the_course_title(home):
    doc = full_example()
    run(doc)
    bank = QuestionBank.objects.get()
    assert bank.name == "Boundaries Basics"
    doc["title"] = "Boundaries, the basics"
    run(doc)
    bank.refresh_from_db()
    assert bank.name == "Boundaries, the basics"
    assert QuestionBank.objects.count() == 1
    assert set(Question.objects.values_list("bank", flat=True)) == {bank.pk}


def test_a_question_edited_in_the_admin_is_compared_by_meaning(home):
    doc = full_example()
    run(doc)
    question = questions_of(quiz_of("what-is-a-boundary"))[0]
    question.prompt = question.prompt.replace("<p>", '<p data-block-key="k1">')
    question.save()
    question.save_revision()
    true_false = questions_of(quiz_of("what-is-a-boundary"))[2]
    true_false.choices.filter(text="True").update(feedback="Not always: it can be a core skill.")
    before = snapshot()
    assert run(doc).courses[0].status == "unchanged"
    assert snapshot() == before
    # A later change to the true/false question keeps the feedback the format cannot carry.
    doc["modules"][0]["quiz"]["questions"][2]["points"] = 2
    assert run(doc).courses[0].status == "updated"
    assert true_false.choices.get(text="True").feedback == "Not always: it can be a core skill."


def test_a_dry_run_stores_no_quiz(home):
    report = run(full_example(), dry_run=True)
    assert report.courses[0].status == "created"
    assert not Quiz.objects.exists() and not Question.objects.exists()
    assert not QuestionBank.objects.exists()


def test_a_question_without_a_prompt_is_refused_and_nothing_is_written(home):
    doc = full_example()
    doc["modules"][0]["quiz"]["questions"][1]["prompt"] = "   "
    with pytest.raises(PackageError) as caught:
        run(doc)
    assert [str(p) for p in caught.value.problems] == [
        "boundaries-basics.json: modules[0].quiz.questions[1].prompt: must not be empty"
    ]
    assert not CoursePage.objects.exists() and not Question.objects.exists()


def test_reimporting_quizzes_takes_a_bounded_number_of_queries(home, django_assert_max_num_queries):
    doc = full_example()
    for n in range(1, 6):
        module = copy.deepcopy(doc["modules"][0])
        module.update(slug=f"module-{n}", title=f"Module {n}")
        doc["modules"].append(module)
    run(doc)
    assert Question.objects.count() == 6 * 5 + 2
    # As many as for one module: the pages and the transaction, then quizzes, questions,
    # choices and pairs.
    with django_assert_max_num_queries(13):
        assert run(doc).courses[0].status == "unchanged"
