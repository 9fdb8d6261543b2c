"""Credential program files: the portable JSON format a certifying body's requirements come in
(``schemas/credential-program-1.schema.json``, rules in the format README).

``validate_program`` checks one loaded file and names every problem with its JSON path, in plain
words. ``import_programs`` checks a whole batch first, then writes it in one transaction, so a
batch with one bad file writes nothing. A program is matched by slug; a file that differs from
the program's current version adds a new ``ProgramVersion``, and a file identical to it (same
digest of the normalized document) writes nothing at all.

What a version requires is stored in ``ProgramVersion.requirements`` in the shape that
``selectors.requirements_of`` reads::

    {"domains": ["advocacy", ...], "courses": ["course-slug", ...],
     "training": HOURS, "practice": HOURS, "supervision": HOURS,   # each only when required
     "attestations": [["code-of-ethics", 1], ...]}

where ``HOURS`` is ``{"total": "46", "by_domain": [["advocacy", "10"], ...], "within_days": null}``
(hours as canonical decimal strings).
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import islice
from pathlib import Path

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from wagtail.log_actions import log

from cms.exchange import (
    MAX_PROBLEMS_PER_FILE,
    PackageError,
    Problem,
    batch_identity_problems,
    file_problems,
    json_path,
    load_json_object,
    object_rows,
    schema_problems,
    short,
)
from courses.domains import domains_declare
from courses.models import CourseIndexPage, CoursePage, Domain

from .models import (
    AttestationText,
    CredentialProgram,
    Issuance,
    Kind,
    ProgramVersion,
    ProgramVersionAttestation,
    ProgramVersionCourse,
)

FORMAT = "credential-program/1"
SCHEMA_PATH = Path(__file__).parent / "schemas" / "credential-program-1.schema.json"
IMPORT_ACTION = "alongside.program.import"
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# The file's hours rules and the keys they are stored under in ``requirements``.
HOURS_RULES = (
    ("training_hours", "training"),
    ("practice_hours", "practice"),
    ("supervision_hours", "supervision"),
)
# No list in the format may hold more than this many items (the schema refuses longer ones);
# the rules below look at no more, so a hostile file cannot make them slow.
MAX_ITEMS = 100


@dataclass
class ProgramResult:
    file: str
    slug: str
    status: str  # CREATED, UPDATED or UNCHANGED
    version: int  # the program's current version number after the import
    notices: list[str] = field(default_factory=list)


@dataclass
class ProgramImportReport:
    dry_run: bool = False
    programs: list[ProgramResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # site-wide: domains

    def changes(self) -> list[str]:
        """What was written, one line each (nothing for unchanged programs)."""
        lines = list(self.notices)
        for program in self.programs:
            values = {"slug": program.slug, "version": program.version}
            if program.status == CREATED:
                lines.append(_("created: %(slug)s (version %(version)s)") % values)
            elif program.status == UPDATED:
                lines.append(_("new version: %(slug)s (version %(version)s)") % values)
        return lines

    def lines(self) -> list[str]:
        """Every program with its status, its notices indented beneath it."""
        formats = {
            CREATED: _("created: %(slug)s (version %(version)s)"),
            UPDATED: _("updated: %(slug)s (version %(version)s)"),
            UNCHANGED: _("unchanged: %(slug)s (version %(version)s)"),
        }
        lines = list(self.notices)
        for program in self.programs:
            lines.append(
                formats[program.status] % {"slug": program.slug, "version": program.version}
            )
            lines.extend(f"  {notice}" for notice in program.notices)
        return lines


# Validation -----------------------------------------------------------------------------------


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _items(value) -> list[tuple[int, object]]:
    return list(enumerate(value[:MAX_ITEMS])) if isinstance(value, list) else []


def _object(value) -> dict:
    return value if isinstance(value, dict) else {}


def _repeats(rows, path: list, key: str, message: str) -> Iterator[tuple[list, str]]:
    """Each object of the list ``rows`` (at ``path``) whose ``key`` an earlier one has."""
    seen: dict[str, list] = {}
    for i, row in object_rows(rows, limit=MAX_ITEMS):
        value, where = row.get(key), [*path, i, key]
        if isinstance(value, str) and value in seen:
            yield where, message % {"value": short(value), "first": json_path(seen[value])}
        elif isinstance(value, str):
            seen[value] = where


def _hours_problems(rule, path: list, declared: set[str]) -> Iterator[tuple[list, str]]:
    by_domain = _object(rule).get("by_domain")
    yield from _repeats(
        by_domain,
        [*path, "by_domain"],
        "domain",
        _("lists the domain '%(value)s' again (see %(first)s)"),
    )
    for i, row in object_rows(by_domain, limit=MAX_ITEMS):
        code = row.get("domain")
        if isinstance(code, str) and code not in declared:
            yield (
                [*path, "by_domain", i, "domain"],
                _("the domain '%(code)s' is not declared in this program's domains")
                % {"code": short(code)},
            )


def _rule_problems(doc: dict, *, courses: set[str]) -> Iterator[tuple[list, str]]:
    """The rules JSON Schema cannot say. Written to cope with a document the schema refused,
    so one run reports everything."""
    declared = {
        row["code"]
        for _i, row in object_rows(doc.get("domains"), limit=MAX_ITEMS)
        if isinstance(row.get("code"), str)
    }
    yield from _repeats(
        doc.get("domains"),
        ["domains"],
        "code",
        _("declares the domain '%(value)s' again (see %(first)s)"),
    )
    requirements = _object(doc.get("requirements"))
    listed: dict[str, int] = {}
    for i, slug in _items(requirements.get("courses")):
        if not isinstance(slug, str):
            continue
        if slug in listed:
            yield (
                ["requirements", "courses", i],
                _("lists the course '%(value)s' again (see %(first)s)")
                % {
                    "value": short(slug),
                    "first": json_path(["requirements", "courses", listed[slug]]),
                },
            )
            continue
        listed[slug] = i
        if slug not in courses:
            yield (
                ["requirements", "courses", i],
                _(
                    "there is no course with the slug '%(slug)s' on this site; import the course first"
                )
                % {"slug": short(slug)},
            )
    for key, _stored in HOURS_RULES:
        yield from _hours_problems(requirements.get(key), ["requirements", key], declared)
    yield from _repeats(
        requirements.get("attestations"),
        ["requirements", "attestations"],
        "code",
        _("lists the attestation '%(value)s' again (see %(first)s)"),
    )
    renewal = _object(doc.get("renewal"))
    yield from _hours_problems(
        renewal.get("training_hours"), ["renewal", "training_hours"], declared
    )


def validate_program(doc: dict, *, label: str, known_course_slugs: set[str]) -> list[Problem]:
    """Every problem in one loaded program file: the JSON Schema, then the format's other rules
    (at most ``MAX_PROBLEMS_PER_FILE``)."""
    # A hostile file can hold a million broken items: stop collecting long before that.
    enough = MAX_PROBLEMS_PER_FILE * 5
    found = schema_problems(_validator(), doc, limit=enough)
    found.extend(islice(_rule_problems(doc, courses=known_course_slugs), enough))
    return file_problems(label, found, limit=MAX_PROBLEMS_PER_FILE)


@dataclass
class _ProgramFile:
    file: str
    doc: dict

    @property
    def slug(self):
        return self.doc.get("slug")


def _batch_problems(programs: list[_ProgramFile]) -> list[Problem]:
    """Rules that span files: one file per program, one name per domain code, and one title
    and text per attestation code."""
    problems = batch_identity_problems(
        [(program.file, program.doc) for program in programs],
        duplicate=_("the program '%(slug)s' is also in %(other)s; import each program once"),
    )
    texts: dict[str, tuple[tuple, str]] = {}
    for program in programs:
        requirements = _object(program.doc.get("requirements"))
        for i, row in object_rows(requirements.get("attestations"), limit=MAX_ITEMS):
            code = row.get("code")
            if not isinstance(code, str):
                continue
            first = texts.setdefault(code, ((row.get("title"), row.get("text")), program.file))
            if first[0] != (row.get("title"), row.get("text")):
                problems.append(
                    Problem(
                        program.file,
                        f"requirements.attestations[{i}]",
                        _(
                            "the attestation '%(code)s' has another title or text in %(other)s; import one text per code at a time"
                        )
                        % {"code": short(code), "other": first[1]},
                    )
                )
    return problems


# Normalizing ----------------------------------------------------------------------------------


def _number(value) -> str:
    """A JSON number as a canonical decimal string: 46 -> "46", 2.50 -> "2.5", 500 -> "500"."""
    number = Decimal(str(value)).normalize()
    return "0" if number == 0 else format(number, "f")


def _whole(value) -> int | None:
    """A whole number (the schema allows 730.0 for 730) as an int."""
    return None if value is None else int(value)


def _normal_hours(rule: dict) -> dict:
    return {
        "total": _number(rule["total"]),
        "by_domain": [
            {"domain": row["domain"], "hours": _number(row["hours"])}
            for row in rule.get("by_domain", [])
        ],
        "within_days": _whole(rule.get("within_days")),
    }


def normalize_program(doc: dict) -> dict:
    """A valid program document with the format's defaults filled in and its hours as canonical
    decimal strings, so that two files saying the same thing normalize to the same document."""
    requirements = doc["requirements"]
    normal_requirements = {}
    if "courses" in requirements:
        normal_requirements["courses"] = list(requirements["courses"])
    for key, _stored in HOURS_RULES:
        if key in requirements:
            normal_requirements[key] = _normal_hours(requirements[key])
    if "attestations" in requirements:
        normal_requirements["attestations"] = [
            {"code": row["code"], "title": row["title"], "text": row["text"]}
            for row in requirements["attestations"]
        ]
    renewal = doc.get("renewal")
    if renewal is not None:
        renewal = {"training_hours": _normal_hours(renewal["training_hours"])}
        if "grace_days" in doc["renewal"]:
            renewal["grace_days"] = _whole(doc["renewal"]["grace_days"])
    return {
        "format": doc["format"],
        "slug": doc["slug"],
        "title": doc["title"],
        "description": doc["description"],
        "kind": doc.get("kind", Kind.CERTIFICATION.value),
        "source": dict(doc.get("source", {})),
        "domains": [{"code": row["code"], "name": row["name"]} for row in doc["domains"]],
        "requirements": normal_requirements,
        "issuance": doc.get("issuance", Issuance.AUTOMATIC.value),
        "validity_days": _whole(doc.get("validity_days")),
        "renewal": renewal,
    }


def program_digest(normalized: dict) -> str:
    """The SHA-256 (hex) of a normalized program document."""
    text = json.dumps(normalized, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored_hours(rule: dict) -> dict:
    return {
        "total": rule["total"],
        "by_domain": [[row["domain"], row["hours"]] for row in rule["by_domain"]],
        "within_days": rule["within_days"],
    }


def _stored_requirements(normalized: dict, attestations: list[AttestationText]) -> dict:
    requirements = normalized["requirements"]
    stored = {
        "domains": [row["code"] for row in normalized["domains"]],
        "courses": list(requirements.get("courses", [])),
    }
    for key, name in HOURS_RULES:
        if key in requirements:
            stored[name] = _stored_hours(requirements[key])
    stored["attestations"] = [[text.code, text.version] for text in attestations]
    return stored


def _stored_renewal(normalized: dict) -> dict | None:
    renewal = normalized["renewal"]
    if renewal is None:
        return None
    return {
        "training": _stored_hours(renewal["training_hours"]),
        "grace_days": renewal.get("grace_days"),
    }


# Importing ------------------------------------------------------------------------------------


def import_programs(
    files: list[tuple[str, bytes]], *, dry_run: bool = False, user=None
) -> ProgramImportReport:
    """Import credential program files, given as ``(file name, content)``. Every file is
    checked first and every problem raised together as ``PackageError``; then the programs are
    written in one transaction (rolled back at the end on ``dry_run``). ``user`` (optional) is
    recorded as the importer of each new version and on its log entry."""
    programs, problems = [], []
    for name, raw in files:
        try:
            doc = load_json_object(raw, label=name, what=_("a credential program"))
        except PackageError as error:
            problems.extend(error.problems)
        else:
            programs.append(_ProgramFile(name, doc))
    catalog = CourseIndexPage.objects.first()
    courses = (
        dict(CoursePage.objects.child_of(catalog).values_list("slug", "pk")) if catalog else {}
    )
    for program in programs:
        problems.extend(
            validate_program(program.doc, label=program.file, known_course_slugs=set(courses))
        )
    problems.extend(_batch_problems(programs))
    if problems:
        raise PackageError(problems)
    if not getattr(user, "is_authenticated", False):
        user = None
    report = ProgramImportReport(dry_run=dry_run)
    with transaction.atomic():
        report.notices.extend(
            domains_declare(
                [row for program in programs for row in program.doc["domains"]],
                {domain.code: domain for domain in Domain.objects.all()},
            )
        )
        for program in programs:
            report.programs.append(_import_program(program, courses=courses, user=user))
        if dry_run:
            transaction.set_rollback(True)
    return report


def _attestation_text(row: dict, notices: list[str]) -> AttestationText:
    """The latest version of the attestation ``row["code"]`` if it has this title and text,
    otherwise a new version."""
    latest = AttestationText.objects.filter(code=row["code"]).order_by("-version").first()
    if latest is not None and latest.title == row["title"] and latest.text == row["text"]:
        return latest
    text = AttestationText.objects.create(
        code=row["code"],
        version=(latest.version if latest else 0) + 1,
        title=row["title"],
        text=row["text"],
    )
    notices.append(
        _("new attestation text: %(code)s (version %(version)s)")
        % {"code": text.code, "version": text.version}
    )
    return text


def _import_program(item: _ProgramFile, *, courses: dict[str, int], user) -> ProgramResult:
    normalized = normalize_program(item.doc)
    digest = program_digest(normalized)
    slug = normalized["slug"]
    program = CredentialProgram.objects.select_related("current_version").filter(slug=slug).first()
    current = program.current_version if program else None
    if current is not None and current.digest == digest:
        return ProgramResult(item.file, slug, UNCHANGED, current.number)
    status = UPDATED if program else CREATED
    if program is None:
        program = CredentialProgram.objects.create(slug=slug)
    number = (program.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    result = ProgramResult(item.file, slug, status, number)
    requirements = normalized["requirements"]
    attestations = [
        _attestation_text(row, result.notices) for row in requirements.get("attestations", [])
    ]
    version = ProgramVersion.objects.create(
        program=program,
        number=number,
        title=normalized["title"],
        description=normalized["description"],
        kind=normalized["kind"],
        issuance=normalized["issuance"],
        validity_days=normalized["validity_days"],
        source=normalized["source"],
        requirements=_stored_requirements(normalized, attestations),
        renewal=_stored_renewal(normalized),
        document=normalized,
        digest=digest,
        imported_by=user,
    )
    ProgramVersionCourse.objects.bulk_create(
        ProgramVersionCourse(version=version, course_id=courses[course], sort_order=i)
        for i, course in enumerate(requirements.get("courses", []))
    )
    ProgramVersionAttestation.objects.bulk_create(
        ProgramVersionAttestation(version=version, attestation=text, sort_order=i)
        for i, text in enumerate(attestations)
    )
    program.current_version = version
    program.save(update_fields=["current_version"])
    log(instance=version, action=IMPORT_ACTION, user=user, data={"slug": slug, "version": number})
    return result
