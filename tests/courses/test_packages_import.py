"""Importing course packages: pages are published where the format promises, an unchanged file
writes nothing, updates keep learners' records attached, and a refused batch writes nothing."""

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from jsonschema import Draft202012Validator
from wagtail.models import Page, Revision

from assessments.models import Question
from cms.demo import ensure_site
from courses.models import (
    CourseIndexPage,
    CoursePage,
    CoursePrerequisite,
    Domain,
    ModulePage,
    ReflectionAnswer,
)
from courses.packages import (
    PackageError,
    dump_package,
    export_course,
    import_packages,
    validate_package,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(settings.BASE_DIR) / "content" / "courses" / "professional-boundaries.json"
SCHEMA = Path(settings.BASE_DIR) / "courses" / "schemas" / "course-package-1.schema.json"


def example(**changes) -> dict:
    doc = json.loads((FIXTURES / "example-course.json").read_text(encoding="utf-8"))
    doc.update(copy.deepcopy(changes))
    return doc


def as_file(doc: dict, name: str | None = None) -> tuple[str, bytes]:
    return (name or f"{doc['slug']}.json", json.dumps(doc).encode())


def run(*docs: dict, dry_run: bool = False):
    return import_packages([as_file(doc) for doc in docs], dry_run=dry_run)


def problems(*files) -> list[str]:
    with pytest.raises(PackageError) as caught:
        import_packages(list(files))
    return [str(problem) for problem in caught.value.problems]


def snapshot() -> dict:
    """Everything an import might write, to prove that it wrote nothing."""
    return {
        "revisions": list(Revision.objects.order_by("pk").values_list("pk", flat=True)),
        "pages": list(
            Page.objects.order_by("path").values_list(
                "pk", "path", "live", "latest_revision_id", "last_published_at", "title"
            )
        ),
        "domains": list(Domain.objects.order_by("code").values_list("code", "name")),
        "prerequisites": list(CoursePrerequisite.objects.values_list("pk", flat=True)),
    }


def body_of(slug: str) -> list[dict]:
    return list(ModulePage.objects.get(slug=slug).body.raw_data)


@pytest.fixture
def home():
    return ensure_site(lambda message: None)


def test_a_good_package_is_published_at_its_addresses(client, home):
    report = run(example())
    assert report.lines() == [
        "created the course catalog at /courses/",
        "created: boundaries-basics",
    ]
    assert report.changes() == [
        "created the course catalog at /courses/",
        "created: boundaries-basics",
    ]
    catalog = CourseIndexPage.objects.get()
    assert catalog.live and catalog.get_parent().pk == home.pk
    course = CoursePage.objects.get(slug="boundaries-basics")
    assert course.live and course.get_parent().pk == catalog.pk
    assert course.title == "Boundaries Basics" and course.delivery == "self-paced"
    assert [item["value"] for item in course.objectives.raw_data] == example()["objectives"]
    assert [(h.domain.code, h.hours) for h in course.contact_hours.all()] == [
        ("ethical-responsibility", Decimal("0.50"))
    ]
    module = course.modules().get()
    assert (module.slug, module.minutes, module.live) == ("what-is-a-boundary", 30, True)
    assert [block.block_type for block in module.body] == ["heading", "text", "callout", "scenario"]
    assert module.body[1].value.source == (
        "<p>A peer worker shares lived experience <b>on purpose</b>, to help the other person. "
        "A boundary marks where that help stops being about them.</p>"
    )
    scenario = module.body[3].value
    assert scenario["title"] == "The loan"
    assert list(scenario["questions"]) == ["What is at stake for the relationship?"]
    assert client.get("/courses/").status_code == 200
    assert client.get("/courses/boundaries-basics/").status_code == 200
    assert client.get("/courses/boundaries-basics/what-is-a-boundary/").status_code == 200


def test_the_shipped_course_imports_and_its_export_validates(client, home):
    report = import_packages([(SHIPPED.name, SHIPPED.read_bytes())])
    assert report.courses[0].status == "created"
    course = CoursePage.objects.get(slug="professional-boundaries")
    modules = list(course.modules())
    assert len(modules) == 5 and all(module.live for module in modules)
    for module in modules:
        assert client.get(f"/courses/professional-boundaries/{module.slug}/").status_code == 200
    exported = export_course(course)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(exported)) == []
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert [m["slug"] for m in exported["modules"]] == [m["slug"] for m in shipped["modules"]]


