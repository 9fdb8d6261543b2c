"""``import_course`` and ``export_course``: one line per course, every problem named with its
file and JSON path, and a non-zero exit (``CommandError``) instead of a traceback."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cms.demo import ensure_site
from courses.models import CoursePage

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(settings.BASE_DIR) / "content" / "courses" / "professional-boundaries.json"


@pytest.fixture
def home():
    return ensure_site(lambda message: None)


def command(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, name: str, doc: dict) -> str:
    target = tmp_path / name
    target.write_text(json.dumps(doc), encoding="utf-8")
    return str(target)


def example(**changes) -> dict:
    doc = json.loads((FIXTURES / "example-course.json").read_text(encoding="utf-8"))
    doc.update(changes)
    return doc


def test_import_prints_one_line_per_course_with_notices(home):
    assert command("import_course", str(SHIPPED)).splitlines() == [
        "created the course catalog at /courses/",
        "created: professional-boundaries",
    ]
    assert command("import_course", str(SHIPPED)).splitlines()[0] == (
        "unchanged: professional-boundaries"
    )


def test_a_dry_run_says_so_and_saves_nothing(home, tmp_path):
    output = command("import_course", "--dry-run", write(tmp_path, "a.json", example()))
    assert "created: boundaries-basics" in output.splitlines()
    assert output.endswith("Dry run: nothing was saved.\n")
    assert not CoursePage.objects.exists()


def test_problems_are_listed_with_file_and_path_and_nothing_is_saved(home, tmp_path):
    good = write(tmp_path, "good.json", example())
    bad_doc = example(slug="bad", delivery="by post")
    bad_doc["modules"][0]["quiz"]["questions"][0]["choices"][0]["correct"] = True
    bad = write(tmp_path, "bad.json", bad_doc)
    with pytest.raises(CommandError) as caught:
        command("import_course", good, bad)
    assert str(caught.value).splitlines() == [
        "Nothing was imported. Fix these problems and try again:",
        f"{bad}: delivery: must be one of: self-paced, live-online, in-person, blended",
        f"{bad}: modules[0].quiz.questions[0].choices: a single-answer question needs exactly "
        "one correct choice; this one has 2",
    ]
    assert not CoursePage.objects.exists()


def test_hostile_and_missing_files_are_refused_plainly(home, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 5000 + b"]" * 5000)
    with pytest.raises(CommandError, match="deep.json: The JSON is nested more than 64 levels"):
        command("import_course", str(deep))
    with pytest.raises(CommandError, match=r"missing\.json: cannot be read"):
        command("import_course", str(tmp_path / "missing.json"))


def test_export_writes_pretty_utf8_json_to_stdout(home, tmp_path):
    command("import_course", write(tmp_path, "a.json", example(title="Límites sanos")))
    output = command("export_course", "boundaries-basics")
    assert output.endswith("}\n")
    assert '\n  "title": "Límites sanos",\n' in output
    doc = json.loads(output)
    assert doc["format"] == "course-package/1"
    assert doc["modules"][0]["slug"] == "what-is-a-boundary"


def test_export_to_a_file_then_import_changes_nothing(home, tmp_path):
    command("import_course", str(SHIPPED))
    target = tmp_path / "out.json"
    assert command("export_course", "professional-boundaries", "-o", str(target)) == (
        f"Wrote professional-boundaries to {target}.\n"
    )
    assert command("import_course", str(target)).splitlines() == [
        "unchanged: professional-boundaries"
    ]


def test_export_of_an_unknown_slug_is_refused(home):
    with pytest.raises(CommandError, match="^No course with the slug 'nope'.$"):
        command("export_course", "nope")
