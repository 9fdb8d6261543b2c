"""Reading and checking package files: hostile files are refused in plain words, and every
problem in a file is reported with its JSON path."""

import copy
import json
from pathlib import Path

import pytest

from courses.packages import PackageError, Problem, load_package, validate_package

FIXTURES = Path(__file__).parent / "fixtures"


def example() -> dict:
    """The shared format's small example course (a copy kept with the tests)."""
    return json.loads((FIXTURES / "example-course.json").read_text(encoding="utf-8"))


def refusal(raw: bytes) -> list[str]:
    with pytest.raises(PackageError) as caught:
        load_package(raw, label="course.json")
    return [str(problem) for problem in caught.value.problems]


def problems_in(
    doc: dict, *, courses=(), batch=(), domains=("ethical-responsibility",)
) -> list[str]:
    found = validate_package(
        doc,
        label="course.json",
        known_course_slugs=set(courses),
        batch_slugs={doc.get("slug"), *batch},
        known_domain_codes=set(domains),
    )
    return [str(problem) for problem in found]


# Loading ------------------------------------------------------------------------------------


def test_a_good_file_loads():
    raw = (FIXTURES / "example-course.json").read_bytes()
    assert load_package(raw, label="x.json")["slug"] == "boundaries-basics"
    assert load_package(b"\xef\xbb\xbf" + raw, label="x.json")["slug"] == "boundaries-basics"


def test_a_file_over_5_mb_is_refused():
    raw = json.dumps({"summary": "x" * (5 * 1024 * 1024)}).encode()
    assert refusal(raw) == ["course.json: The file is larger than 5 MB."]


def test_binary_junk_is_refused():
    junk = bytes(range(256)) * 40
    assert refusal(junk) == [
        "course.json: The file is not UTF-8 text (byte 128 cannot be read). Save it as UTF-8 JSON."
    ]
    assert refusal(b"{\x00\x00}") == [
        "course.json: The file looks like binary data, not JSON text."
    ]


def test_invalid_json_names_the_line():
    assert refusal(b'{\n  "slug": "a",\n  "title" "b"\n}') == [
        "course.json: The file is not valid JSON: expecting ':' delimiter at line 3, column 11."
    ]


def test_thousands_of_nesting_levels_are_refused_without_a_traceback():
    for raw in (b"[" * 5000 + b"]" * 5000, b'{"a":' * 5000 + b"1" + b"}" * 5000):
        assert refusal(raw) == ["course.json: The JSON is nested more than 64 levels deep."]
    # Brackets inside strings are text, not nesting.
    assert load_package(json.dumps({"summary": "[" * 5000}).encode(), label="x")


def test_the_top_level_must_be_an_object():
    assert refusal(b"[1, 2]") == [
        "course.json: The file must hold one JSON object (a course package), not a list."
    ]


def test_repeated_keys_and_non_numbers_are_refused():
    assert refusal(b'{"slug": "a", "slug": "b"}') == [
        "course.json: the key 'slug' appears twice in one object"
    ]
    assert refusal(b'{"hours": NaN}') == [
        "course.json: The file is not valid JSON: NaN is not a JSON number."
    ]


def test_package_error_lists_problems_one_per_line():
    error = PackageError(
        [Problem("a.json", "modules[0].slug", "must not be empty"), Problem("b.json", "", "bad")]
    )
    assert str(error) == "a.json: modules[0].slug: must not be empty\nb.json: bad"


# Validation -----------------------------------------------------------------------------------


def test_the_example_is_valid():
    assert problems_in(example()) == []


def test_schema_problems_are_all_reported_in_plain_words():
    doc = example()
    del doc["slug"]
    doc["foo"] = 1
    doc["delivery"] = "by post"
    doc["title"] = ""
    doc["modules"][0]["minutes"] = "thirty"
    doc["modules"][0]["body"][1]["markdown"] = "x" * 50001
    doc["modules"][0]["body"][2]["tone"] = "loud"
    doc["modules"][0]["body"].append({"type": "poem", "text": "roses"})
    doc["modules"][0]["quiz"]["questions"][0]["choices"][0]["correct"] = "yes"
    assert problems_in(doc) == [
        "course.json: unknown field 'foo'",
        "course.json: is required: 'slug'",
        "course.json: delivery: must be one of: self-paced, live-online, in-person, blended",
        "course.json: modules[0].body[1].markdown: is longer than 50000 characters",
        "course.json: modules[0].body[2].tone: must be one of: info, tip, caution",
        "course.json: modules[0].body[4].type: must be one of: heading, text, callout, "
        "key_points, scenario, reflection, video",
        "course.json: modules[0].minutes: must be a whole number",
        "course.json: modules[0].quiz.questions[0].choices[0].correct: must be true or false",
        "course.json: title: must not be empty",
    ]