def test_importing_the_same_file_twice_writes_nothing(home, django_assert_max_num_queries):
    files = [(SHIPPED.name, SHIPPED.read_bytes()), as_file(example())]
    import_packages(files)
    before = snapshot()
    # 12 for the pages and, per course, its quizzes, their questions, choices and (for the
    # shipped course, which has matching questions) pairs: 4 + 3.
    with django_assert_max_num_queries(19):
        report = import_packages(files)
    assert [course.status for course in report.courses] == ["unchanged", "unchanged"]
    assert report.changes() == []
    assert snapshot() == before


def test_an_update_makes_a_new_revision_and_keeps_block_ids(home):
    doc = example()
    doc["modules"][0]["body"].append({"type": "reflection", "prompt": "What comes up for you?"})
    run(doc)
    module = ModulePage.objects.get(slug="what-is-a-boundary")
    old_ids = [block["id"] for block in module.body.raw_data]
    trainee = UserFactory()
    answer = ReflectionAnswer.objects.create(
        trainee=trainee, module=module, block_id=old_ids[4], text="Mine."
    )
    revisions = Revision.objects.count()

    body = doc["modules"][0]["body"]
    body[1]["markdown"] += " More words."  # changed text at the same position
    body[4]["prompt"] = "What comes up for you now?"  # reworded reflection
    body.insert(0, {"type": "heading", "text": "A new opening"})
    doc["title"] = "Boundaries Basics, revised"
    report = run(doc)

    assert report.courses[0].status == "updated"
    assert Revision.objects.count() == revisions + 2  # the course and the module
    new_ids = [block["id"] for block in body_of("what-is-a-boundary")]
    assert len(new_ids) == 6 and len(set(new_ids)) == 6
    # Unchanged blocks moved down one place with their ids; the edited text and the reworded
    # reflection kept theirs too, so the trainee's answer stays with its prompt.
    assert new_ids[1:] == old_ids
    assert new_ids[0] not in old_ids
    answer.refresh_from_db()
    assert answer.block_id in new_ids
    assert CoursePage.objects.get().title == "Boundaries Basics, revised"


def test_a_changed_block_keeps_the_id_of_its_position(home):
    doc = example()
    run(doc)
    old_ids = [block["id"] for block in body_of("what-is-a-boundary")]
    doc["modules"][0]["body"][1]["markdown"] = "Entirely different words."
    doc["modules"][0]["body"][2]["title"] = "A new title"
    run(doc)
    assert [block["id"] for block in body_of("what-is-a-boundary")] == old_ids


def test_a_removed_module_is_unpublished_not_deleted_and_modules_follow_the_file(home):
    doc = example()
    second = copy.deepcopy(doc["modules"][0])
    second.update(slug="second", title="Second")
    third = copy.deepcopy(doc["modules"][0])
    third.update(slug="third", title="Third")
    doc["modules"] += [second, third]
    run(doc)
    course = CoursePage.objects.get()
    assert [m.slug for m in course.modules()] == ["what-is-a-boundary", "second", "third"]

    doc["modules"] = [third, doc["modules"][0]]
    report = run(doc)
    assert report.courses[0].status == "updated"
    assert any("'second' is no longer in the file" in n for n in report.courses[0].notices)
    assert [m.slug for m in course.modules()] == ["third", "what-is-a-boundary"]
    removed = ModulePage.objects.get(slug="second")
    assert not removed.live

    doc["modules"].append(second)  # bringing it back publishes it again, in file order
    run(doc)
    assert [m.slug for m in course.modules()] == ["third", "what-is-a-boundary", "second"]
    assert ModulePage.objects.get(slug="second").pk == removed.pk


def test_missing_minutes_are_estimated_from_the_words(home):
    doc = example()
    module = doc["modules"][0]
    del module["minutes"]
    module["body"] = [{"type": "text", "markdown": "word " * 1000}]
    run(doc)
    assert ModulePage.objects.get().minutes == 7  # 1,000 words at 150 a minute, rounded up
    module["body"] = [{"type": "heading", "text": "Short"}]
    run(doc)
    assert ModulePage.objects.get().minutes == 5


def test_declaring_a_known_domain_with_a_new_name_renames_it(home):
    doc = example(
        domains=[
            {"code": "ethical-responsibility", "name": "Ethics"},
            {"code": "self-care", "name": "Self-care"},
        ]
    )
    doc["contact_hours"].append({"domain": "self-care", "hours": 1})
    report = run(doc)
    assert report.notices[:2] == [
        "renamed domain ethical-responsibility from Ethical Responsibility to Ethics",
        "created domain self-care (Self-care)",
    ]
    assert Domain.objects.get(code="ethical-responsibility").name == "Ethics"
    assert Domain.objects.get(code="self-care").name == "Self-care"


