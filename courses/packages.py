"""Course packages: the portable JSON format other programs use to share a course
(``schemas/course-package-1.schema.json``, rules in the format README).

``load_package`` and ``validate_package`` (``courses.package_checks``) check a file and say
every problem with its JSON path, in plain words, never with a traceback. ``import_packages``
writes a batch in prerequisite order inside one transaction, so a batch with one bad file writes
nothing. A page whose content already matches its file is not touched at all (no revision, no
save), which makes loading the shipped content twice a no-op. ``export_course``
(``courses.package_export``) writes the document back; importing it changes nothing. What import
and export share is in ``courses.package_format``.

Quizzes are stored in the quiz engine (``assessments``): one ``Quiz`` per module (and the course's
final quiz), its questions in one question bank per course, matched by position. A changed
question is edited in place and gets a new revision, so past attempts keep the revision they
were asked; an unchanged quiz is not written at all.
"""

import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.actions.move_page import MovePageAction
from wagtail.models import Site

from assessments.grading import QuestionKind  # plain Python, no models: safe at import time
from cms.exchange import (
    PackageError,
    Problem,
)
from cms.models import HomePage

from .domains import domains_declare
from .models import (
    CourseContactHours,
    CourseIndexPage,
    CoursePage,
    CoursePrerequisite,
    Domain,
    ModulePage,
)
from .package_checks import (
    PackageFile,
    batch_problems,
    in_prerequisite_order,
    load_package,
    validate_package,
)
from .package_export import dump_package, export_course
from .package_format import (
    DEFAULT_POINTS,
    FALSE,
    LIST_FIELDS,
    QUIZ_DEFAULTS,
    QUIZ_SETTINGS,
    RICH_FIELDS,
    TRUE,
    course_quizzes,
    plain,
    quiz_models,
)
from .packages_markdown import canonical_rich_text, markdown_to_rich_text

__all__ = [
    "CourseResult",
    "ImportReport",
    "PackageError",
    "Problem",
    "dump_package",
    "export_course",
    "import_packages",
    "load_package",
    "validate_package",
]

