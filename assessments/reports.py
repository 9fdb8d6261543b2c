"""Item analysis of a quiz, for the editors who write it: how often each question was asked, how
hard it was (facility), whether it tells strong from weak trainees (discrimination), which choices
were picked and how many matching pairs were right.

Only submitted attempts count. Questions are grouped by ``Question`` across revisions, in the
quiz's current order, followed by questions asked in the past but since removed from the quiz.
Choices are labelled with their text from the question's latest revision.

The statistics are small pure functions over plain numbers (``mean``, ``pearson``, ``ratio``,
``score_fraction``), computed exactly with ``fractions.Fraction`` so zero variance is detected
exactly, never as a rounding artefact. Loading is batched: ``quiz_report`` runs a fixed number of
queries whatever the number of attempts or questions.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from . import grading, keys
from .grading import QuestionKind
from .models import Attempt, AttemptQuestion, Question, Quiz, QuizQuestion

__all__ = [
    "ChoiceFigures",
    "QuestionFigures",
    "QuizReport",
    "mean",
    "pearson",
    "quiz_report",
    "ratio",
    "score_fraction",
]

Number = int | Decimal | Fraction | float

CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE})
REMOVED_CHOICE_LABEL = _("(choice since removed)")


# --------------------------------------------------------------------------------------------
# Statistics: pure functions over plain numbers
# --------------------------------------------------------------------------------------------


def mean(values: Iterable[Number]) -> Fraction | None:
    """The exact arithmetic mean, or None for no values."""
    exact = [Fraction(value) for value in values]
    if not exact:
        return None
    return sum(exact, Fraction(0)) / len(exact)


def ratio(part: Number, whole: Number) -> Fraction | None:
    """``part / whole`` exactly, or None when ``whole`` is zero (nothing to divide by)."""
    whole = Fraction(whole)
    if not whole:
        return None
    return Fraction(part) / whole


def score_fraction(
    awarded: Number | None, possible: Number | None, is_correct: bool | None = None
) -> Fraction | None:
    """The share of a question's points a trainee earned, from 0 to 1.

    A zero-point question has no share of points; it counts as 1 when it was answered fully
    right and 0 otherwise (``is_correct``), or None when that is unknown too. An ungraded
    question (``awarded`` or ``possible`` None) is None.
    """
    if awarded is None or possible is None:
        return None
    share = ratio(awarded, possible)
    if share is not None:
        return share
    if is_correct is None:
        return None
    return Fraction(1 if is_correct else 0)


def pearson(xs: Sequence[Number], ys: Sequence[Number]) -> float | None:
    """Pearson's correlation coefficient of two equally long samples, from -1 to 1.

    None when it is undefined: fewer than two pairs, or either sample has zero variance (every
    trainee scored the same on the question, or every attempt had the same total). Computed
    exactly and rounded once, so perfectly correlated samples give exactly 1.0 or -1.0.
    """
    if len(xs) != len(ys):
        raise ValueError(f"samples differ in length: {len(xs)} and {len(ys)}")
    if len(xs) < 2:
        return None
    exact_x = [Fraction(x) for x in xs]
    exact_y = [Fraction(y) for y in ys]
    mean_x = sum(exact_x, Fraction(0)) / len(exact_x)
    mean_y = sum(exact_y, Fraction(0)) / len(exact_y)
    dx = [x - mean_x for x in exact_x]
    dy = [y - mean_y for y in exact_y]
    sxx = sum((d * d for d in dx), Fraction(0))
    syy = sum((d * d for d in dy), Fraction(0))
    if not sxx or not syy:
        return None
    sxy = sum((a * b for a, b in zip(dx, dy, strict=True)), Fraction(0))
    # r² is exact and at most 1 (Cauchy-Schwarz), so the result never strays outside [-1, 1].
    return math.copysign(math.sqrt(sxy * sxy / (sxx * syy)), sxy)


# --------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceFigures:
    """How often one choice was picked where its question was asked as a choice question.

    ``is_correct`` is the choice's key in the question's latest revision; None for a choice
    since removed from the question.
    """

    choice_id: int
    label: str
    is_correct: bool | None
    removed: bool
    picked: int
    share: float | None


@dataclass(frozen=True, slots=True)
class QuestionFigures:
    """One question's figures over the submitted attempts that asked it.

    ``facility`` is the mean share of the question's points earned (0 hard, 1 easy);
    ``discrimination`` the correlation between that share and the attempt's total percent
    (None when undefined). ``position`` is the place in the quiz today, None when removed.
    """

    question_id: int
    label: str
    kind: str
    kind_label: str
    position: int | None
    removed: bool
    times_asked: int
    facility: float | None
    discrimination: float | None
    choices: tuple[ChoiceFigures, ...] = ()
    pairs_total: int = 0
    pairs_correct: int = 0
    pairs_correct_share: float | None = None

    @property
    def is_matching(self) -> bool:
        return self.kind == QuestionKind.MATCHING or bool(self.pairs_total)


@dataclass(frozen=True, slots=True)
class QuizReport:
    quiz: Quiz
    submitted: int
    trainees: int
    passed: int
    pass_rate: float | None
    questions: tuple[QuestionFigures, ...] = field(default_factory=tuple)


@dataclass(slots=True)
class _Tally:
    """What one question collected over the rows that asked it."""

    times_asked: int = 0
    scores: list[Fraction] = field(default_factory=list)
    score_percent_pairs: list[tuple[Fraction, Decimal]] = field(default_factory=list)
    asked_as_choice: int = 0
    picks: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    pairs_total: int = 0
    pairs_correct: int = 0


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _counts(saved_at: datetime | None, deadline: datetime | None) -> bool:
    """Whether a saved answer counted toward the grade (the grading rule for late answers)."""
    return saved_at is not None and grading.answers_count(saved_at=saved_at, deadline=deadline)


def _from_revision(question_id: int, content: dict) -> Question:
    """The question as stored in a revision, with its choices and pairs, built in memory.

    Unlike ``with_content_json`` this does not check that each foreign key still exists (one
    query per key and per choice): the report only reads choice and pair texts and ids.
    """
    question = Question.from_serializable_data(content, check_fks=False)
    question.pk = question_id
    return question


def _latest_choices(question: Question) -> list[tuple[int, str, bool]]:
    """(id, text, correct) of each choice in the question's latest revision, in order."""
    revision = question.latest_revision
    source = _from_revision(question.pk, revision.content) if revision is not None else question
    return [(choice.pk, choice.text, choice.is_correct) for choice in source.choices.all()]