def test_two_files_may_not_give_a_domain_two_names(home):
    first = example()
    second = example(slug="other", domains=[{"code": "ethical-responsibility", "name": "Ethics"}])
    assert problems(as_file(first), as_file(second)) == [
        "other.json: domains[0].name: names the domain 'ethical-responsibility' \"Ethics\", but "
        'boundaries-basics.json calls it "Ethical Responsibility"; a code has one name'
    ]


def test_an_unknown_domain_code_is_refused(home):
    doc = example(domains=[])
    doc["contact_hours"] = [{"domain": "juggling", "hours": 1}]
    assert problems(as_file(doc)) == [
        "boundaries-basics.json: contact_hours[0].domain: uses the domain code 'juggling', which "
        "is not declared in 'domains' and does not exist on this site"
    ]


def test_duplicate_module_slugs_are_refused(home):
    doc = example()
    doc["modules"].append(copy.deepcopy(doc["modules"][0]))
    assert problems(as_file(doc)) == [
        "boundaries-basics.json: modules[1].slug: repeats the module slug 'what-is-a-boundary' "
        "(see modules[0].slug)"
    ]


def test_a_missing_prerequisite_is_refused(home):
    assert problems(as_file(example(prerequisites=["nowhere"]))) == [
        "boundaries-basics.json: prerequisites[0]: the course 'nowhere' is not on this site and "
        "not in this import; import it first or together with this file"
    ]


def test_a_prerequisite_in_the_same_batch_is_imported_first(home):
    advanced = example(slug="advanced", title="Advanced", prerequisites=["boundaries-basics"])
    report = run(advanced, example())
    assert [c.slug for c in report.courses] == ["boundaries-basics", "advanced"]
    link = CoursePrerequisite.objects.get()
    assert (link.course.slug, link.prerequisite.slug) == ("advanced", "boundaries-basics")
    assert run(advanced).courses[0].status == "unchanged"


def test_a_cycle_of_prerequisites_is_refused(home):
    first = example(slug="first", prerequisites=["second"])
    second = example(slug="second", prerequisites=["third"])
    third = example(slug="third", prerequisites=["first"])
    assert problems(as_file(first), as_file(second), as_file(third)) == [
        "first.json: prerequisites: the prerequisites go round in a circle: "
        "first → second → third → first"
    ]
    assert not CoursePage.objects.exists()


def test_a_cycle_through_a_course_on_the_site_is_refused(home):
    run(example(slug="first"))
    run(example(slug="second", prerequisites=["first"]))
    assert problems(as_file(example(slug="first", prerequisites=["second"]))) == [
        "first.json: prerequisites: the prerequisites go round in a circle: first → second → first"
    ]


def test_the_same_course_twice_in_a_batch_is_refused(home):
    assert problems(as_file(example(), "a.json"), as_file(example(), "b.json")) == [
        "b.json: slug: the course 'boundaries-basics' is also in a.json; import each course once"
    ]


def test_a_batch_with_one_bad_file_writes_nothing(home):
    before = snapshot()
    bad = example(slug="bad")
    bad["modules"][0]["quiz"]["questions"][0]["choices"][0]["correct"] = True
    good = example(domains=[{"code": "new-domain", "name": "New"}])
    assert problems(as_file(good), as_file(bad)) == [
        "bad.json: modules[0].quiz.questions[0].choices: a single-answer question needs exactly "
        "one correct choice; this one has 2"
    ]
    assert snapshot() == before


def test_a_hostile_file_in_a_batch_is_refused_by_name(home):
    assert problems(as_file(example()), ("deep.json", b"[" * 5000 + b"]" * 5000)) == [
        "deep.json: The JSON is nested more than 64 levels deep."
    ]
    huge = example()
    huge["modules"][0]["body"][1]["markdown"] = "x" * (10 * 1024 * 1024)
    assert problems(as_file(huge)) == ["boundaries-basics.json: The file is larger than 5 MB."]
    huge["modules"][0]["body"][1]["markdown"] = "x" * (4 * 1024 * 1024)
    assert problems(as_file(huge)) == [
        "boundaries-basics.json: modules[0].body[1].markdown: is longer than 50000 characters"
    ]
    assert problems(("junk.json", bytes(range(256)))) == [
        "junk.json: The file is not UTF-8 text (byte 128 cannot be read). Save it as UTF-8 JSON."
    ]
    assert not CoursePage.objects.exists()


