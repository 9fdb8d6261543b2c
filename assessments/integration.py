"""How quizzes plug into courses without courses importing them: a passed quiz is a course
completion requirement, and a module page shows its quiz."""

from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from cms.dashboard import Panel
from courses.completion import Requirement

from . import selectors
from .models import Attempt


@hooks.register("register_course_requirements")
def quizzes_passed(pairs):
    """Every quiz of a course's live modules, and its final quiz, must be passed."""
    module_ids = {module.pk for _enrollment, modules in pairs for module in modules}
    course_ids = {enrollment.course_id for enrollment, _modules in pairs}
    quizzes = selectors.quizzes_for(module_ids, course_ids)
    requirements = {enrollment.pk: [] for enrollment, _modules in pairs}
    if not quizzes:
        return requirements
    trainees = {enrollment.trainee_id for enrollment, _modules in pairs}
    passed = set(
        Attempt.objects.filter(quiz__in=quizzes, trainee_id__in=trainees, passed=True).values_list(
            "quiz_id", "trainee_id"
        )
    )
    by_module = {quiz.module_id: quiz for quiz in quizzes if quiz.module_id}
    by_course = {quiz.course_id: quiz for quiz in quizzes if quiz.course_id}
    for enrollment, modules in pairs:
        wanted = [by_module[m.pk] for m in modules if m.pk in by_module]
        if enrollment.course_id in by_course:
            wanted.append(by_course[enrollment.course_id])
        requirements[enrollment.pk] = [
            Requirement(
                label=_("Pass the quiz: %(title)s") % {"title": quiz.title},
                met=(quiz.pk, enrollment.trainee_id) in passed,
                url=reverse("quiz_detail", args=[quiz.pk]),
            )
            for quiz in wanted
        ]
    return requirements


@hooks.register("register_module_sections")
def module_quiz(request, module, enrollment):
    quiz = selectors.quizzes_for({module.pk}, set())
    if not quiz:
        return None
    quiz = quiz[0]
    attempts = selectors.attempts_of(request.user, quiz) if enrollment else []
    best = max((a.percent for a in attempts if a.percent is not None), default=None)
    return Panel(
        "assessments/module_section.html",
        50,
        {
            "quiz": quiz,
            "passed": any(a.passed for a in attempts),
            "open_attempt": next((a for a in attempts if a.is_open), None),
            "best": best,
            "question_count": quiz.draw or quiz.quiz_questions.count(),
            "rules": selectors.rules_of(quiz),
        },
    )
