"""Reads for courses, scoped to the person asking and bounded in queries."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Q, Sum

from .completion import CourseStatus, evaluate, extra_requirements
from .models import (
    CoursePage,
    Enrollment,
    ModuleCompletion,
    ModulePage,
    ReflectionAnswer,
    TrainingHourCredit,
)


def enrollment_of(user, course: CoursePage) -> Enrollment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Enrollment.objects.filter(trainee=user, course=course).first()


def done_module_ids(enrollment: Enrollment | None) -> set[int]:
    if enrollment is None:
        return set()
    return set(enrollment.completions.values_list("module_id", flat=True))


def course_status(enrollment: Enrollment | None, modules: list[ModulePage]) -> CourseStatus:
    done = done_module_ids(enrollment)
    requirements = extra_requirements([(enrollment, modules)])[enrollment.pk] if enrollment else []
    return evaluate(
        module_ids=[module.pk for module in modules], done_ids=done, requirements=requirements
    )


def unmet_prerequisites(user, course: CoursePage) -> list[CoursePage]:
    """The prerequisite courses ``user`` has not completed yet, in the course's order."""
    prerequisites = [
        link.prerequisite for link in course.prerequisite_links.select_related("prerequisite")
    ]
    if not prerequisites:
        return []
    completed = set()
    if getattr(user, "is_authenticated", False):
        completed = set(
            Enrollment.objects.completed()
            .filter(trainee=user, course__in=prerequisites)
            .values_list("course_id", flat=True)
        )
    return [course for course in prerequisites if course.pk not in completed]


def reflections_for(user, module: ModulePage) -> dict[str, ReflectionAnswer]:
    return {
        answer.block_id: answer
        for answer in ReflectionAnswer.objects.filter(trainee=user, module=module)
    }


@dataclass
class CourseProgress:
    enrollment: Enrollment
    course: CoursePage
    modules: list[ModulePage]
    status: CourseStatus

    @property
    def next_module(self) -> ModulePage | None:
        if self.enrollment.last_module_id and self.enrollment.last_module_id in {
            m.pk for m in self.modules
        }:
            last = next(m for m in self.modules if m.pk == self.enrollment.last_module_id)
            if self.status.next_module_id is None or last.pk == self.status.next_module_id:
                return last
        return next((m for m in self.modules if m.pk == self.status.next_module_id), None)


def courses_of(user) -> list[CourseProgress]:
    """Every course ``user`` is enrolled in, with progress, in a fixed number of queries."""
    enrollments = list(
        Enrollment.objects.filter(trainee=user)
        .select_related("course")
        .order_by("completed_at", "-enrolled_at")
    )
    if not enrollments:
        return []
    courses = [enrollment.course for enrollment in enrollments]
    modules_by_course: dict[str, list[ModulePage]] = defaultdict(list)
    module_filter = reduce(or_, (Q(path__startswith=course.path) for course in courses))
    for module in (
        ModulePage.objects.live()
        .filter(module_filter, depth=courses[0].depth + 1)
        .only("pk", "path", "depth", "title", "url_path", "slug", "minutes")
        .order_by("path")
    ):
        modules_by_course[module.path[: -ModulePage.steplen]].append(module)
    requirements = extra_requirements(
        [(enrollment, modules_by_course[enrollment.course.path]) for enrollment in enrollments]
    )
    done: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, module_id in ModuleCompletion.objects.filter(
        enrollment__in=enrollments
    ).values_list("enrollment_id", "module_id"):
        done[enrollment_id].add(module_id)
    progress = []
    for enrollment in enrollments:
        modules = modules_by_course[enrollment.course.path]
        status = evaluate(
            module_ids=[m.pk for m in modules],
            done_ids=done[enrollment.pk],
            requirements=requirements[enrollment.pk],
        )
        progress.append(CourseProgress(enrollment, enrollment.course, modules, status))
    return progress


def training_hours_by_domain(user) -> list[dict]:
    """The trainee's training-hours ledger summed by domain: ``[{code, name, hours}]``."""
    rows = (
        TrainingHourCredit.objects.filter(trainee=user)
        .values("domain__code", "domain__name")
        .annotate(hours=Sum("hours"))
        .order_by("domain__name")
    )
    return [
        {
            "code": row["domain__code"],
            "name": row["domain__name"],
            "hours": row["hours"] or Decimal(0),
        }
        for row in rows
    ]


def completed_course_slugs(user) -> set[str]:
    return set(
        Enrollment.objects.completed().filter(trainee=user).values_list("course__slug", flat=True)
    )


def training_hours_by_day(user) -> list[tuple[str, object, Decimal]]:
    """The training-hours ledger as ``(domain code, date, hours)``, summed per day by the
    database (so it stays small however many courses a trainee completes)."""
    return [
        (code, day, hours or Decimal(0))
        for code, day, hours in TrainingHourCredit.objects.filter(trainee=user)
        .values("domain__code", "earned_on")
        .annotate(hours=Sum("hours"))
        .values_list("domain__code", "earned_on", "hours")
        .order_by("earned_on")
    ]


def personal_data(user) -> dict:
    """The person's courses, the training hours they earned and their reflections, for the
    download of their own data."""
    enrollments = (
        Enrollment.objects.filter(trainee=user)
        .select_related("course")
        .annotate(modules_done=Count("completions"))
        .order_by("enrolled_at", "pk")
    )
    credits = (
        TrainingHourCredit.objects.filter(trainee=user)
        .select_related("course", "domain")
        .order_by("earned_on", "pk")
    )
    reflections = (
        ReflectionAnswer.objects.filter(trainee=user)
        .select_related("module")
        .order_by("updated_at", "pk")
    )
    return {
        "courses": [
            {
                "course": enrollment.course.title,
                "enrolled_at": enrollment.enrolled_at,
                "completed_at": enrollment.completed_at,
                "modules_done": enrollment.modules_done,
            }
            for enrollment in enrollments
        ],
        "training_hours": [
            {
                "course": credit.course.title,
                "domain": credit.domain.name,
                "hours": credit.hours,
                "earned_on": credit.earned_on,
            }
            for credit in credits
        ],
        "reflections": [
            {"module": answer.module.title, "text": answer.text, "updated_at": answer.updated_at}
            for answer in reflections
        ],
    }
