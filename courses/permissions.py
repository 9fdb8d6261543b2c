"""Who may do what with courses. Views ask here (or use the selectors that mirror it)."""

import rules

from .models import CoursePage, Enrollment, ModulePage


@rules.predicate
def is_enrolled_in(user, page):
    """``page`` is a course or one of its modules."""
    if not getattr(user, "is_authenticated", False) or page is None:
        return False
    if isinstance(page, ModulePage):
        course_path = page.path[: -ModulePage.steplen]
        return Enrollment.objects.filter(trainee=user, course__path=course_path).exists()
    if isinstance(page, CoursePage):
        return Enrollment.objects.filter(trainee=user, course=page).exists()
    return False


rules.add_perm("courses.study_module", is_enrolled_in)
