"""Importing credential program files: every problem named with its file and JSON path, all or
nothing, a new version only when the file changed, and the requirements stored in the shape
the eligibility code reads. Also ``manage.py import_program``."""

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from certificates.models import (
    AttestationText,
    CredentialProgram,
    ProgramVersion,
    ProgramVersionAttestation,
    ProgramVersionCourse,
)
from certificates.program_files import import_programs, normalize_program
from certificates.selectors import requirements_of
from cms.demo import ensure_site
from cms.exchange import PackageError
from courses.models import Domain
from courses.packages import import_packages
from tests.course_pages import make_course

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).parent / "fixtures" / "example-program.json"  # the shared example
CONTENT = Path(settings.BASE_DIR) / "content"
SLUG = "boundaries-micro-credential"
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def course():
    return make_course("boundaries-basics")


def example(**changes) -> dict:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc.update(changes)
    return doc


def encode(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            CredentialProgram,
            ProgramVersion,
            ProgramVersionCourse,
            ProgramVersionAttestation,
            AttestationText,
            Domain,
            ModelLogEntry,
        )
    }


def refusal(*files: tuple[str, bytes]) -> list[str]:
    """The problems of a refused import, after checking that it wrote nothing."""
    before = counts()
    with pytest.raises(PackageError) as caught:
        import_programs(list(files))
    assert counts() == before
    return [str(problem) for problem in caught.value.problems]


def problems_in(doc: dict) -> list[str]:
    return refusal(("program.json", encode(doc)))


# The shared example ---------------------------------------------------------------------------


def test_the_shared_example_imports_when_its_course_exists(course, world):
    report = import_programs([("example-program.json", EXAMPLE.read_bytes())], user=world.registrar)
    assert report.changes() == [f"created: {SLUG} (version 1)"]
    assert report.lines() == [
        f"created: {SLUG} (version 1)",
        "  new attestation text: boundaries-pledge (version 1)",
    ]
    program = CredentialProgram.objects.get(slug=SLUG)
    version = program.current_version
    assert (version.number, version.title, version.kind, version.issuance) == (
        1,
        "Professional Boundaries in Peer Support",
        "micro-credential",
        "automatic",
    )
    assert version.validity_days == 730
    assert version.source == {}
    assert version.imported_by == world.registrar
    assert list(version.courses.all()) == [course]
    pledge = AttestationText.objects.get()
    assert (pledge.code, pledge.version, pledge.title) == (
        "boundaries-pledge",
        1,
        "Boundaries pledge",
    )
    assert list(version.attestations.all()) == [pledge]
    entry = ModelLogEntry.objects.get(action="alongside.program.import")
    assert entry.user == world.registrar
    assert entry.object_id == str(version.pk)
    assert entry.data == {"slug": SLUG, "version": 1}


def test_the_requirements_are_stored_in_the_shape_the_eligibility_code_reads(course):
    import_programs([("example-program.json", EXAMPLE.read_bytes())])
    version = ProgramVersion.objects.get()
    assert version.requirements == {
        "domains": ["ethical-responsibility", "mentoring-education"],
        "courses": ["boundaries-basics"],
        "training": {"total": "0.5", "by_domain": [], "within_days": None},
        "practice": {
            "total": "4",
            "by_domain": [["ethical-responsibility", "2"]],
            "within_days": None,
        },
        "supervision": {"total": "1", "by_domain": [], "within_days": None},
        "attestations": [["boundaries-pledge", 1]],
    }
    assert version.renewal == {
        "training": {
            "total": "2",
            "by_domain": [["ethical-responsibility", "1"]],
            "within_days": None,
        },
        "grace_days": 30,
    }
    requirements = requirements_of(version)
    assert requirements.courses == ("boundaries-basics",)
    assert requirements.attestations == (("boundaries-pledge", 1),)


def test_the_document_is_normalized_and_its_digest_is_its_sha256(course):
    import_programs([("example-program.json", EXAMPLE.read_bytes())])
    version = ProgramVersion.objects.get()
    document = version.document
    assert document["kind"] == "micro-credential" and document["issuance"] == "automatic"
    assert document["source"] == {}
    assert document["requirements"]["training_hours"] == {
        "total": "0.5",
        "by_domain": [],
        "within_days": None,
    }
    assert document["renewal"]["training_hours"]["by_domain"] == [
        {"domain": "ethical-responsibility", "hours": "1"}
    ]
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert version.digest == hashlib.sha256(canonical.encode()).hexdigest()


def test_absent_optional_fields_get_the_format_defaults():
    doc = example()
    for key in ("kind", "issuance", "validity_days", "renewal"):
        del doc[key]
    normalized = normalize_program(doc)
    assert (normalized["kind"], normalized["issuance"]) == ("certification", "automatic")
    assert normalized["validity_days"] is None and normalized["renewal"] is None
    assert normalized["source"] == {}
    assert normalize_program(example(validity_days=730.0)) == normalize_program(example())