def _pair_counts(
    asked: Question | None, matches: dict | None, counted: bool
) -> tuple[int, int] | None:
    """(correct pairs, pairs) of one matching answer, graded as ``grading`` grades it."""
    if asked is None:
        return None
    try:
        key = keys.key_for(asked)
    except ValueError:
        # A malformed revision cannot be graded, so it cannot be analysed either.
        return None
    response = None
    if counted and matches:
        response = grading.Response(
            matches={int(left): int(right) for left, right in matches.items()}
        )
    result = grading.grade_question(key, response, partial_credit=False)
    return len(key.pairs) - len(result.wrong_left_ids), len(key.pairs)


ROW_FIELDS = (
    "question_id",
    "revision_id",
    "kind",
    "choice_order",
    "points_possible",
    "points_awarded",
    "is_correct",
    "attempt__percent",
    "attempt__deadline",
    "answer__choice_ids",
    "answer__matches",
    "answer__saved_at",
)


def quiz_report(quiz: Quiz) -> QuizReport:
    """Every figure of ``quiz``'s report, in six queries whatever the number of attempts.

    The asked questions are streamed, so a quiz with many attempts does not sit in memory.
    """
    submitted = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False)
    summary = submitted.aggregate(
        submitted=Count("pk"),
        trainees=Count("trainee", distinct=True),
        passed=Count("pk", filter=Q(passed=True)),
    )
    current_ids = list(
        QuizQuestion.objects.filter(quiz=quiz)
        .order_by("sort_order", "pk")
        .values_list("question_id", flat=True)
    )
    asked = AttemptQuestion.objects.filter(
        attempt__quiz=quiz, attempt__submitted_at__isnull=False
    ).order_by()
    asked_versions = set(asked.values_list("question_id", "revision_id", "kind").distinct())

    asked_ids = {question_id for question_id, _revision_id, _kind in asked_versions}
    removed_ids = sorted(asked_ids - set(current_ids))
    questions = Question.objects.select_related("latest_revision").in_bulk(
        [*current_ids, *removed_ids]
    )
    matching_revision_ids = {
        revision_id
        for _question_id, revision_id, kind in asked_versions
        if kind == QuestionKind.MATCHING
    }
    as_asked = {}
    if matching_revision_ids:
        for revision in Revision.objects.filter(pk__in=matching_revision_ids):
            as_asked[revision.pk] = _from_revision(int(revision.object_id), revision.content)

    tallies: dict[int, _Tally] = defaultdict(_Tally)
    for (
        question_id,
        revision_id,
        kind,
        choice_order,
        possible,
        awarded,
        is_correct,
        percent,
        deadline,
        choice_ids,
        matches,
        saved_at,
    ) in asked.values_list(*ROW_FIELDS).iterator(chunk_size=2000):
        tally = tallies[question_id]
        tally.times_asked += 1
        score = score_fraction(awarded, possible, is_correct)
        if score is not None:
            tally.scores.append(score)
            if percent is not None:
                tally.score_percent_pairs.append((score, percent))
        counted = _counts(saved_at, deadline)
        if kind in CHOICE_KINDS:
            tally.asked_as_choice += 1
            if counted:
                offered = set(choice_order or ())
                for choice_id in set(choice_ids or ()):
                    # Count only what this trainee was shown (the services refuse the rest).
                    if not offered or choice_id in offered:
                        tally.picks[int(choice_id)] += 1
        elif kind == QuestionKind.MATCHING:
            counts = _pair_counts(as_asked.get(revision_id), matches, counted)
            if counts is not None:
                tally.pairs_correct += counts[0]
                tally.pairs_total += counts[1]

    kind_labels = dict(Question.KIND_CHOICES)
    figures = []
    ordered = [(qid, index) for index, qid in enumerate(current_ids, start=1)]
    ordered += [(qid, None) for qid in removed_ids]
    for question_id, position in ordered:
        question = questions.get(question_id)
        if question is None:
            continue
        tally = tallies.get(question_id) or _Tally()
        figures.append(
            _question_figures(question, position, tally, kind_labels.get(question.kind, ""))
        )

    return QuizReport(
        quiz=quiz,
        submitted=summary["submitted"],
        trainees=summary["trainees"],
        passed=summary["passed"],
        pass_rate=_as_float(ratio(summary["passed"], summary["submitted"])),
        questions=tuple(figures),
    )


