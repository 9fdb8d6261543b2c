"""When is a course complete? A pure decision over plain values, plus the registry through which
other apps (quizzes) add requirements without this app importing them.

A course is complete when every live module is marked done and every extra requirement is met.
An app that adds requirements registers a provider with the ``register_course_requirements``
Wagtail hook: a function ``provider(pairs) -> dict[enrollment_id, list[Requirement]]`` taking
``(enrollment, modules)`` pairs, so a dashboard of many courses costs one query per provider. When something
changes that could complete a course (a quiz passed), that app calls
``courses.services.enrollment_refresh_completion``.
"""

from dataclasses import dataclass, field

from wagtail import hooks


@dataclass(frozen=True)
class Requirement:
    label: str
    met: bool
    url: str = ""


@dataclass(frozen=True)
class CourseStatus:
    modules_total: int
    modules_done: int
    next_module_id: int | None
    unmet: tuple[Requirement, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return self.modules_total > 0 and self.modules_done == self.modules_total and not self.unmet

    @property
    def percent(self) -> int:
        if not self.modules_total:
            return 0
        return round(100 * self.modules_done / self.modules_total)


def evaluate(
    *, module_ids: list[int], done_ids: set[int], requirements: list[Requirement]
) -> CourseStatus:
    """Decide a course's status. ``module_ids`` are the live modules in teaching order; the next
    module is the first one not done."""
    done = [module_id for module_id in module_ids if module_id in done_ids]
    next_module = next((m for m in module_ids if m not in done_ids), None)
    return CourseStatus(
        modules_total=len(module_ids),
        modules_done=len(done),
        next_module_id=next_module,
        unmet=tuple(r for r in requirements if not r.met),
    )


def extra_requirements(pairs) -> dict[int, list[Requirement]]:
    """Requirements beyond modules for each ``(enrollment, modules)`` pair, by enrollment id."""
    requirements: dict[int, list[Requirement]] = {enrollment.pk: [] for enrollment, _ in pairs}
    if not pairs:
        return requirements
    for provider in hooks.get_hooks("register_course_requirements"):
        for enrollment_id, extra in provider(pairs).items():
            requirements[enrollment_id].extend(extra)
    return requirements