def test_the_example_is_refused_without_its_course():
    ensure_site(lambda message: None)
    assert refusal(("example-program.json", EXAMPLE.read_bytes())) == [
        "example-program.json: requirements.courses[0]: there is no course with the slug "
        "'boundaries-basics' on this site; import the course first"
    ]
    assert not CredentialProgram.objects.exists()


# Versions ---------------------------------------------------------------------------------------


def test_importing_the_same_program_twice_writes_nothing(course):
    import_programs([("example-program.json", EXAMPLE.read_bytes())])
    before = counts()
    # The same requirements written differently: defaults spelled out, 4 as 4.0, other spacing.
    doc = example(source={})
    doc["requirements"]["training_hours"] = {"total": 0.50, "by_domain": [], "within_days": None}
    doc["requirements"]["practice_hours"]["total"] = 4.0
    for raw in (EXAMPLE.read_bytes(), json.dumps(doc, indent=4).encode()):
        with CaptureQueriesContext(connection) as queries:
            report = import_programs([("example-program.json", raw)])
        assert report.changes() == []
        assert report.lines() == [f"unchanged: {SLUG} (version 1)"]
        writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
        assert writes == []
    assert counts() == before


def test_a_changed_file_adds_version_2_and_keeps_version_1(course):
    import_programs([("example-program.json", EXAMPLE.read_bytes())])
    first = ProgramVersion.objects.get()
    old = (first.requirements, first.document, first.digest)
    doc = example(title="Boundaries in Peer Support")
    doc["requirements"]["practice_hours"]["total"] = 6
    report = import_programs([("example-program.json", encode(doc))])
    assert report.changes() == [f"new version: {SLUG} (version 2)"]
    assert report.lines() == [f"updated: {SLUG} (version 2)"]
    program = CredentialProgram.objects.get()
    assert program.current_version.number == 2
    assert program.current_version.title == "Boundaries in Peer Support"
    assert program.current_version.requirements["practice"]["total"] == "6"
    first.refresh_from_db()
    assert (first.requirements, first.document, first.digest) == old
    assert list(first.courses.all()) == [course]
    # The attestation did not change: both versions share its one text.
    pledge = AttestationText.objects.get()
    assert list(first.attestations.all()) == list(program.current_version.attestations.all())
    assert list(first.attestations.all()) == [pledge]
    assert ModelLogEntry.objects.filter(action="alongside.program.import").count() == 2


def test_a_changed_attestation_text_is_a_new_version_of_it(course):
    import_programs([("example-program.json", EXAMPLE.read_bytes())])
    doc = example()
    doc["requirements"]["attestations"][0]["text"] = "I will keep within my role."
    report = import_programs([("example-program.json", encode(doc))])
    assert report.lines() == [
        f"updated: {SLUG} (version 2)",
        "  new attestation text: boundaries-pledge (version 2)",
    ]
    texts = list(AttestationText.objects.order_by("version").values_list("version", "text"))
    assert texts[0][1].startswith("I will keep my relationships")
    assert texts[1] == (2, "I will keep within my role.")
    current = CredentialProgram.objects.get().current_version
    assert current.requirements["attestations"] == [["boundaries-pledge", 2]]
    assert ProgramVersion.objects.get(number=1).requirements["attestations"] == [
        ["boundaries-pledge", 1]
    ]


def test_domains_are_created_and_renamed_site_wide(course):
    doc = example()
    doc["domains"][1]["name"] = "Mentoring & Education"
    doc["domains"].append({"code": "harm-reduction", "name": "Harm Reduction"})
    doc["requirements"]["supervision_hours"]["by_domain"] = [
        {"domain": "harm-reduction", "hours": 1}
    ]
    report = import_programs([("example-program.json", encode(doc))])
    assert report.changes() == [
        "renamed domain mentoring-education from Mentoring and Education to Mentoring & Education",
        "created domain harm-reduction (Harm Reduction)",
        f"created: {SLUG} (version 1)",
    ]
    assert Domain.objects.get(code="mentoring-education").name == "Mentoring & Education"
    assert Domain.objects.get(code="harm-reduction").name == "Harm Reduction"


def test_a_dry_run_reports_and_writes_nothing(course):
    before = counts()
    report = import_programs([("example-program.json", EXAMPLE.read_bytes())], dry_run=True)
    assert report.dry_run
    assert report.changes() == [f"created: {SLUG} (version 1)"]
    assert counts() == before


