"""What course-package import and export share: the format's name, the quiz settings and their
defaults, how block values are compared, and the reading of a course's quizzes.

Import (``courses.packages``), the file checks (``courses.package_checks``) and export
(``courses.package_export``) each take what they need from here, so none depends on another.
"""

from django.db.models import Prefetch, Q, prefetch_related_objects

from assessments.grading import QuestionKind  # plain Python, no models: safe at import time

from .models import CoursePage

FORMAT = "course-package/1"

# A quiz's settings in schema order, with the value an absent key means. ``max_attempts``
# absent is unlimited, like null. Export leaves out every setting equal to its default.
QUIZ_DEFAULTS = {
    "max_attempts": None,
    "retry_after_minutes": 0,
    "time_limit_minutes": None,
    "shuffle_questions": False,
    "shuffle_choices": False,
    "draw": None,
    "partial_credit": False,
    "review": "mistakes",
}
QUIZ_SETTINGS = ("title", "pass_mark", *QUIZ_DEFAULTS)
DEFAULT_POINTS = 1
TRUE, FALSE = "True", "False"  # the two choices a true-or-false question is stored as
# Rich text fields of each block type, and list fields (stored as ListBlock items with ids).
RICH_FIELDS = {
    "callout": ("text",),
    "scenario": ("situation", "discussion"),
    "video": ("transcript",),
}
LIST_FIELDS = {"key_points": ("items",), "scenario": ("questions",)}


def quiz_models():
    """The quiz engine's models. ``assessments.models`` imports ``courses.models``, so importing
    it at the top of this module would make an import cycle when Django loads the apps; it is
    imported when a package is read or written instead. Courses depend on the quiz engine only
    here, because the package format includes quizzes by contract."""
    from assessments import models

    return models


def plain(value):
    """A stored block value without ListBlock item wrappers and ids, for comparing."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [
            plain(item["value"])
            if isinstance(item, dict) and item.get("type") == "item"
            else plain(item)
            for item in value
        ]
    return value


def course_quizzes(course: CoursePage, modules: list, *, related: str) -> dict:
    """The quizzes of ``course`` and of ``modules``, keyed ``("module", pk)`` or
    ``("course", pk)``, with their questions in order (``related`` is joined to each question),
    and the choices or pairs each question's kind uses: four queries at most for a course."""
    m = quiz_models()
    rows = m.QuizQuestion.objects.select_related(related).order_by("sort_order", "pk")
    quizzes = list(
        m.Quiz.objects.filter(
            Q(module__in=[module.pk for module in modules]) | Q(course=course)
        ).prefetch_related(Prefetch("quiz_questions", queryset=rows))
    )
    questions = [row.question for quiz in quizzes for row in quiz.quiz_questions.all()]
    by_pairs = [q for q in questions if q.kind == QuestionKind.MATCHING]
    prefetch_related_objects([q for q in questions if q.kind != QuestionKind.MATCHING], "choices")
    prefetch_related_objects(by_pairs, "pairs")
    return {
        ("module" if quiz.module_id else "course", quiz.module_id or quiz.course_id): quiz
        for quiz in quizzes
    }
