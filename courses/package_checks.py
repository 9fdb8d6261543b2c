"""Checking course packages before anything is written: one file against the JSON Schema and the
format's other rules, and a batch against the rules that span files (one file per course, no
circle of prerequisites). Every problem comes with its file and JSON path, in plain words.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from graphlib import TopologicalSorter
from itertools import islice
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

from cms.exchange import (
    MAX_PROBLEMS_PER_FILE,
    Problem,
    batch_identity_problems,
    file_problems,
    json_path,
    load_json_object,
    object_rows,
    schema_problems,
    short,
)

from .models import Domain

SCHEMA_PATH = Path(__file__).parent / "schemas" / "course-package-1.schema.json"


def load_package(raw: bytes, *, label: str) -> dict:
    """The JSON object in ``raw``, or ``PackageError`` saying in plain words why it is not one."""
    return load_json_object(raw, label=label, what=_("a course package"))


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _repeats(rows, name: str, key: str, message: str) -> Iterator[tuple[list, str]]:
    seen: dict = {}
    for i, row in object_rows(rows):
        value = row.get(key)
        if isinstance(value, str) and value in seen:
            yield (
                [name, i, key],
                message % {"value": short(value), "first": json_path([name, seen[value], key])},
            )
        elif isinstance(value, str):
            seen[value] = i


def _two_places(hours) -> bool:
    try:
        value = Decimal(str(hours))
        return value == value.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return True  # the schema already refuses what is not a sensible number


def _quiz_problems(quiz, path: list, domains: set[str]) -> Iterator[tuple[list, str]]:
    if not isinstance(quiz, dict):
        return
    questions = quiz.get("questions") if isinstance(quiz.get("questions"), list) else []
    draw = quiz.get("draw")
    if isinstance(draw, int) and not isinstance(draw, bool) and questions and draw > len(questions):
        yield (
            [*path, "draw"],
            _("asks for %(draw)s questions but the quiz has only %(count)s")
            % {
                "draw": draw,
                "count": len(questions),
            },
        )
    for k, question in object_rows(questions):
        where = [*path, "questions", k]
        code = question.get("domain")
        if isinstance(code, str) and code not in domains:
            yield [*where, "domain"], _unknown_domain(code)
        prompt = question.get("prompt")
        if isinstance(prompt, str) and not prompt.strip():
            yield [*where, "prompt"], _("must not be empty")
        kind, choices = question.get("type"), question.get("choices")
        if kind not in ("single", "multiple") or not isinstance(choices, list):
            continue
        correct = sum(1 for _i, choice in object_rows(choices) if choice.get("correct") is True)
        if kind == "single" and correct != 1:
            yield (
                [*where, "choices"],
                _(
                    "a single-answer question needs exactly one correct choice; this one has %(count)s"
                )
                % {"count": correct},
            )
        elif kind == "multiple" and not correct:
            yield (
                [*where, "choices"],
                _("a multiple-answer question needs at least one correct choice"),
            )


def _unknown_domain(code: str) -> str:
    return _(
        "uses the domain code '%(code)s', which is not declared in 'domains' and does not exist on this site"
    ) % {"code": short(code)}


def _rule_problems(
    doc: dict, *, courses: set[str], batch: set[str], domains: set[str]
) -> Iterator[tuple[list, str]]:
    """The rules JSON Schema cannot say. Written to cope with a document the schema refused,
    so one run reports everything."""
    domains = domains | {row.get("code") for _i, row in object_rows(doc.get("domains"))}
    yield from _repeats(
        doc.get("domains"),
        "domains",
        "code",
        _("declares the domain '%(value)s' again (see %(first)s)"),
    )
    yield from _repeats(
        doc.get("contact_hours"),
        "contact_hours",
        "domain",
        _("lists the domain '%(value)s' again (see %(first)s)"),
    )
    for i, row in object_rows(doc.get("contact_hours")):
        if isinstance(row.get("domain"), str) and row["domain"] not in domains:
            yield ["contact_hours", i, "domain"], _unknown_domain(row["domain"])
        if isinstance(row.get("hours"), int | float) and not _two_places(row["hours"]):
            yield ["contact_hours", i, "hours"], _("use at most two decimal places")
    slug, listed = doc.get("slug"), set()
    prerequisites = doc.get("prerequisites")
    for i, prerequisite in enumerate(
        prerequisites[:500] if isinstance(prerequisites, list) else []
    ):
        if not isinstance(prerequisite, str):
            continue
        if prerequisite == slug:
            yield ["prerequisites", i], _("a course cannot be its own prerequisite")
        elif prerequisite in listed:
            yield ["prerequisites", i], _("lists '%(slug)s' twice") % {"slug": short(prerequisite)}
        elif prerequisite not in courses and prerequisite not in batch:
            yield (
                ["prerequisites", i],
                _(
                    "the course '%(slug)s' is not on this site and not in this import; import it first or together with this file"
                )
                % {"slug": short(prerequisite)},
            )
        listed.add(prerequisite)
    yield from _repeats(
        doc.get("modules"),
        "modules",
        "slug",
        _("repeats the module slug '%(value)s' (see %(first)s)"),
    )
    https = URLValidator(schemes=["https"])
    for i, module in object_rows(doc.get("modules")):
        for j, block in object_rows(module.get("body")):
            url = block.get("url")
            if block.get("type") == "video" and isinstance(url, str) and url.startswith("https://"):
                try:
                    https(url)
                except ValidationError:
                    yield ["modules", i, "body", j, "url"], _("is not a valid web address")
        yield from _quiz_problems(module.get("quiz"), ["modules", i, "quiz"], domains)
    yield from _quiz_problems(doc.get("final_quiz"), ["final_quiz"], domains)


def validate_package(
    doc: dict,
    *,
    label: str,
    known_course_slugs: set[str],
    batch_slugs: set[str],
    known_domain_codes: set[str] | None = None,
) -> list[Problem]:
    """Every problem in one loaded package: the JSON Schema, then the format's other rules.
    ``known_domain_codes`` defaults to the site's domains (pass it to save a query per file)."""
    if known_domain_codes is None:
        known_domain_codes = set(Domain.objects.values_list("code", flat=True))
    # A hostile file can hold a million broken items: stop collecting long before that.
    enough = MAX_PROBLEMS_PER_FILE * 5
    found = schema_problems(_validator(), doc, limit=enough)
    rules = _rule_problems(
        doc, courses=known_course_slugs, batch=batch_slugs, domains=known_domain_codes
    )
    found.extend(islice(rules, enough))
    return file_problems(label, found, limit=MAX_PROBLEMS_PER_FILE)