def test_the_shipped_programs_import_after_the_shipped_courses():
    ensure_site(lambda message: None)
    courses = sorted((CONTENT / "courses").glob("*.json"))
    import_packages([(path.name, path.read_bytes()) for path in courses])
    programs = [
        (path.name, path.read_bytes()) for path in sorted((CONTENT / "programs").glob("*.json"))
    ]
    assert import_programs(programs).changes() == [
        "created: professional-boundaries-micro-credential (version 1)",
        "created: certified-peer-recovery-specialist (version 1)",
    ]
    assert import_programs(programs).changes() == []
    cprs = CredentialProgram.objects.get(slug="certified-peer-recovery-specialist").current_version
    assert cprs.issuance == "review"
    assert cprs.requirements["training"] == {
        "total": "46",
        "by_domain": [
            ["advocacy", "10"],
            ["mentoring-education", "10"],
            ["recovery-wellness-support", "10"],
            ["ethical-responsibility", "16"],
        ],
        "within_days": None,
    }
    assert cprs.renewal == {
        "training": {
            "total": "20",
            "by_domain": [["ethical-responsibility", "6"]],
            "within_days": 730,
        },
        "grace_days": 90,
    }
    for version in ProgramVersion.objects.all():
        requirements_of(version)  # the eligibility code accepts what was stored


# Refusals ---------------------------------------------------------------------------------------


def test_a_by_domain_minimum_must_name_a_declared_domain(course):
    doc = example()
    doc["requirements"]["practice_hours"]["by_domain"][0]["domain"] = "advocacy"
    doc["renewal"]["training_hours"]["by_domain"].append({"domain": "harm-reduction", "hours": 1})
    assert problems_in(doc) == [
        "program.json: requirements.practice_hours.by_domain[0].domain: the domain 'advocacy' "
        "is not declared in this program's domains",
        "program.json: renewal.training_hours.by_domain[1].domain: the domain 'harm-reduction' "
        "is not declared in this program's domains",
    ]


def test_an_unknown_course_is_refused(course):
    doc = example()
    doc["requirements"]["courses"].append("advanced-boundaries")
    assert problems_in(doc) == [
        "program.json: requirements.courses[1]: there is no course with the slug "
        "'advanced-boundaries' on this site; import the course first"
    ]


def test_repeated_codes_and_slugs_are_refused(course):
    doc = example()
    doc["domains"].append({"code": "mentoring-education", "name": "Mentoring and Education"})
    doc["requirements"]["courses"].append("boundaries-basics")
    doc["requirements"]["practice_hours"]["by_domain"].append(
        {"domain": "ethical-responsibility", "hours": 1}
    )
    doc["requirements"]["attestations"].append(doc["requirements"]["attestations"][0])
    assert problems_in(doc) == [
        "program.json: domains[2].code: declares the domain 'mentoring-education' again "
        "(see domains[1].code)",
        "program.json: requirements.courses[1]: lists the course 'boundaries-basics' again "
        "(see requirements.courses[0])",
        "program.json: requirements.practice_hours.by_domain[1].domain: lists the domain "
        "'ethical-responsibility' again (see requirements.practice_hours.by_domain[0].domain)",
        "program.json: requirements.attestations[1].code: lists the attestation "
        "'boundaries-pledge' again (see requirements.attestations[0].code)",
    ]


def test_negative_and_zero_hours_are_refused_in_plain_words(course):
    doc = example()
    doc["requirements"]["practice_hours"]["total"] = -1
    doc["requirements"]["practice_hours"]["by_domain"][0]["hours"] = 0
    doc["renewal"]["grace_days"] = -5
    assert problems_in(doc) == [
        "program.json: renewal.grace_days: must be at least 0",
        "program.json: requirements.practice_hours.by_domain[0].hours: must be more than 0",
        "program.json: requirements.practice_hours.total: must be at least 0",
    ]


def test_schema_problems_are_all_reported_in_plain_words(course):
    doc = example(format="credential-program/2", kind="diploma", colour="blue")
    del doc["title"]
    doc["slug"] = "Boundaries Credential"
    doc["requirements"]["training_hours"]["total"] = "half an hour"
    doc["requirements"]["attestations"][0]["text"] = ""
    assert problems_in(doc) == [
        "program.json: unknown field 'colour'",
        "program.json: is required: 'title'",
        'program.json: format: must be "credential-program/1"',
        "program.json: kind: must be one of: certification, certificate-of-completion, "
        "micro-credential",
        "program.json: requirements.attestations[0].text: must not be empty",
        "program.json: requirements.training_hours.total: must be a number",
        "program.json: slug: must be lowercase letters and digits in words joined by single "
        "hyphens, like 'my-course'",
    ]


def test_at_most_100_problems_are_listed_per_file(course):
    doc = example()
    doc["requirements"]["courses"] = [f"course-{n}" for n in range(300)]
    problems = problems_in(doc)
    assert len(problems) == 101
    assert problems[0] == "program.json: requirements.courses: has more than 100 items"
    assert problems[-1] == ("program.json: ... and more: only the first 100 problems are listed")


