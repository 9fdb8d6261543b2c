from .learning import (
    Enrollment,
    EnrollmentQuerySet,
    ModuleCompletion,
    ReflectionAnswer,
    TrainingHourCredit,
)
from .pages import (
    DELIVERY_CHOICES,
    CourseContactHours,
    CourseIndexPage,
    CoursePage,
    CoursePrerequisite,
    Domain,
    ModulePage,
)

__all__ = [
    "DELIVERY_CHOICES",
    "CourseContactHours",
    "CourseIndexPage",
    "CoursePage",
    "CoursePrerequisite",
    "Domain",
    "Enrollment",
    "EnrollmentQuerySet",
    "ModuleCompletion",
    "ModulePage",
    "ReflectionAnswer",
    "TrainingHourCredit",
]
