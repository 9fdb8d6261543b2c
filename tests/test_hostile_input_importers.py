"""Hostile files against the importers (course packages, credential programs), through their
public functions in cms/exchange.py, courses/packages.py and certificates/program_files.py.

Whatever the bytes, the answer is a document or a ``PackageError`` whose problems say in words
what is wrong, never another exception. A file that does import may carry HTML or ``<script>``
in any text: the pages that show it print it escaped."""

import copy
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certificates.program_files import import_programs, validate_program
from cms.demo import ensure_site
from cms.exchange import MAX_BYTES, PackageError, Problem, load_json_object
from courses import services as course_services
from courses.models import CoursePage, ModulePage
from courses.packages import import_packages, load_package, validate_package
from tests.course_pages import make_course

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent
COURSE = json.loads((ROOT / "courses" / "fixtures" / "example-course.json").read_text())
PROGRAM = json.loads((ROOT / "certificates" / "fixtures" / "example-program.json").read_text())

SCRIPT = '<script>alert("stored")</script>'
HOSTILE = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "<!--",
    "\x00",
    "\u0000 after a NUL",
    "\ud800",  # half of a surrogate pair: only a JSON escape can carry it
    "\u202eevil.exe\u202c",  # right-to-left override
    "\r\nSet-Cookie: injected=1",
    "\x1b[31mred\x07",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "%(name)s %s {0}",
    "'; DROP TABLE accounts_user; --",
    "=cmd|' /C calc'!A0",
    "javascript:alert(1)",
    "../../../../etc/passwd",
    "\ufeff\u200b\u2028\u2029",
    "x" * 70_000,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"])),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(hostile_text, children, max_size=6)
    ),
    max_leaves=40,
)
# Bounded so the file runs in well under a minute; no example database is written into the
# shared checkout (a failure prints its example, which is enough to reproduce it).
BOUNDED = settings(
    database=None,
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def nested(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


raw_files = st.one_of(
    st.binary(max_size=2_000),
    json_values.map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8", "replace")),
    st.integers(min_value=60, max_value=50_000).map(nested),
    st.integers(min_value=60, max_value=20_000).map(
        lambda n: ('{"a":' * n + "1" + "}" * n).encode()
    ),
    st.sampled_from(
        [
            b"\xef\xbb\xbf{}",
            b'{"a": NaN}',
            b'{"a": Infinity}',
            b'{"a": 1, "a": 2}',
            b'{"title": "\\ud800"}',
            b'{"title": "\\u0000"}',
            b'{"\\u0000": 1}',
            b"\x00\x01\x02",
            b"\xff\xfe{\x00}\x00",
            b'"just a string"',
            b"[" * 100_000,
            b"{" * 100_000,
            b'"' + b"\\" * 100_001,
            b" " * (MAX_BYTES + 1),
        ]
    ),
)


def assert_plain_problems(error: PackageError) -> None:
    assert error.problems
    for problem in error.problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.message, str) and problem.message.strip()
        assert "Traceback" not in problem.message
        assert len(problem.message) < 2_000  # a problem never echoes a huge value


@BOUNDED
@given(raw=raw_files)
def test_any_bytes_load_as_an_object_or_are_refused_in_words(raw):
    for load in (
        lambda: load_json_object(raw, label="upload.json", what="a document"),
        lambda: load_package(raw, label="upload.json"),
    ):
        try:
            doc = load()
        except PackageError as error:
            assert_plain_problems(error)
        else:
            assert isinstance(doc, dict)


def test_escapes_no_database_can_store_are_refused_at_load():
    for raw in (b'{"title": "\\ud800"}', b'{"title": "a\\u0000b"}', b'{"\\udfff": 1}'):
        with pytest.raises(PackageError) as caught:
            load_json_object(raw, label="f.json", what="a document")
        assert "cannot be stored as text" in caught.value.problems[0].message


@BOUNDED
@given(doc=st.dictionaries(hostile_text, json_values, max_size=8))
def test_any_object_gets_a_list_of_problems_never_an_exception(doc):
    for problems in (
        validate_package(
            doc,
            label="f.json",
            known_course_slugs={"boundaries-basics"},
            batch_slugs=set(),
            known_domain_codes={"ethical-responsibility"},
        ),
        validate_program(doc, label="f.json", known_course_slugs={"boundaries-basics"}),
    ):
        assert isinstance(problems, list) and problems  # a random object is never valid
        for problem in problems:
            assert isinstance(problem, Problem) and problem.message.strip()


def string_paths(value, path=()):
    """Every place in a document that holds text."""
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from string_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from string_paths(child, (*path, index))


def with_text(doc: dict, changes: dict) -> dict:
    changed = copy.deepcopy(doc)
    for path, text in changes.items():
        target = changed
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = text
    return changed


def mutated(doc: dict):
    return st.dictionaries(
        st.sampled_from(list(string_paths(doc))), hostile_text, min_size=1, max_size=6
    ).map(lambda changes: with_text(doc, changes))


def as_bytes(doc: dict, ascii_only: bool) -> bytes:
    # ensure_ascii keeps NUL and lone surrogates as JSON escapes, as a hostile file would.
    return json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@pytest.fixture
def site(db):
    return ensure_site(lambda message: None)


@BOUNDED
@given(doc=mutated(COURSE), ascii_only=st.booleans())
def test_a_course_package_with_hostile_text_imports_or_is_refused(site, doc, ascii_only):
    try:
        report = import_packages([("hostile.json", as_bytes(doc, ascii_only))], dry_run=True)
    except PackageError as error:
        assert_plain_problems(error)
    else:
        assert [course.slug for course in report.courses] == [doc["slug"]]


@pytest.fixture
def program_course(db):
    return make_course("boundaries-basics")


@BOUNDED
@given(doc=mutated(PROGRAM), ascii_only=st.booleans())
def test_a_credential_program_with_hostile_text_imports_or_is_refused(
    program_course, doc, ascii_only
):
    try:
        report = import_programs([("hostile.json", as_bytes(doc, ascii_only))], dry_run=True)
    except PackageError as error:
        assert_plain_problems(error)
    else:
        assert [program.slug for program in report.programs] == [doc["slug"]]


# What an import stores is shown escaped ---------------------------------------------------------

ESCAPED = "&lt;script&gt;alert(&quot;stored&quot;)&lt;/script&gt;"


def assert_escaped(html: str, where: str) -> None:
    assert SCRIPT not in html, where
    assert not re.search(r"<script[^>]*>\s*alert", html), where


def test_script_in_every_text_of_a_course_package_is_stored_but_shown_escaped(client, site, world):
    texts = [path for path in string_paths(COURSE) if path[-1] not in {"format", "slug", "type"}]
    texts = [p for p in texts if p[-1] not in {"code", "domain", "delivery", "tone"}]
    doc = with_text(COURSE, {path: f"{SCRIPT} {path[-1]}" for path in texts})
    import_packages([("script.json", json.dumps(doc).encode())])
    course = CoursePage.objects.get(slug=doc["slug"])
    module = ModulePage.objects.get(slug=doc["modules"][0]["slug"])
    assert SCRIPT in course.title  # stored as typed: it is text, not markup
    course_page = client.get(course.url).content.decode()
    assert_escaped(course_page, "course page")
    assert ESCAPED in course_page
    course_services.enrollment_create(trainee=world.trainee, course=course)
    client.force_login(world.trainee)
    module_page = client.get(module.url).content.decode()
    assert_escaped(module_page, "module page")
    assert "&lt;script&gt;" in module_page
    catalog = client.get("/courses/").content.decode()
    assert_escaped(catalog, "catalog")


def test_script_in_every_text_of_a_program_is_stored_but_shown_escaped(
    client, program_course, world
):
    keep = {"format", "slug", "kind", "code", "domain", "issuance", "courses"}
    texts = [path for path in string_paths(PROGRAM) if not keep & set(map(str, path))]
    doc = with_text(PROGRAM, {path: f"{SCRIPT} {path[-1]}" for path in texts})
    import_programs([("script.json", json.dumps(doc).encode())])
    page = client.get(f"/programs/{doc['slug']}/").content.decode()
    assert_escaped(page, "program page")
    assert ESCAPED in page
    listing = client.get("/programs/").content.decode()
    assert_escaped(listing, "program list")
    assert ESCAPED in listing