def _question_figures(
    question: Question, position: int | None, tally: _Tally, kind_label: str
) -> QuestionFigures:
    choices: list[ChoiceFigures] = []
    if question.kind in CHOICE_KINDS or tally.picks:
        known = set()
        for choice_id, text, is_correct in _latest_choices(question):
            known.add(choice_id)
            picked = tally.picks.get(choice_id, 0)
            choices.append(
                ChoiceFigures(
                    choice_id=choice_id,
                    label=text,
                    is_correct=is_correct,
                    removed=False,
                    picked=picked,
                    share=_as_float(ratio(picked, tally.asked_as_choice)),
                )
            )
        for choice_id in sorted(set(tally.picks) - known):
            picked = tally.picks[choice_id]
            choices.append(
                ChoiceFigures(
                    choice_id=choice_id,
                    label=str(REMOVED_CHOICE_LABEL),
                    is_correct=None,
                    removed=True,
                    picked=picked,
                    share=_as_float(ratio(picked, tally.asked_as_choice)),
                )
            )
    xs = [score for score, _percent in tally.score_percent_pairs]
    ys = [percent for _score, percent in tally.score_percent_pairs]
    return QuestionFigures(
        question_id=question.pk,
        label=html.unescape(str(question)),
        kind=question.kind,
        kind_label=str(kind_label),
        position=position,
        removed=position is None,
        times_asked=tally.times_asked,
        facility=_as_float(mean(tally.scores)),
        discrimination=pearson(xs, ys),
        choices=tuple(choices),
        pairs_total=tally.pairs_total,
        pairs_correct=tally.pairs_correct,
        pairs_correct_share=_as_float(ratio(tally.pairs_correct, tally.pairs_total)),
    )