@dataclass
class PackageFile:
    file: str
    doc: dict

    @property
    def slug(self):
        return self.doc.get("slug")


def batch_problems(packages: list[PackageFile], site_edges: dict[str, list[str]]) -> list[Problem]:
    """Rules that span files: one file per course, one name per domain code, and no circle of
    prerequisites (counting the prerequisites of courses already on the site)."""
    problems = batch_identity_problems(
        [(package.file, package.doc) for package in packages],
        duplicate=_("the course '%(slug)s' is also in %(other)s; import each course once"),
    )
    files: dict[str, str] = {}
    for package in packages:
        if isinstance(package.slug, str):
            files.setdefault(package.slug, package.file)
    graph = dict(site_edges)
    for package in packages:
        if isinstance(package.slug, str):
            prerequisites = package.doc.get("prerequisites")
            graph[package.slug] = (
                [p for p in prerequisites if isinstance(p, str)]
                if isinstance(prerequisites, list)
                else []
            )
    for cycle in _cycles(graph, list(files)):
        start = next(index for index, slug in enumerate(cycle) if slug in files)
        cycle = cycle[start:] + cycle[:start]
        problems.append(
            Problem(
                files[cycle[0]],
                "prerequisites",
                _("the prerequisites go round in a circle: %(cycle)s")
                % {"cycle": " → ".join(short(slug) for slug in [*cycle, cycle[0]])},
            )
        )
    return problems


def _cycles(graph: dict[str, list[str]], starts: list[str]) -> list[list[str]]:
    """Circles of prerequisites reachable from ``starts`` (depth-first, without recursion)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    found = []
    for start in starts:
        if start in state:
            continue
        state[start], path, stack = 1, [start], [iter(graph.get(start, ()))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif child != path[-1] and state.get(child) == 1:
                found.append(path[path.index(child) :])
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(graph.get(child, ())))
    return [cycle for cycle in found if any(slug in starts for slug in cycle)]


def in_prerequisite_order(packages: list[PackageFile]) -> list[PackageFile]:
    by_slug = {package.slug: package for package in packages}
    sorter = TopologicalSorter()
    for slug, package in by_slug.items():
        sorter.add(
            slug, *[p for p in package.doc.get("prerequisites", []) if p in by_slug and p != slug]
        )
    return [by_slug[slug] for slug in sorter.static_order()]
