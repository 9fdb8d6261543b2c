"""The decisions of the certification quiz engine, as pure functions over plain values.

A certification board may ask us to show how any score was reached, years later. So this
module holds every grading and attempt-policy decision and nothing else: no Django, no
database, no clock. The service layer loads keys, responses and past attempts, reads the
clock once, and passes them in; the same inputs always give the same answer, which is what
makes a score reproducible and these rules testable without a database.

Points are kept exact as ``fractions.Fraction`` while grading (a third of a point stays a
third), and only the values we show or store are turned into ``decimal.Decimal`` rounded to
two places with ROUND_HALF_UP, the rounding a human auditor expects. Totals and the pass
decision are computed from the exact fractions, never from rounded numbers, so rounding can
never turn a fail into a pass.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

__all__ = [
    "Accommodation",
    "AttemptResult",
    "PastAttempt",
    "QuestionKey",
    "QuestionKind",
    "QuestionResult",
    "QuizRules",
    "Response",
    "StartDecision",
    "answers_count",
    "choice_order",
    "deadline",
    "draw_questions",
    "grade_attempt",
    "grade_question",
    "may_start",
]

_EMPTY_MAPPING: Mapping[int, int] = MappingProxyType({})


# --------------------------------------------------------------------------------------------
# Exact numbers
# --------------------------------------------------------------------------------------------


def _to_decimal(value: Fraction | int) -> Decimal:
    """Round an exact value to two places, half away from zero (ROUND_HALF_UP).

    Done with integer arithmetic rather than ``Decimal`` division so there is no
    intermediate rounding at the context precision: the published number is the exact
    value rounded once, which is what an auditor recomputing it by hand will get.
    """
    exact = Fraction(value) * 100
    sign = -1 if exact < 0 else 1
    quotient, remainder = divmod(abs(exact.numerator), exact.denominator)
    if 2 * remainder >= exact.denominator:
        quotient += 1
    return Decimal(sign * quotient).scaleb(-2)


# --------------------------------------------------------------------------------------------
# Question keys and responses
# --------------------------------------------------------------------------------------------


class QuestionKind(StrEnum):
    """How a question is answered, and so how it is scored.

    A ``StrEnum`` so the value stored in the database (``"true_false"``) is the member.
    """

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    MATCHING = "matching"


def _frozen_ids(ids: Iterable[int]) -> frozenset[int]:
    return ids if isinstance(ids, frozenset) else frozenset(ids)


def _frozen_mapping(mapping: Mapping[int, int]) -> Mapping[int, int]:
    """Copy into a read-only mapping, so a caller mutating its dict cannot change a grade."""
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class QuestionKey:
    """The answer key of one question, as authored.

    ``single``, ``multiple`` and ``true_false`` use ``choice_ids`` (every choice shown) and
    ``correct_choice_ids`` (the right ones); a true/false question is two choices, "True"
    and "False". ``matching`` uses ``pairs``: each left-item id mapped to the id of its
    right item (two left items may share a right item). The fields a kind does not use must
    be empty.

    A malformed key raises ``ValueError`` on construction: it is an authoring bug, and
    grading trainees against it would publish scores nobody can defend. Keys are immutable
    and hashable; ``pairs`` is copied into a read-only mapping.
    """

    kind: QuestionKind
    points: int
    correct_choice_ids: frozenset[int] = frozenset()
    choice_ids: frozenset[int] = frozenset()
    pairs: Mapping[int, int] = field(default_factory=lambda: _EMPTY_MAPPING)

    def __post_init__(self) -> None:
        kind = QuestionKind(self.kind)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "correct_choice_ids", _frozen_ids(self.correct_choice_ids))
        object.__setattr__(self, "choice_ids", _frozen_ids(self.choice_ids))
        object.__setattr__(self, "pairs", _frozen_mapping(self.pairs))

        if isinstance(self.points, bool) or not isinstance(self.points, int) or self.points < 0:
            raise ValueError(f"points must be a non-negative int, got {self.points!r}")
        if kind is QuestionKind.MATCHING:
            if not self.pairs:
                raise ValueError("a matching question needs at least one pair")
            if self.choice_ids or self.correct_choice_ids:
                raise ValueError("a matching question is keyed by pairs, not choices")
            return
        if self.pairs:
            raise ValueError(f"a {kind} question is keyed by choices, not pairs")
        if not self.correct_choice_ids <= self.choice_ids:
            raise ValueError("every correct choice must be one of the question's choices")
        if kind is QuestionKind.MULTIPLE:
            if not self.correct_choice_ids:
                raise ValueError("a multiple-answer question needs at least one correct choice")
            return
        if len(self.correct_choice_ids) != 1:
            raise ValueError(f"a {kind} question needs exactly one correct choice")
        if kind is QuestionKind.TRUE_FALSE and len(self.choice_ids) != 2:
            raise ValueError("a true/false question has exactly two choices, True and False")

    def __hash__(self) -> int:
        return hash(
            (
                self.kind,
                self.points,
                self.correct_choice_ids,
                self.choice_ids,
                frozenset(self.pairs.items()),
            )
        )


@dataclass(frozen=True, slots=True)
class Response:
    """What a trainee picked: choice ids, or left-item id -> right-item id matches.

    Immutable and hashable; ``matches`` is copied into a read-only mapping. The ids are
    whatever the browser sent: grading ignores any that do not belong to the question.
    """

    choice_ids: frozenset[int] = frozenset()
    matches: Mapping[int, int] = field(default_factory=lambda: _EMPTY_MAPPING)

    def __post_init__(self) -> None:
        object.__setattr__(self, "choice_ids", _frozen_ids(self.choice_ids))
        object.__setattr__(self, "matches", _frozen_mapping(self.matches))

    def __hash__(self) -> int:
        return hash((self.choice_ids, frozenset(self.matches.items())))


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """The grade of one question, with what to show the trainee on review.

    ``is_correct`` means full marks (the answer was entirely right; for a zero-point
    question, that it would have earned full marks). ``wrong_choice_ids`` are choices picked
    that are not correct, ``missed_choice_ids`` correct choices not picked.
    ``wrong_left_ids`` are the left items of a matching question that did not earn their
    pair: matched to the wrong right item or left unmatched. Ids foreign to the question
    never appear in any of these sets.
    """

    points_possible: Decimal
    points_awarded: Decimal
    is_correct: bool
    wrong_choice_ids: frozenset[int]
    missed_choice_ids: frozenset[int]
    wrong_left_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Graded:
    """A question result plus the exact credit, so attempt totals never add rounded numbers."""

    credit: Fraction
    awarded: Fraction
    result: QuestionResult


def _grade(key: QuestionKey, response: Response | None, *, partial_credit: bool) -> _Graded:
    response = response or Response()
    wrong: frozenset[int] = frozenset()
    missed: frozenset[int] = frozenset()
    wrong_left: frozenset[int] = frozenset()

    if key.kind is QuestionKind.MATCHING:
        # A match on a left item this question does not have is dropped; a match to a right
        # item it does not have simply fails to equal the key, so it scores nothing either.
        right_lefts = frozenset(
            left for left, right in key.pairs.items() if response.matches.get(left) == right
        )
        wrong_left = frozenset(key.pairs) - right_lefts
        credit = Fraction(len(right_lefts), len(key.pairs))
    else:
        # Defence in depth: the service layer refuses choice ids from other questions before
        # they get here, but if one slips through it is ignored, never scored, never raised.
        picked = response.choice_ids & key.choice_ids
        wrong = picked - key.correct_choice_ids
        missed = key.correct_choice_ids - picked
        right_picks = len(picked & key.correct_choice_ids)
        if key.kind is QuestionKind.MULTIPLE and partial_credit:
            # Each wrong pick cancels a right one, so ticking every box earns nothing.
            credit = Fraction(max(0, right_picks - len(wrong)), len(key.correct_choice_ids))
        else:
            # single / true_false: the one correct choice and nothing else (several picks
            # are wrong). multiple without partial credit: exactly the correct set.
            credit = Fraction(1 if picked == key.correct_choice_ids else 0)

    awarded = key.points * credit
    result = QuestionResult(
        points_possible=_to_decimal(key.points),
        points_awarded=_to_decimal(awarded),
        is_correct=credit == 1,
        wrong_choice_ids=wrong,
        missed_choice_ids=missed,
        wrong_left_ids=wrong_left,
    )
    return _Graded(credit=credit, awarded=awarded, result=result)


def grade_question(
    key: QuestionKey, response: Response | None, *, partial_credit: bool
) -> QuestionResult:
    """Grade one question.

    No response, or an empty one, scores 0. ``single`` and ``true_false`` score full points
    only when exactly the one correct choice is picked. ``multiple`` is all-or-nothing
    unless ``partial_credit``; then it scores points x max(0, right picks - wrong picks) /
    number of correct choices, so guessing everything is not rewarded. ``matching`` scores
    points / number of pairs for each left item matched to its own right item.

    Picks and matches naming ids that are not part of this question are ignored for scoring
    and never raise: the service layer refuses them earlier, and this is defence in depth so
    a tampered request can neither crash grading nor earn a point.
    """
    return _grade(key, response, partial_credit=partial_credit).result


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """The grade of a whole attempt.

    ``points_awarded`` and ``percent`` are rounded once from the exact total, so they may
    differ by a cent from the sum of the rounded per-question points (three thirds of a
    point total 1.00, not 0.99). ``passed`` is decided on the exact value.
    """

    points_possible: Decimal
    points_awarded: Decimal
    percent: Decimal
    passed: bool
    questions: tuple[QuestionResult, ...]


def grade_attempt(
    items: Sequence[tuple[QuestionKey, Response | None]],
    *,
    pass_mark: int,
    partial_credit: bool,
) -> AttemptResult:
    """Grade every question of an attempt and decide pass or fail.

    Passing means percent >= ``pass_mark``, compared exactly with fractions: 79.995% shows
    as 80.00 but does not pass an 80% mark, because the board's rule is about the score, not
    its display. An attempt with nothing to score (no questions, or only zero-point ones)
    has percent 0 and cannot pass: there is no evidence of competence to certify.
    """
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 0 <= pass_mark <= 100:
        raise ValueError(f"pass_mark must be an int from 0 to 100, got {pass_mark!r}")
    graded = [_grade(key, response, partial_credit=partial_credit) for key, response in items]
    possible = sum((key.points for key, _ in items), 0)
    awarded = sum((g.awarded for g in graded), Fraction(0))
    if possible:
        exact_percent = awarded * 100 / possible
        passed = exact_percent >= pass_mark
    else:
        exact_percent = Fraction(0)
        passed = False
    return AttemptResult(
        points_possible=_to_decimal(possible),
        points_awarded=_to_decimal(awarded),
        percent=_to_decimal(exact_percent),
        passed=passed,
        questions=tuple(g.result for g in graded),
    )


# --------------------------------------------------------------------------------------------
# Attempt policy
# --------------------------------------------------------------------------------------------


def _require_aware(name: str, value: datetime) -> None:
    """Refuse naive datetimes: comparing one with a UTC time is wrong by hours, silently."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")