def test_the_same_slug_twice_in_one_batch_is_refused(course):
    assert refusal(("a.json", EXAMPLE.read_bytes()), ("b.json", EXAMPLE.read_bytes())) == [
        f"b.json: slug: the program '{SLUG}' is also in a.json; import each program once"
    ]


def test_files_in_one_batch_must_agree_on_domain_names_and_attestation_texts(course):
    other = example(slug="other-credential")
    other["domains"][0]["name"] = "Ethics"
    other["requirements"]["attestations"][0]["title"] = "Pledge"
    assert refusal(("a.json", EXAMPLE.read_bytes()), ("b.json", encode(other))) == [
        "b.json: domains[0].name: names the domain 'ethical-responsibility' \"Ethics\", but "
        'a.json calls it "Ethical Responsibility"; a code has one name',
        "b.json: requirements.attestations[0]: the attestation 'boundaries-pledge' has another "
        "title or text in a.json; import one text per code at a time",
    ]


def test_a_batch_with_one_bad_file_writes_nothing(course):
    good = example(slug="good-credential")
    good["domains"].append({"code": "harm-reduction", "name": "Harm Reduction"})
    bad = example()
    bad["requirements"]["supervision_hours"]["total"] = -2
    assert refusal(("good.json", encode(good)), ("bad.json", encode(bad))) == [
        "bad.json: requirements.supervision_hours.total: must be at least 0"
    ]
    assert not Domain.objects.filter(code="harm-reduction").exists()
    assert not AttestationText.objects.exists()


def test_hostile_files_are_refused_without_a_traceback(course):
    huge = example(description="x" * (6 * 1024 * 1024))
    assert refusal(
        ("junk.json", bytes(range(256)) * 40),
        ("nul.json", b'{"slug": "\x00"}'),
        ("deep.json", b"[" * 10_000 + b"]" * 10_000),
        ("deep-object.json", b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
        ("huge.json", encode(huge)),
        ("list.json", b"[1, 2]"),
        ("twice.json", b'{"slug": "a", "slug": "b"}'),
        ("nan.json", b'{"validity_days": NaN}'),
    ) == [
        "junk.json: The file is not UTF-8 text (byte 128 cannot be read). Save it as UTF-8 JSON.",
        "nul.json: The file looks like binary data, not JSON text.",
        "deep.json: The JSON is nested more than 64 levels deep.",
        "deep-object.json: The JSON is nested more than 64 levels deep.",
        "huge.json: The file is larger than 5 MB.",
        "list.json: The file must hold one JSON object (a credential program), not a list.",
        "twice.json: the key 'slug' appears twice in one object",
        "nan.json: The file is not valid JSON: NaN is not a JSON number.",
    ]


# The command ------------------------------------------------------------------------------------


def command(*args) -> str:
    out = StringIO()
    call_command("import_program", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, name: str, doc: dict) -> str:
    target = tmp_path / name
    target.write_text(json.dumps(doc), encoding="utf-8")
    return str(target)


def test_the_command_prints_what_changed(course):
    assert command(str(EXAMPLE)).splitlines() == [f"created: {SLUG} (version 1)"]
    assert command(str(EXAMPLE)).splitlines() == ["Nothing changed."]


def test_a_dry_run_of_the_command_writes_nothing(course):
    before = counts()
    assert command("--dry-run", str(EXAMPLE)).splitlines() == [
        f"created: {SLUG} (version 1)",
        "Dry run: nothing was saved.",
    ]
    assert counts() == before


def test_the_command_lists_every_problem_and_writes_nothing(course, tmp_path):
    good = write(tmp_path, "good.json", example(slug="good-credential"))
    doc = example()
    doc["requirements"]["practice_hours"]["by_domain"][0]["domain"] = "advocacy"
    bad = write(tmp_path, "bad.json", doc)
    with pytest.raises(CommandError) as caught:
        command(good, bad)
    assert str(caught.value).splitlines() == [
        "Nothing was imported. Fix these problems and try again:",
        f"{bad}: requirements.practice_hours.by_domain[0].domain: the domain 'advocacy' is not "
        "declared in this program's domains",
    ]
    assert not CredentialProgram.objects.exists()
    with pytest.raises(CommandError, match=r"missing\.json: cannot be read"):
        command(str(tmp_path / "missing.json"))


@pytest.mark.django_db(transaction=True)  # the shell entry point closes the connection
def test_from_the_shell_a_refusal_exits_non_zero_with_the_problem_on_stderr(
    course, tmp_path, capsys
):
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 10_000 + b"]" * 10_000)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_program", str(deep)]).execute()
    assert exited.value.code != 0
    captured = capsys.readouterr()
    assert f"{deep}: The JSON is nested more than 64 levels deep." in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""
    assert not CredentialProgram.objects.exists()
