"""Writing a course back out as a course package (``course-package/1``): the pages, their blocks
as Markdown, contact hours and quizzes, in a form that imports again without a change.
"""

import json
from decimal import Decimal

from django.conf import settings
from wagtail.rich_text import expand_db_html

from assessments.grading import QuestionKind  # plain Python, no models: safe at import time

from .models import CoursePage
from .package_format import (
    DEFAULT_POINTS,
    FALSE,
    FORMAT,
    QUIZ_DEFAULTS,
    TRUE,
    course_quizzes,
    plain,
)
from .packages_markdown import rich_text_to_markdown


def _markdown(rich_text: str) -> str:
    """Stored rich text as Markdown, with links to this site's pages made absolute."""
    return rich_text_to_markdown(expand_db_html(rich_text or ""), base_url=settings.SITE_URL + "/")


def _export_block(item: dict) -> dict | None:
    kind, value = item.get("type"), plain(item.get("value"))
    if kind == "heading":
        return {"type": kind, "text": value}
    if kind == "text":
        return {"type": kind, "markdown": _markdown(value)}
    if kind == "key_points":
        return {"type": kind, "items": value.get("items", [])}
    if kind == "reflection":
        return {"type": kind, "prompt": value.get("prompt", "")}
    if kind == "callout":
        block = {
            "type": kind,
            "tone": value.get("tone") or "info",
            "title": value.get("title"),
            "markdown": _markdown(value.get("text")),
        }
    elif kind == "scenario":
        block = {
            "type": kind,
            "title": value.get("title", ""),
            "situation": _markdown(value.get("situation")),
            "questions": value.get("questions"),
            "discussion": _markdown(value.get("discussion")),
        }
    elif kind == "video":
        block = {
            "type": kind,
            "url": value.get("url", ""),
            "title": value.get("title"),
            "transcript": _markdown(value.get("transcript")),
        }
    else:
        return None
    return {
        key: item
        for key, item in block.items()
        if item or key in ("situation", "markdown", "transcript")
    }


def export_course(course: CoursePage) -> dict:
    """The package document for ``course``: its live content and live modules with their
    quizzes, keys in schema order, empty optional fields and default settings left out, and
    every domain code it uses declared."""
    hours = list(course.contact_hours.select_related("domain"))
    prerequisites = [
        link.prerequisite.slug for link in course.prerequisite_links.select_related("prerequisite")
    ]
    objectives = [item.get("value") for item in course.objectives.raw_data]
    modules = list(course.modules())
    quizzes = course_quizzes(course, modules, related="question__domain")
    used = {row.domain.code: row.domain for row in hours}
    module_docs = []
    for module in modules:
        module_doc = {
            "slug": module.slug,
            "title": module.title,
            "minutes": module.minutes,
            "body": [block for block in map(_export_block, module.body.raw_data) if block],
        }
        quiz = _export_quiz(quizzes.get(("module", module.pk)), used)
        if quiz:
            module_doc["quiz"] = quiz
        module_docs.append(module_doc)
    final_quiz = _export_quiz(quizzes.get(("course", course.pk)), used)
    doc = {"format": FORMAT, "slug": course.slug, "title": course.title, "summary": course.summary}
    optional = {
        "objectives": objectives,
        "delivery": course.delivery,
        "domains": [{"code": domain.code, "name": domain.name} for domain in used.values()],
        "contact_hours": [
            {"domain": row.domain.code, "hours": _number(row.hours)} for row in hours
        ],
        "prerequisites": prerequisites,
        "content_note": course.content_note,
    }
    doc.update({key: value for key, value in optional.items() if value})
    doc["modules"] = module_docs
    if final_quiz:
        doc["final_quiz"] = final_quiz
    return doc


def _export_quiz(quiz, domains: dict) -> dict | None:
    """A quiz in the schema's shape, adding the domains its questions use to ``domains``. A
    quiz left without questions (in the admin) cannot be written in the format: it is left out."""
    questions = [row.question for row in quiz.quiz_questions.all()] if quiz else []
    if not questions:
        return None
    doc = {"title": quiz.title, "pass_mark": quiz.pass_mark}
    doc.update(
        {
            name: getattr(quiz, name)
            for name, default in QUIZ_DEFAULTS.items()
            if getattr(quiz, name) != default
        }
    )
    doc["questions"] = [_export_question(question, domains) for question in questions]
    return doc


def _export_question(question, domains: dict) -> dict:
    doc = {"type": question.kind, "prompt": _markdown(question.prompt)}
    if question.domain_id:
        doc["domain"] = question.domain.code
        domains.setdefault(question.domain.code, question.domain)
    if question.points != DEFAULT_POINTS:
        doc["points"] = question.points
    explanation = _markdown(question.explanation)
    if explanation:
        doc["explanation"] = explanation
    if question.kind == QuestionKind.MATCHING:
        doc["pairs"] = [{"left": pair.left, "right": pair.right} for pair in question.pairs.all()]
        return doc
    choices = list(question.choices.all())
    if question.kind == QuestionKind.TRUE_FALSE:
        doc["answer"] = _true_false_answer(choices)
        return doc
    doc["choices"] = [
        {
            "text": c.text,
            "correct": c.is_correct,
            **({"feedback": c.feedback} if c.feedback else {}),
        }
        for c in choices
    ]
    return doc


def _true_false_answer(choices: list) -> bool:
    """Whether "True" is the right answer: the correct choice is the one called True, or (if an
    editor renamed the two choices) the first of them."""
    correct = next((choice for choice in choices if choice.is_correct), None)
    if correct is None:
        return False
    names = {choice.text.strip().lower() for choice in choices}
    if names == {TRUE.lower(), FALSE.lower()}:
        return correct.text.strip().lower() == TRUE.lower()
    return correct is choices[0]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def dump_package(doc: dict) -> str:
    """The package as the files are written: UTF-8 JSON, two-space indent, final newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