def _require_non_negative(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")


@dataclass(frozen=True, slots=True)
class QuizRules:
    """How often and how long a trainee may take a quiz.

    ``max_attempts`` None means unlimited; ``retry_after_minutes`` is the cool-down after a
    failed attempt (0 = retry at once); ``time_limit_minutes`` None means untimed.
    """

    max_attempts: int | None
    retry_after_minutes: int
    time_limit_minutes: int | None

    def __post_init__(self) -> None:
        if self.max_attempts is not None:
            _require_non_negative("max_attempts", self.max_attempts)
            if self.max_attempts < 1:
                raise ValueError("max_attempts must be at least 1, or None for unlimited")
        _require_non_negative("retry_after_minutes", self.retry_after_minutes)
        if self.time_limit_minutes is not None:
            _require_non_negative("time_limit_minutes", self.time_limit_minutes)
            if self.time_limit_minutes < 1:
                raise ValueError("time_limit_minutes must be at least 1, or None for untimed")


@dataclass(frozen=True, slots=True)
class Accommodation:
    """A trainee's approved accommodation: extra attempts and extra time, on top of the rules."""

    extra_attempts: int = 0
    extra_time_minutes: int = 0

    def __post_init__(self) -> None:
        _require_non_negative("extra_attempts", self.extra_attempts)
        _require_non_negative("extra_time_minutes", self.extra_time_minutes)


@dataclass(frozen=True, slots=True)
class PastAttempt:
    """An attempt the trainee already started: ``submitted_at`` None means still open."""

    submitted_at: datetime | None
    passed: bool


@dataclass(frozen=True, slots=True)
class StartDecision:
    """Whether a trainee may start a new attempt now, and why not.

    ``reason`` is a stable code for the view to translate: ``"ok"``, ``"open_attempt"``
    (resume it instead), ``"already_passed"``, ``"no_attempts_left"`` or ``"wait"``.
    ``next_allowed_at`` is set only for ``"wait"``. ``attempts_left`` is the unused
    allowance given the past attempts (an open attempt counts as used), before the attempt
    being asked for; None when attempts are unlimited.
    """

    allowed: bool
    reason: str
    next_allowed_at: datetime | None
    attempts_left: int | None


def may_start(
    *,
    now: datetime,
    rules: QuizRules,
    accommodation: Accommodation,
    past: Sequence[PastAttempt],
) -> StartDecision:
    """Decide whether a new attempt may start at ``now``.

    Checked in this order, so the trainee hears the reason that matters most: an open
    attempt must be resumed, not abandoned for a fresh one (that would reset its clock);
    a pass is final; a used-up allowance does not come back by waiting; and after a failed
    attempt the next starts only ``retry_after_minutes`` after the latest submission
    (exactly at that moment is allowed). ``past`` may be in any order.
    """
    _require_aware("now", now)
    for attempt in past:
        if attempt.submitted_at is not None:
            _require_aware("submitted_at", attempt.submitted_at)

    used = len(past)
    if rules.max_attempts is None:
        attempts_left = None
    else:
        attempts_left = max(0, rules.max_attempts + accommodation.extra_attempts - used)

    def refuse(reason: str, next_allowed_at: datetime | None = None) -> StartDecision:
        return StartDecision(False, reason, next_allowed_at, attempts_left)

    if any(attempt.submitted_at is None for attempt in past):
        return refuse("open_attempt")
    if any(attempt.passed for attempt in past):
        return refuse("already_passed")
    if attempts_left == 0:
        return refuse("no_attempts_left")
    submissions = [a.submitted_at for a in past if a.submitted_at is not None]
    if submissions:
        # Every past attempt is a submitted fail by now; the cool-down runs from the latest.
        next_allowed_at = max(submissions) + timedelta(minutes=rules.retry_after_minutes)
        if now < next_allowed_at:
            return refuse("wait", next_allowed_at)
    return StartDecision(True, "ok", None, attempts_left)


def deadline(
    *, started_at: datetime, rules: QuizRules, accommodation: Accommodation
) -> datetime | None:
    """When a timed attempt ends: start + time limit + the trainee's extra time.

    None for an untimed quiz (extra time then changes nothing).
    """
    _require_aware("started_at", started_at)
    if rules.time_limit_minutes is None:
        return None
    return started_at + timedelta(
        minutes=rules.time_limit_minutes + accommodation.extra_time_minutes
    )


def answers_count(
    *, saved_at: datetime, deadline: datetime | None, grace_seconds: int = 30
) -> bool:
    """Whether an answer saved at ``saved_at`` counts toward the grade.

    It counts when saved at or before deadline + grace. The grace absorbs network latency
    of the last autosave; the server grades a late submit on what was saved in time rather
    than refusing it. No deadline (untimed) means every answer counts.
    """
    _require_aware("saved_at", saved_at)
    _require_non_negative("grace_seconds", grace_seconds)
    if deadline is None:
        return True
    _require_aware("deadline", deadline)
    return saved_at <= deadline + timedelta(seconds=grace_seconds)


# --------------------------------------------------------------------------------------------
# Deterministic ordering
# --------------------------------------------------------------------------------------------


def _rng(seed: str) -> random.Random:
    """A generator seeded from a string (hashed with SHA-512, so stable across processes).

    Callers should make the seed specific, e.g. ``f"{attempt_id}:{question_id}"``.
    """
    # Fairness and ordering only, never security: an unpredictable order is not the goal, a
    # reproducible one is (a resumed attempt must show the same order).
    return random.Random(seed)  # noqa: S311 - ordering/fairness, not security


def _below(rng: random.Random, n: int) -> int:
    """An index in [0, n) drawn only from ``rng.random()``.

    ``Random.shuffle`` and ``Random.sample`` may change between Python versions; only
    ``random()`` is guaranteed to give the same sequence for the same seed. Building on it
    keeps a resumed attempt's order stable across a Python upgrade.
    """
    return min(int(rng.random() * n), n - 1)


def _shuffle(rng: random.Random, items: list[int]) -> None:
    """Fisher-Yates shuffle in place."""
    for i in range(len(items) - 1, 0, -1):
        j = _below(rng, i + 1)
        items[i], items[j] = items[j], items[i]


def _require_distinct(ids: Sequence[int]) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be distinct")


def choice_order(*, ids: Sequence[int], shuffle: bool, seed: str) -> list[int]:
    """The order to show choices in: as authored, or shuffled deterministically by ``seed``.

    The same seed always gives the same order, so reloading or resuming an attempt does not
    move the choices under the trainee.
    """
    _require_distinct(ids)
    ordered = list(ids)
    if shuffle:
        _shuffle(_rng(seed), ordered)
    return ordered


def draw_questions(*, ids: Sequence[int], count: int | None, shuffle: bool, seed: str) -> list[int]:
    """Draw ``count`` distinct questions from a pool, deterministically by ``seed``.

    All of them when ``count`` is None or at least the pool size. Which questions are drawn
    is random (seeded) even when ``shuffle`` is False; ``shuffle`` only decides whether the
    drawn questions are shown shuffled or in the pool's original order.
    """
    _require_distinct(ids)
    if count is not None:
        _require_non_negative("count", count)
    rng = _rng(seed)
    if count is None or count >= len(ids):
        drawn = list(ids)
    else:
        # Partial Fisher-Yates: the first ``count`` slots become a uniform sample.
        pool = list(ids)
        for i in range(count):
            j = i + _below(rng, len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        chosen = set(pool[:count])
        drawn = [question_id for question_id in ids if question_id in chosen]
    if shuffle:
        _shuffle(rng, drawn)
    return drawn