def test_a_dry_run_writes_nothing_and_says_what_would_happen(home):
    before = snapshot()
    report = run(example(domains=[{"code": "new-domain", "name": "New"}]), dry_run=True)
    assert report.dry_run
    assert report.changes() == [
        "created domain new-domain (New)",
        "created the course catalog at /courses/",
        "created: boundaries-basics",
    ]
    assert snapshot() == before


def test_html_in_markdown_is_escaped_and_unsafe_links_dropped(home):
    doc = example()
    doc["modules"][0]["body"][1]["markdown"] = (
        "<script>alert('x')</script> [click](javascript:alert(1)) [ok](https://example.org)"
    )
    run(doc)
    stored = body_of("what-is-a-boundary")[1]["value"]
    assert "<script" not in stored and "javascript:" not in stored
    assert stored == (
        "<p>&lt;script&gt;alert('x')&lt;/script&gt; click "
        '<a href="https://example.org">ok</a></p>'
    )


def test_export_then_import_changes_nothing(home):
    doc = example(content_note="Talks about relapse.", prerequisites=[])
    doc["modules"][0]["body"].append(
        {"type": "video", "url": "https://video.example/1", "transcript": "Said **aloud**."}
    )
    doc["modules"][0]["body"].append({"type": "key_points", "items": ["One", "Two"]})
    quiz = doc["modules"][0]["quiz"]
    quiz.update(  # every setting away from its default, which export would leave out
        retry_after_minutes=10,
        time_limit_minutes=15,
        shuffle_questions=True,
        draw=3,
        partial_credit=True,
        review="score",
    )
    quiz["questions"] += [
        {
            "type": "multiple",
            "prompt": "Which of these *help* you keep a boundary?",
            "domain": "ethical-responsibility",
            "points": 2,
            "choices": [
                {"text": "Supervision", "correct": True, "feedback": "Use it often."},
                {"text": "Secrecy", "correct": False},
            ],
        },
        {
            "type": "matching",
            "prompt": "Match each word to its meaning.",
            "explanation": "A crossing can be fine; a violation never is.",
            "pairs": [
                {"left": "Crossing", "right": "A rare, open step"},
                {"left": "Violation", "right": "Harm to the person"},
            ],
        },
    ]
    doc["final_quiz"] = {
        "title": "Final quiz",
        "pass_mark": 70,
        "max_attempts": 2,
        "retry_after_minutes": 60,
        "questions": [{"type": "true_false", "prompt": "Boundaries protect both.", "answer": True}],
    }
    run(doc)
    exported = export_course(CoursePage.objects.get())
    assert list(exported) == [
        "format", "slug", "title", "summary", "objectives", "delivery", "domains",
        "contact_hours", "content_note", "modules", "final_quiz",
    ]  # fmt: skip
    assert exported["modules"][0]["quiz"] == quiz
    assert exported["final_quiz"] == doc["final_quiz"]
    assert validate_package(exported, label="x", known_course_slugs=set(), batch_slugs=set()) == []
    before = snapshot()
    questions = list(Question.objects.order_by("pk").values())
    report = import_packages([("export.json", dump_package(exported).encode())])
    assert report.courses[0].status == "unchanged"
    assert snapshot() == before
    assert list(Question.objects.order_by("pk").values()) == questions
    assert export_course(CoursePage.objects.get()) == exported


def test_a_page_edited_in_the_admin_is_compared_by_meaning(home):
    """The editor stores rich text with its own markup; re-importing the file it came from, or
    its export, leaves the page alone if the words and formatting are the same."""
    doc = example()
    run(doc)
    module = ModulePage.objects.get()
    data = list(module.body.raw_data)
    data[1] = {**data[1], "value": data[1]["value"].replace("<p>", '<p data-block-key="x1">')}
    module.body = data
    module.save_revision().publish()
    before = snapshot()
    assert run(doc).courses[0].status == "unchanged"
    assert snapshot() == before
    doc["modules"][0]["body"][1]["markdown"] = "Now different."
    assert run(doc).courses[0].status == "updated"


def test_a_draft_waiting_on_a_page_is_replaced_by_the_file(home):
    doc = example()
    run(doc)
    course = CoursePage.objects.get()
    course.summary = "An unpublished draft."
    course.save_revision()
    assert run(doc).courses[0].status == "updated"
    course.refresh_from_db()
    assert not course.has_unpublished_changes and course.summary == doc["summary"]


def test_without_a_home_page_there_is_nowhere_to_import(db):
    assert problems(as_file(example())) == [
        "The site has no home page to hold the course catalog. Create the home page first (for "
        "example with seed_demo), then import again."
    ]
