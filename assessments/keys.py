"""Turn stored questions, as asked (their revision), into the plain values ``grading`` decides on.

An attempt records the revision of each question it asked. The revision's content holds the
question's choices and pairs with their ids, so grading a past attempt never depends on how the
question reads today. Loading is batched: two queries for any number of questions.
"""

from wagtail.models import Revision

from .grading import QuestionKey, QuestionKind, Response
from .models import Question


def questions_as_asked(revision_ids: list[int]) -> dict[int, Question]:
    """Revision id → the question as it was in that revision (with its choices and pairs)."""
    revisions = Revision.objects.filter(pk__in=set(revision_ids)).only("pk", "object_id", "content")
    return {revision.pk: _as_asked(revision) for revision in revisions}


def _as_asked(revision: Revision) -> Question:
    # Rebuilt from the revision alone. Foreign keys are not checked against the database
    # (``check_fks=False``): grading needs only the question's own values and children, and
    # checking would cost a query per question.
    question = Question.from_serializable_data(revision.content, check_fks=False)
    question.pk = int(revision.object_id)
    return question


def key_for(question: Question) -> QuestionKey:
    kind = QuestionKind(question.kind)
    if kind == QuestionKind.MATCHING:
        pair_ids = [pair.pk for pair in question.pairs.all()]
        return QuestionKey(kind=kind, points=question.points, pairs={pk: pk for pk in pair_ids})
    choices = list(question.choices.all())
    return QuestionKey(
        kind=kind,
        points=question.points,
        choice_ids=frozenset(choice.pk for choice in choices),
        correct_choice_ids=frozenset(choice.pk for choice in choices if choice.is_correct),
    )


def option_ids(question: Question) -> list[int]:
    """The ids a trainee chooses among: choices, or for matching the pairs' right items."""
    if question.kind == QuestionKind.MATCHING:
        return [pair.pk for pair in question.pairs.all()]
    return [choice.pk for choice in question.choices.all()]


def response_for(answer) -> Response | None:
    if answer is None:
        return None
    return Response(
        choice_ids=frozenset(int(pk) for pk in answer.choice_ids),
        matches={int(left): int(right) for left, right in answer.matches.items()},
    )
