"""Who may do what with quizzes. Views ask here or use the selectors that mirror it."""

import rules

from courses.permissions import is_enrolled_in

from .models import Attempt, Quiz


@rules.predicate
def owns_attempt(user, attempt):
    return (
        getattr(user, "is_authenticated", False)
        and isinstance(attempt, Attempt)
        and attempt.trainee_id == user.pk
    )


@rules.predicate
def may_take_quiz(user, quiz):
    if not isinstance(quiz, Quiz):
        return False
    return is_enrolled_in(user, quiz.course if quiz.course_id else quiz.module)


rules.add_perm("assessments.take_quiz", may_take_quiz)
rules.add_perm("assessments.view_attempt", owns_attempt)