def test_ten_megabytes_in_one_block_is_refused_with_its_path():
    doc = example()
    doc["modules"][0]["body"][1]["markdown"] = "word " * (2 * 1024 * 1024)
    assert problems_in(doc) == [
        "course.json: modules[0].body[1].markdown: is longer than 50000 characters"
    ]


def test_a_block_missing_its_content_says_which_field():
    doc = example()
    doc["modules"][0]["body"][1] = {"type": "text", "text": "wrong key"}
    assert problems_in(doc) == [
        "course.json: modules[0].body[1]: unknown field 'text'",
        "course.json: modules[0].body[1]: is required: 'markdown'",
    ]


def test_single_answer_questions_need_exactly_one_correct_choice():
    doc = example()
    question = doc["modules"][0]["quiz"]["questions"][0]
    question["choices"][0]["correct"] = True
    assert problems_in(doc) == [
        "course.json: modules[0].quiz.questions[0].choices: a single-answer question needs "
        "exactly one correct choice; this one has 2"
    ]
    question["type"] = "multiple"
    for choice in question["choices"]:
        choice["correct"] = False
    assert problems_in(doc) == [
        "course.json: modules[0].quiz.questions[0].choices: a multiple-answer question needs at "
        "least one correct choice"
    ]


def test_draw_may_not_exceed_the_questions():
    doc = example()
    doc["modules"][0]["quiz"]["draw"] = 3
    doc["final_quiz"] = copy.deepcopy(doc["modules"][0]["quiz"])
    doc["final_quiz"]["draw"] = 2
    assert problems_in(doc) == [
        "course.json: modules[0].quiz.draw: asks for 3 questions but the quiz has only 2"
    ]


def test_domain_codes_must_be_declared_or_known():
    doc = example()
    doc["contact_hours"].append({"domain": "juggling", "hours": 1})
    doc["modules"][0]["quiz"]["questions"][1]["domain"] = "knitting"
    assert problems_in(doc, domains=()) == [
        "course.json: contact_hours[1].domain: uses the domain code 'juggling', which is not "
        "declared in 'domains' and does not exist on this site",
        "course.json: modules[0].quiz.questions[1].domain: uses the domain code 'knitting', "
        "which is not declared in 'domains' and does not exist on this site",
    ]
    del doc["domains"]
    doc["contact_hours"].pop()
    doc["modules"][0]["quiz"]["questions"][1]["domain"] = "advocacy"
    assert problems_in(doc, domains={"ethical-responsibility", "advocacy"}) == []


def test_repeated_slugs_codes_and_domains_are_refused():
    doc = example()
    doc["modules"].append(copy.deepcopy(doc["modules"][0]))
    doc["domains"].append({"code": "ethical-responsibility", "name": "Ethics"})
    doc["contact_hours"].append({"domain": "ethical-responsibility", "hours": 1.255})
    assert problems_in(doc) == [
        "course.json: domains[1].code: declares the domain 'ethical-responsibility' again "
        "(see domains[0].code)",
        "course.json: contact_hours[1].domain: lists the domain 'ethical-responsibility' again "
        "(see contact_hours[0].domain)",
        "course.json: contact_hours[1].hours: use at most two decimal places",
        "course.json: modules[1].slug: repeats the module slug 'what-is-a-boundary' "
        "(see modules[0].slug)",
    ]


def test_prerequisites_must_exist_here_or_in_the_batch():
    doc = example()
    doc["prerequisites"] = [
        "on-the-site",
        "in-the-batch",
        "nowhere",
        "boundaries-basics",
        "nowhere",
    ]
    assert problems_in(doc, courses={"on-the-site"}, batch={"in-the-batch"}) == [
        "course.json: prerequisites[2]: the course 'nowhere' is not on this site and not in this "
        "import; import it first or together with this file",
        "course.json: prerequisites[3]: a course cannot be its own prerequisite",
        "course.json: prerequisites[4]: lists 'nowhere' twice",
    ]


def test_video_links_must_be_secure_web_addresses():
    doc = example()
    body = doc["modules"][0]["body"]
    body.append({"type": "video", "url": "http://example.org/v", "transcript": "Words."})
    body.append({"type": "video", "url": "https://exa mple", "transcript": "Words."})
    assert problems_in(doc) == [
        "course.json: modules[0].body[4].url: must start with https://",
        "course.json: modules[0].body[5].url: is not a valid web address",
    ]


def test_a_file_with_thousands_of_problems_is_capped():
    doc = example()
    doc["modules"][0]["body"] = [{"type": "heading", "text": ""}] * 200
    found = problems_in(doc)
    assert len(found) == 101
    assert found[-1] == "course.json: ... and more: only the first 100 problems are listed"