WORDS_PER_MINUTE = 150
MIN_ESTIMATED_MINUTES = 5
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class CourseResult:
    file: str
    slug: str
    status: str  # CREATED, UPDATED or UNCHANGED
    notices: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool = False
    courses: list[CourseResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # site-wide: domains, the catalog

    def changes(self) -> list[str]:
        """What was written, one line each (nothing for unchanged courses)."""
        return [
            *self.notices,
            *(f"{c.status}: {c.slug}" for c in self.courses if c.status != UNCHANGED),
        ]

    def lines(self) -> list[str]:
        """Every course with its status, its notices indented beneath it."""
        lines = list(self.notices)
        for course in self.courses:
            lines.append(f"{course.status}: {course.slug}")
            lines.extend(f"  {notice}" for notice in course.notices)
        return lines


def import_packages(
    files: list[tuple[str, bytes]], *, dry_run: bool = False, user=None
) -> ImportReport:
    """Import course packages, given as ``(file name, content)``. Every file is checked first
    and every problem raised together as ``PackageError``; then the courses are written in
    prerequisite order in one transaction (rolled back at the end on ``dry_run``). ``user``
    (optional) is recorded on the revisions and log entries."""
    packages, problems = [], []
    for name, raw in files:
        try:
            packages.append(PackageFile(name, load_package(raw, label=name)))
        except PackageError as error:
            problems.extend(error.problems)
    catalog = CourseIndexPage.objects.first()
    courses = {c.slug: c for c in CoursePage.objects.child_of(catalog)} if catalog else {}
    domains = {domain.code: domain for domain in Domain.objects.all()}
    batch = {p.slug for p in packages if isinstance(p.slug, str)}
    for package in packages:
        problems.extend(
            validate_package(
                package.doc,
                label=package.file,
                known_course_slugs=set(courses),
                batch_slugs=batch,
                known_domain_codes=set(domains),
            )
        )
    site_edges: dict[str, list[str]] = {}
    for course_slug, prerequisite_slug in CoursePrerequisite.objects.order_by(
        "course", "sort_order"
    ).values_list("course__slug", "prerequisite__slug"):
        site_edges.setdefault(course_slug, []).append(prerequisite_slug)
    problems.extend(batch_problems(packages, site_edges))
    if problems:
        raise PackageError(problems)
    report = ImportReport(dry_run=dry_run)
    with transaction.atomic():
        report.notices.extend(
            domains_declare(
                [row for package in packages for row in package.doc.get("domains", [])], domains
            )
        )
        catalog = catalog or _create_catalog(report, user=user)
        for package in in_prerequisite_order(packages):
            report.courses.append(
                _import_course(
                    package, catalog=catalog, courses=courses, domains=domains, user=user
                )
            )
        if dry_run:
            transaction.set_rollback(True)
    return report


@contextmanager
def _refusals(file: str, path: str):
    """Turn a model's own refusal (field validation, page permissions) into a ``Problem``."""
    try:
        yield
    except ValidationError as error:
        details = (
            error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
        )
        raise PackageError(
            [
                Problem(
                    file,
                    ".".join(p for p in (path, name) if p and name != "__all__") or path,
                    message,
                )
                for name, messages in details
                for message in messages
            ]
        ) from error
    except PermissionDenied as error:
        raise PackageError(
            [Problem(file, path, _("you do not have permission to publish this"))]
        ) from error


def _create_catalog(report: ImportReport, *, user) -> CourseIndexPage:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    home = site.root_page.specific if site else None
    if not isinstance(home, HomePage):
        raise PackageError(
            [
                Problem(
                    "",
                    "",
                    _(
                        "The site has no home page to hold the course catalog. Create the home page first "
                        "(for example with seed_demo), then import again."
                    ),
                )
            ]
        )
    catalog = CourseIndexPage(title="Courses", slug="courses", live=False)
    with _refusals("", ""):
        home.add_child(instance=catalog)
        _publish(catalog, user=user)
    report.notices.append(_("created the course catalog at /courses/"))
    return catalog


def _publish(page, *, user) -> None:
    page.save_revision(user=user, log_action=True).publish(user=user)


def _hours(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _course_values(doc: dict, domains: dict, courses: dict) -> dict:
    return {
        "title": doc["title"],
        "summary": doc["summary"],
        "delivery": doc.get("delivery", "self-paced"),
        "content_note": doc.get("content_note", ""),
        "objectives": list(doc.get("objectives", [])),
        "contact_hours": [
            (domains[row["domain"]], _hours(row["hours"])) for row in doc.get("contact_hours", [])
        ],
        "prerequisites": [courses[slug] for slug in doc.get("prerequisites", [])],
    }


SCALAR_FIELDS = ("title", "summary", "delivery", "content_note")


def _course_matches(course: CoursePage, wanted: dict) -> bool:
    if not course.live or course.has_unpublished_changes:
        return False
    if any(getattr(course, name) != wanted[name] for name in SCALAR_FIELDS):
        return False
    if [item.get("value") for item in course.objectives.raw_data] != wanted["objectives"]:
        return False
    hours = [(row.domain_id, row.hours) for row in course.contact_hours.all()]
    if hours != [(domain.pk, value) for domain, value in wanted["contact_hours"]]:
        return False
    prerequisites = list(course.prerequisite_links.values_list("prerequisite_id", flat=True))
    return prerequisites == [prerequisite.pk for prerequisite in wanted["prerequisites"]]


def _apply_course(course: CoursePage, wanted: dict) -> None:
    for name in SCALAR_FIELDS:
        setattr(course, name, wanted[name])
    course.objectives = _stream_data(
        [("objective", text) for text in wanted["objectives"]], list(course.objectives.raw_data)
    )
    course.contact_hours = [
        CourseContactHours(domain=d, hours=h) for d, h in wanted["contact_hours"]
    ]
    course.prerequisite_links = [
        CoursePrerequisite(prerequisite=p) for p in wanted["prerequisites"]
    ]


def _import_course(
    package: PackageFile, *, catalog, courses: dict, domains: dict, user
) -> CourseResult:
    doc, file = package.doc, package.file
    wanted = _course_values(doc, domains, courses)
    course = courses.get(doc["slug"])
    created = course is None
    changed = created
    old_title = doc["title"] if created else course.title
    with _refusals(file, ""):
        if created:
            course = CoursePage(slug=doc["slug"], live=False)
            _apply_course(course, wanted)
            catalog.add_child(instance=course)
            courses[course.slug] = course
        elif not _course_matches(course, wanted):
            _apply_course(course, wanted)
            changed = True
        if changed:
            _publish(course, user=user)
    notices: list[str] = []
    modules_changed, modules = _import_modules(
        course, doc["modules"], file=file, new_course=created, user=user, notices=notices
    )
    quizzes = _QuizImport(
        course, file=file, old_title=old_title, domains=domains, user=user, notices=notices
    )
    quizzes_changed = quizzes.run(doc, modules, new_course=created)
    changed |= modules_changed or quizzes_changed
    status = CREATED if created else UPDATED if changed else UNCHANGED
    return CourseResult(file=file, slug=course.slug, status=status, notices=notices)


def _question_values(spec: dict, domains: dict) -> dict:
    """A package question as the values a ``Question`` stores (rich text, choices, pairs)."""
    kind = spec["type"]
    if kind == QuestionKind.TRUE_FALSE:
        choices = [(TRUE, spec["answer"] is True, ""), (FALSE, spec["answer"] is False, "")]
    else:
        choices = [
            (c["text"], c["correct"], c.get("feedback", "")) for c in spec.get("choices", [])
        ]
    code = spec.get("domain")
    return {
        "kind": kind,
        "prompt": markdown_to_rich_text(spec["prompt"]),
        "explanation": markdown_to_rich_text(spec.get("explanation", "")),
        "points": spec.get("points", DEFAULT_POINTS),
        "domain": domains[code] if code else None,
        "choices": choices if kind != QuestionKind.MATCHING else [],
        "pairs": [(p["left"], p["right"]) for p in spec.get("pairs", [])],
    }


def _same_rich_text(stored: str, wanted: str) -> bool:
    """Like ``_same_block``: rich text an editor saved may differ from the import in markup
    only, so it is compared in the importer's normal form as well."""
    stored = stored or ""
    return stored == wanted or canonical_rich_text(stored) == wanted


def _question_matches(question, wanted: dict) -> bool:
    """Whether a stored question already says what the file says. Only what the format can
    express is compared: a true-or-false choice's feedback, or choices left on a matching
    question, cannot come from a file, so they never make a question differ from its export."""
    domain_id = wanted["domain"].pk if wanted["domain"] else None
    if (question.kind, question.points, question.domain_id) != (
        wanted["kind"],
        wanted["points"],
        domain_id,
    ):
        return False
    if not _same_rich_text(question.prompt, wanted["prompt"]):
        return False
    if not _same_rich_text(question.explanation, wanted["explanation"]):
        return False
    if wanted["kind"] == QuestionKind.MATCHING:
        return [(p.left, p.right) for p in question.pairs.all()] == wanted["pairs"]
    choices = [(c.text, c.is_correct, c.feedback) for c in question.choices.all()]
    if wanted["kind"] == QuestionKind.TRUE_FALSE:
        return [c[:2] for c in choices] == [c[:2] for c in wanted["choices"]]
    return choices == wanted["choices"]


def _quiz_settings(spec: dict) -> dict:
    return {name: spec[name] if name in spec else QUIZ_DEFAULTS[name] for name in QUIZ_SETTINGS}


class _QuizImport:
    """Store the quizzes of one course's package: each module's ``quiz`` and the course's
    ``final_quiz``. Everything the course already has is read up front in a few queries;
    nothing is written for a quiz whose settings and questions already match the file."""

    def __init__(self, course, *, file: str, old_title: str, domains: dict, user, notices):
        self.course, self.file, self.old_title = course, file, old_title
        self.domains, self.user, self.notices = domains, user, notices
        self.models = quiz_models()
        self.bank = None
        self.banks: dict = {}  # name → bank, of the questions the course's quizzes ask
        self.claimed: set[int] = set()  # questions already matched to a place in this import

    def run(self, doc: dict, modules: list, *, new_course: bool) -> bool:
        existing = {} if new_course else self._existing(modules)
        self._find_bank()
        changed = False
        for i, (spec, module) in enumerate(zip(doc["modules"], modules, strict=True)):
            quiz = existing.get(("module", module.pk))
            changed |= self._sync(quiz, spec.get("quiz"), {"module": module}, f"modules[{i}].quiz")
        quiz = existing.get(("course", self.course.pk))
        changed |= self._sync(quiz, doc.get("final_quiz"), {"course": self.course}, "final_quiz")
        return changed

    def _existing(self, modules: list) -> dict:
        """The course's quizzes with their questions, choices and pairs (three or four queries)."""
        found = course_quizzes(self.course, modules, related="question__bank")
        for quiz in found.values():
            for row in quiz.quiz_questions.all():
                self.banks.setdefault(row.question.bank.name, row.question.bank)
        return found

    def _find_bank(self) -> None:
        """The course's question bank, named after the course, is the bank its questions are in;
        when the course was renamed, the bank is renamed with it."""
        title = self.course.title
        self.bank = self.banks.get(title)
        if self.bank is None and self.old_title != title and self.old_title in self.banks:
            self.bank = self.banks[self.old_title]
            self._rename_bank()

    def _get_bank(self):
        """The bank new questions go in (created the first time one is needed)."""
        if self.bank is None:
            Bank, title = self.models.QuestionBank, self.course.title
            banks = {b.name: b for b in Bank.objects.filter(name__in={title, self.old_title})}
            self.bank = banks.get(title) or banks.get(self.old_title)
            if self.bank is None:
                self.bank = Bank.objects.create(name=title)
            elif self.bank.name != title:
                self._rename_bank()
        return self.bank

    def _rename_bank(self) -> None:
        title = self.course.title
        # A bank of that name may belong to another course of the same title: keep both whole.
        if not self.models.QuestionBank.objects.filter(name=title).exists():
            self.bank.name = title
            self.bank.save(update_fields=["name"])

    def _sync(self, quiz, spec: dict | None, owner: dict, path: str) -> bool:
        if spec is None:
            return False if quiz is None else self._remove(quiz, path)
        settings_ = _quiz_settings(spec)
        rows = [] if quiz is None else list(quiz.quiz_questions.all())
        changed = False
        if quiz is None:
            quiz = self.models.Quiz(**owner, **settings_)
            quiz.save()
            changed = True
        elif any(getattr(quiz, name) != value for name, value in settings_.items()):
            for name, value in settings_.items():
                setattr(quiz, name, value)
            quiz.save(update_fields=list(settings_))
            changed = True
        for n, question_spec in enumerate(spec["questions"]):
            row = rows[n] if n < len(rows) else None
            where = f"{path}.questions[{n}]"
            wanted = _question_values(question_spec, self.domains)
            changed |= self._sync_question(quiz, row, n, wanted, where)
        removed = rows[len(spec["questions"]) :]
        if removed:
            self.models.QuizQuestion.objects.filter(pk__in=[row.pk for row in removed]).delete()
            self.notices.append(
                _(
                    "%(path)s: %(count)s question(s) no longer in the file were taken out of the quiz (kept in the question bank for past attempts)"
                )
                % {"path": f"{path}.questions", "count": len(removed)}
            )
            changed = True
        return changed

    def _sync_question(self, quiz, row, n: int, wanted: dict, where: str) -> bool:
        """The question at place ``n``: the question already there, edited if the file changed
        it; or a new question. A question that is also asked at a place matched earlier in this
        import (an editor may share one) is not edited from two places: this place gets its own."""
        if row is not None and row.question_id not in self.claimed:
            self.claimed.add(row.question_id)
            changed = False
            if not _question_matches(row.question, wanted):
                self._write_question(row.question, wanted, where)
                changed = True
            if row.sort_order != n:
                row.sort_order = n
                row.save(update_fields=["sort_order"])
                changed = True
            return changed
        question = self._write_question(None, wanted, where)
        self.claimed.add(question.pk)
        if row is None:
            self.models.QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=n)
        else:
            row.question, row.sort_order = question, n
            row.save(update_fields=["question", "sort_order"])
        return True

    def _write_question(self, question, wanted: dict, where: str):
        """Create or edit a question, replace its choices and pairs, and save a revision of it
        (after the live save, so the revision holds the children's ids that answers use)."""
        m = self.models
        feedback = {}
        if question is None:
            question = m.Question(bank=self._get_bank())
        else:
            # A true-or-false choice's feedback is not in the format: keep what an editor wrote.
            feedback = {c.text: c.feedback for c in question.choices.all()}
            cache = getattr(question, "_prefetched_objects_cache", {})
            cache.pop("choices", None)
            cache.pop("pairs", None)
        question.kind, question.points = wanted["kind"], wanted["points"]
        question.prompt, question.explanation = wanted["prompt"], wanted["explanation"]
        question.domain = wanted["domain"]
        true_false = wanted["kind"] == QuestionKind.TRUE_FALSE
        question.choices = [
            m.Choice(
                text=text,
                is_correct=correct,
                feedback=feedback.get(text, "") if true_false else note,
                sort_order=k,
            )
            for k, (text, correct, note) in enumerate(wanted["choices"])
        ]
        question.pairs = [
            m.MatchPair(left=left, right=right, sort_order=k)
            for k, (left, right) in enumerate(wanted["pairs"])
        ]
        with _refusals(self.file, where):
            question.save()
            question.save_revision(user=self.user, log_action=True)
        return question

    def _remove(self, quiz, path: str) -> bool:
        """A quiz no longer in the file is deleted, unless trainees have attempted it: their
        attempts keep it (and it cannot be detached from its module or course)."""
        if quiz.attempts.exists():
            self.notices.append(
                _("%(path)s: kept, because trainees have attempts") % {"path": path}
            )
            return False
        quiz.delete()
        self.notices.append(
            _("%(path)s: no longer in the file, so the quiz was deleted") % {"path": path}
        )
        return True


def _estimate_minutes(body: list[dict]) -> int:
    """Reading time at 150 words a minute, rounded up, at least 5 minutes."""
    words = 0
    for block in body:
        for key, value in block.items():
            texts = value if isinstance(value, list) else [value]
            if key not in ("type", "tone", "url"):
                words += sum(
                    len(re.findall(r"\w+(?:['’]\w+)*", t)) for t in texts if isinstance(t, str)
                )
    return max(MIN_ESTIMATED_MINUTES, -(-words // WORDS_PER_MINUTE))


def _block_value(block: dict) -> tuple[str, object]:
    """A package block as the (type, value) the module's StreamField stores."""
    kind, rich = block["type"], markdown_to_rich_text
    values = {
        "heading": lambda: block["text"],
        "text": lambda: rich(block["markdown"]),
        "callout": lambda: {
            "tone": block["tone"],
            "title": block.get("title", ""),
            "text": rich(block["markdown"]),
        },
        "key_points": lambda: {"title": "", "items": list(block["items"])},
        "scenario": lambda: {
            "title": block["title"],
            "situation": rich(block["situation"]),
            "questions": list(block.get("questions", [])),
            "discussion": rich(block.get("discussion", "")),
        },
        "reflection": lambda: {"prompt": block["prompt"]},
        "video": lambda: {
            "url": block["url"],
            "title": block.get("title", ""),
            "transcript": rich(block["transcript"]),
        },
    }
    return kind, values[kind]()


def _same_block(old: dict, kind: str, value) -> bool:
    """Whether a stored block already says ``value``. Rich text an editor changed by hand may
    differ in markup only, so it is compared in the importer's normal form as well."""
    if old.get("type") != kind:
        return False
    before = plain(old.get("value"))
    if before == value:
        return True
    if kind == "text" and isinstance(before, str):
        return canonical_rich_text(before) == value
    if kind in RICH_FIELDS and isinstance(before, dict):
        fields = RICH_FIELDS[kind]
        before = {**before, **{f: canonical_rich_text(before.get(f) or "") for f in fields}}
        return before == value
    return False


def _stream_data(blocks: list[tuple[str, object]], old: list[dict]) -> list[dict]:
    """Raw StreamField data for ``blocks``, reusing the ids of the old blocks, because private
    reflection answers are keyed by them. Matching goes from surest to loosest: the same block
    at the same place; the same block anywhere (it moved); a block of the same type at the same
    place (it was edited); the next unused block of the same type (edited and moved)."""
    old_plain = [(item.get("type"), plain(item.get("value"))) for item in old]
    ids: list = [None] * len(blocks)
    free = [bool(item.get("id")) for item in old]
    passes = (
        lambda i, j: i == j and old_plain[j] == blocks[i],
        lambda i, j: old_plain[j] == blocks[i],
        lambda i, j: i == j and old_plain[j][0] == blocks[i][0],
        lambda i, j: old_plain[j][0] == blocks[i][0],
    )
    for same in passes:
        for i in range(len(blocks)):
            if ids[i] is None:
                j = next((j for j in range(len(old)) if free[j] and same(i, j)), None)
                if j is not None:
                    ids[i], free[j] = old[j]["id"], False
    by_id = {item.get("id"): item for item in old}
    return [
        _raw_block(kind, value, ids[i] or str(uuid.uuid4()), by_id.get(ids[i], {}).get("value"))
        for i, (kind, value) in enumerate(blocks)
    ]


def _raw_block(kind: str, value, block_id: str, old_value) -> dict:
    if kind in LIST_FIELDS:
        value = dict(value)
        for name in LIST_FIELDS[kind]:
            old_items = old_value.get(name) if isinstance(old_value, dict) else None
            old_ids = (
                [i.get("id") for i in old_items if isinstance(i, dict)]
                if isinstance(old_items, list)
                else []
            )
            value[name] = [
                {
                    "type": "item",
                    "value": text,
                    "id": old_ids[n] if n < len(old_ids) and old_ids[n] else str(uuid.uuid4()),
                }
                for n, text in enumerate(value[name])
            ]
    return {"type": kind, "value": value, "id": block_id}


def _module_matches(module: ModulePage, title: str, minutes: int, blocks: list) -> bool:
    data = module.body.raw_data
    return (
        module.live
        and not module.has_unpublished_changes
        and (module.title, module.minutes) == (title, minutes)
        and len(data) == len(blocks)
        and all(_same_block(old, *new) for old, new in zip(data, blocks, strict=True))
    )


def _write_module(course, module, spec: dict, minutes: int, blocks: list, *, user) -> ModulePage:
    """Create or update one module page and publish it."""
    if module is None:
        body = _stream_data(blocks, [])
        module = ModulePage(slug=spec["slug"], title=spec["title"], minutes=minutes, body=body)
        module.live = False
        course.add_child(instance=module)
    else:
        module.title, module.minutes = spec["title"], minutes
        module.body = _stream_data(blocks, list(module.body.raw_data))
    _publish(module, user=user)
    return module


def _import_modules(
    course: CoursePage, specs: list[dict], *, file: str, new_course: bool, user, notices: list[str]
) -> tuple[bool, list[ModulePage]]:
    """Create, update, unpublish and reorder the course's modules to match the file. Returns
    whether anything was written, and the module of each spec. Modules are never deleted:
    trainees' records point at them."""
    existing = (
        {}
        if new_course
        else {m.slug: m for m in ModulePage.objects.child_of(course).order_by("path")}
    )
    order = list(existing)
    changed = False
    modules = []
    for i, spec in enumerate(specs):
        blocks = [_block_value(block) for block in spec["body"]]
        minutes = spec.get("minutes") or _estimate_minutes(spec["body"])
        module = existing.get(spec["slug"])
        if module is None or not _module_matches(module, spec["title"], minutes, blocks):
            if module is None:
                order.append(spec["slug"])
            with _refusals(file, f"modules[{i}]"):
                module = _write_module(course, module, spec, minutes, blocks, user=user)
            changed = True
        modules.append(module)
    wanted = [spec["slug"] for spec in specs]
    for slug, module in existing.items():
        if slug not in wanted and module.live:
            with _refusals(file, "modules"):
                module.unpublish(user=user, log_action=True)
            notices.append(
                _(
                    "modules: '%(slug)s' is no longer in the file, so it was unpublished (kept for trainees' records)"
                )
                % {"slug": slug}
            )
            changed = True
    if [slug for slug in order if slug in wanted] != wanted:
        with _refusals(file, "modules"):
            _reorder(course, wanted, user=user)
        changed = True
    return changed, modules


def _reorder(course: CoursePage, slugs: list[str], *, user) -> None:
    """Put the modules in file order. Like the admin's own reordering, this needs the right to
    publish under the course, not the right to move pages elsewhere (which implies deleting)."""
    if user is not None and not course.permissions_for_user(user).can_reorder_children():
        raise PermissionDenied
    pks = dict(ModulePage.objects.child_of(course).values_list("slug", "pk"))
    for slug in slugs:
        module = ModulePage.objects.get(pk=pks[slug])  # fresh: each move shifts the paths
        MovePageAction(module, course, pos="last-child", user=user).execute(
            skip_permission_checks=True
        )
