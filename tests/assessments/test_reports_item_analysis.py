"""Item analysis of quizzes: the pure statistics (table-driven) and ``quiz_report`` over attempts
inserted directly as rows (no services), across question revisions."""

import random
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from assessments import grading, keys
from assessments.grading import QuestionKind
from assessments.models import (
    Answer,
    Attempt,
    AttemptQuestion,
    Choice,
    MatchPair,
    Question,
    QuestionBank,
    Quiz,
    QuizQuestion,
)
from assessments.reports import mean, pearson, quiz_report, ratio, score_fraction
from tests.course_pages import make_course
from tests.factories import UserFactory

# --------------------------------------------------------------------------------------------
# Pure statistics
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([5], Fraction(5)),
        ([0, 0, 0], Fraction(0)),
        ([1, 2, 3, 4], Fraction(5, 2)),
        ([Fraction(1, 3), Fraction(2, 3)], Fraction(1, 2)),
        # Exact: three tenths average to exactly one tenth, not 0.10000000000000002.
        ([Decimal("0.1"), Decimal("0.1"), Decimal("0.1")], Fraction(1, 10)),
        ((value for value in [2, 4]), Fraction(3)),
    ],
    ids=["empty", "one", "zeros", "ints", "fractions", "decimals", "generator"],
)
def test_mean(values, expected):
    assert mean(values) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (1, 2, Fraction(1, 2)),
        (0, 5, Fraction(0)),
        (3, 0, None),
        (0, 0, None),
        (Decimal("0.50"), Decimal("2.00"), Fraction(1, 4)),
    ],
)
def test_ratio(part, whole, expected):
    assert ratio(part, whole) == expected


@pytest.mark.parametrize(
    ("awarded", "possible", "is_correct", "expected"),
    [
        (Decimal("1.00"), Decimal("2.00"), False, Fraction(1, 2)),
        (Decimal("2.00"), Decimal("2.00"), True, Fraction(1)),
        (Decimal("0.33"), Decimal("1.00"), False, Fraction(33, 100)),
        # A zero-point question counts by whether it was answered fully right.
        (Decimal("0.00"), Decimal("0.00"), True, Fraction(1)),
        (Decimal("0.00"), Decimal("0.00"), False, Fraction(0)),
        (Decimal("0.00"), Decimal("0.00"), None, None),
        # Not graded.
        (None, Decimal("1.00"), None, None),
        (Decimal("1.00"), None, True, None),
    ],
)
def test_score_fraction(awarded, possible, is_correct, expected):
    assert score_fraction(awarded, possible, is_correct) == expected


@pytest.mark.parametrize(
    ("xs", "ys", "expected"),
    [
        # Tiny samples: undefined.
        ([], [], None),
        ([1], [2], None),
        # Two points always lie on a line.
        ([0, 1], [10, 20], 1.0),
        ([0, 1], [20, 10], -1.0),
        # Perfect correlation comes out exactly as 1 or -1.
        ([1, 2, 3], [2, 4, 6], 1.0),
        ([1, 2, 3], [6, 4, 2], -1.0),
        (
            [Fraction(1, 3), Fraction(2, 3), 1],
            [Decimal("10.5"), Decimal("21"), Decimal("31.5")],
            1.0,
        ),
        # Zero variance in either sample (everyone right, or the same total): undefined.
        ([1, 1, 1], [10, 50, 90], None),
        ([0, 1, 0], [70, 70, 70], None),
        ([1, 1], [5, 5], None),
        # Constant floats with no exact mean in binary are still seen as constant.
        ([0.1, 0.1, 0.1], [1, 2, 3], None),
        # No relation at all.
        ([1, 2, 3, 4], [1, 3, 3, 1], 0.0),
        # Right or wrong against the total percent (√3/2).
        ([1, 1, 0], [100, 50, 0], 0.8660254037844386),
        ([1, 0, 0], [100, 50, 0], 0.8660254037844386),
        # A textbook sample.
        ([1, 2, 3, 4, 5], [2, 4, 5, 4, 5], 0.7745966692414834),
        # A question the weaker trainees got right: negative discrimination (-5/√26).
        ([0, 0, 1, 1], [90, 80, 40, 30], -0.9805806756909202),
    ],
)
def test_pearson(xs, ys, expected):
    result = pearson(xs, ys)
    if expected is None:
        assert result is None
    else:
        assert result == pytest.approx(expected, abs=1e-12)


def test_pearson_refuses_samples_of_different_length():
    with pytest.raises(ValueError, match="differ in length"):
        pearson([1, 2, 3], [1, 2])


def test_pearson_is_symmetric_and_bounded():
    rng = random.Random(20260318)  # noqa: S311 - test data
    for _ in range(50):
        size = rng.randint(2, 12)
        xs = [Fraction(rng.randint(0, 4), 4) for _ in range(size)]
        ys = [Decimal(rng.randint(0, 10000)) / 100 for _ in range(size)]
        result = pearson(xs, ys)
        assert result == pearson(ys, xs)
        if result is not None:
            assert -1.0 <= result <= 1.0


# --------------------------------------------------------------------------------------------
# Builders: questions with revisions, and attempts inserted as rows
# --------------------------------------------------------------------------------------------


def make_bank(name="Ethics") -> QuestionBank:
    return QuestionBank.objects.get_or_create(name=name)[0]


def make_question(
    prompt,
    *,
    kind=QuestionKind.SINGLE,
    choices=(("Right", True), ("Wrong", False)),
    pairs=(),
    points=1,
) -> Question:
    """A question with one revision (as the admin saves it)."""
    question = Question(bank=make_bank(), kind=kind, prompt=f"<p>{prompt}</p>", points=points)
    if kind == QuestionKind.MATCHING:
        question.pairs = [
            MatchPair(left=left, right=right, sort_order=index)
            for index, (left, right) in enumerate(pairs)
        ]
    else:
        question.choices = [
            Choice(text=text, is_correct=correct, sort_order=index)
            for index, (text, correct) in enumerate(choices)
        ]
    question.save()
    question.save_revision()
    return question


def choice_id(question: Question, text: str) -> int:
    return question.choices.get(text=text).pk


def pair_id(question: Question, left: str) -> int:
    return question.pairs.get(left=left).pk


def make_quiz(questions, *, title="Boundaries quiz", module=None, pass_mark=50) -> Quiz:
    if module is None:
        module = make_course("ethics-course", modules=1).get_children().specific().first()
    quiz = Quiz.objects.create(module=module, title=title, pass_mark=pass_mark)
    for index, question in enumerate(questions):
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=index)
    return quiz


def make_attempt(quiz, trainee, answers, *, number=None, submitted=True, late=(), deadline=None):
    """Insert an attempt as the services would leave it, graded with ``grading``.

    ``answers`` is a list of ``(question, response)``: a list of choice ids, or for matching a
    dict of left pair id → right pair id, or None for no answer. The question's latest revision
    is the one asked. Questions in ``late`` get an answer saved after the deadline.
    """
    now = timezone.now()
    if number is None:
        number = Attempt.objects.filter(quiz=quiz, trainee=trainee).count() + 1
    attempt = Attempt.objects.create(
        quiz=quiz,
        trainee=trainee,
        number=number,
        started_at=now - timedelta(minutes=20),
        deadline=deadline,
    )
    rows, items, responses = [], [], []
    for position, (question, response) in enumerate(answers, start=1):
        revision = Question.objects.get(pk=question.pk).latest_revision
        asked = keys.questions_as_asked([revision.pk])[revision.pk]
        rows.append(
            AttemptQuestion(
                attempt=attempt,
                position=position,
                question=question,
                revision=revision,
                kind=asked.kind,
                choice_order=keys.option_ids(asked),
            )
        )
        answer = None
        if response is not None:
            saved_at = now
            if question in late:
                saved_at = deadline + timedelta(minutes=5)
            if asked.kind == QuestionKind.MATCHING:
                answer = Answer(matches={str(k): v for k, v in response.items()}, saved_at=saved_at)
            else:
                answer = Answer(choice_ids=list(response), saved_at=saved_at)
        responses.append(answer)
        counted = answer is not None and question not in late
        items.append((keys.key_for(asked), keys.response_for(answer) if counted else None))
    AttemptQuestion.objects.bulk_create(rows)
    answers_to_save = []
    for row, answer in zip(rows, responses, strict=True):
        if answer is not None:
            answer.attempt_question = row
            answers_to_save.append(answer)
    Answer.objects.bulk_create(answers_to_save)
    if not submitted:
        return attempt
    result = grading.grade_attempt(
        items, pass_mark=quiz.pass_mark, partial_credit=quiz.partial_credit
    )
    for row, graded in zip(rows, result.questions, strict=True):
        row.points_possible = graded.points_possible
        row.points_awarded = graded.points_awarded
        row.is_correct = graded.is_correct
    AttemptQuestion.objects.bulk_update(rows, ["points_possible", "points_awarded", "is_correct"])
    attempt.submitted_at = now
    attempt.points_possible = result.points_possible
    attempt.points_awarded = result.points_awarded
    attempt.percent = result.percent
    attempt.passed = result.passed
    attempt.save()
    return attempt


def edit_choices(question: Question, choices) -> Question:
    """Save a new revision of ``question`` with ``choices``: (text, correct, keep-from-text)."""
    question = Question.objects.get(pk=question.pk)
    current = {choice.text: choice for choice in question.choices.all()}
    new = []
    for index, (text, correct, old_text) in enumerate(choices):
        choice = current[old_text] if old_text else Choice()
        choice.text, choice.is_correct, choice.sort_order = text, correct, index
        new.append(choice)
    question.choices = new
    question.save()
    question.save_revision()
    return question


def by_id(report):
    return {figures.question_id: figures for figures in report.questions}


# --------------------------------------------------------------------------------------------
# quiz_report
# --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_summary_counts_submitted_attempts_trainees_and_pass_rate():
    first = make_question("Can you lend a peer money?")
    quiz = make_quiz([first])
    ana, ben = UserFactory(), UserFactory()
    right, wrong = [choice_id(first, "Right")], [choice_id(first, "Wrong")]
    make_attempt(quiz, ana, [(first, wrong)])
    make_attempt(quiz, ana, [(first, right)])
    make_attempt(quiz, ben, [(first, wrong)])
    make_attempt(quiz, UserFactory(), [(first, right)], submitted=False)

    report = quiz_report(quiz)

    assert (report.submitted, report.trainees, report.passed) == (3, 2, 1)
    assert report.pass_rate == pytest.approx(1 / 3)
    assert report.questions[0].times_asked == 3


@pytest.mark.django_db
def test_a_quiz_without_attempts_has_no_figures_yet():
    question = make_question("Who sets the boundaries of a peer relationship?")
    report = quiz_report(make_quiz([question]))
    assert (report.submitted, report.trainees, report.pass_rate) == (0, 0, None)
    (figures,) = report.questions
    assert (figures.times_asked, figures.facility, figures.discrimination) == (0, None, None)
    assert [(c.label, c.picked, c.share) for c in figures.choices] == [
        ("Right", 0, None),
        ("Wrong", 0, None),
    ]


@pytest.mark.django_db
def test_facility_and_discrimination_by_hand():
    q1 = make_question("First")
    q2 = make_question("Second")
    quiz = make_quiz([q1, q2])
    r1, w1 = [choice_id(q1, "Right")], [choice_id(q1, "Wrong")]
    r2, w2 = [choice_id(q2, "Right")], [choice_id(q2, "Wrong")]
    make_attempt(quiz, UserFactory(), [(q1, r1), (q2, r2)])  # 100%
    make_attempt(quiz, UserFactory(), [(q1, r1), (q2, w2)])  # 50%
    make_attempt(quiz, UserFactory(), [(q1, w1), (q2, None)])  # 0%

    figures = by_id(quiz_report(quiz))

    assert figures[q1.pk].facility == pytest.approx(2 / 3)
    assert figures[q2.pk].facility == pytest.approx(1 / 3)
    # Both questions separate the 100% attempt from the 0% one: √3/2.
    assert figures[q1.pk].discrimination == pytest.approx(0.8660254037844386)
    assert figures[q2.pk].discrimination == pytest.approx(0.8660254037844386)
    assert [(c.label, c.picked) for c in figures[q2.pk].choices] == [("Right", 1), ("Wrong", 1)]
    assert [c.share for c in figures[q2.pk].choices] == [pytest.approx(1 / 3), pytest.approx(1 / 3)]


@pytest.mark.django_db
def test_everyone_right_has_full_facility_and_no_discrimination():
    question = make_question("Easy")
    other = make_question("Harder")
    quiz = make_quiz([question, other])
    right = [choice_id(question, "Right")]
    make_attempt(quiz, UserFactory(), [(question, right), (other, [choice_id(other, "Right")])])
    make_attempt(quiz, UserFactory(), [(question, right), (other, [choice_id(other, "Wrong")])])

    figures = by_id(quiz_report(quiz))[question.pk]

    assert figures.facility == 1.0
    assert figures.discrimination is None


@pytest.mark.django_db
def test_questions_group_across_revisions_with_latest_labels_and_removed_ones_last():
    kept = make_question(
        "What do you say when a peer asks for a ride?",
        choices=[("Old wording", True), ("Dropped", False), ("Stays", False)],
    )
    removed = make_question("A question later taken out of the quiz")
    never_asked = make_question("A question added later")
    quiz = make_quiz([kept, removed])
    old_right, dropped = choice_id(kept, "Old wording"), choice_id(kept, "Dropped")
    make_attempt(
        quiz, UserFactory(), [(kept, [old_right]), (removed, [choice_id(removed, "Right")])]
    )
    make_attempt(quiz, UserFactory(), [(kept, [dropped]), (removed, [choice_id(removed, "Wrong")])])

    # The editor rewords the right choice, drops one, adds one; the quiz changes its questions.
    kept = edit_choices(
        kept,
        [("New wording", True, "Old wording"), ("Stays", False, "Stays"), ("Added", False, None)],
    )
    QuizQuestion.objects.filter(quiz=quiz, question=removed).delete()
    QuizQuestion.objects.create(quiz=quiz, question=never_asked, sort_order=5)
    make_attempt(quiz, UserFactory(), [(kept, [old_right])])

    report = quiz_report(quiz)

    assert [(f.question_id, f.position, f.removed) for f in report.questions] == [
        (kept.pk, 1, False),
        (never_asked.pk, 2, False),
        (removed.pk, None, True),
    ]
    figures = by_id(report)
    assert figures[kept.pk].times_asked == 3
    assert [(c.label, c.is_correct, c.removed, c.picked) for c in figures[kept.pk].choices] == [
        ("New wording", True, False, 2),
        ("Stays", False, False, 0),
        ("Added", False, False, 0),
        ("(choice since removed)", None, True, 1),
    ]
    assert figures[kept.pk].choices[-1].choice_id == dropped
    assert figures[kept.pk].facility == pytest.approx(2 / 3)
    assert figures[removed.pk].times_asked == 2
    assert figures[removed.pk].facility == pytest.approx(1 / 2)
    assert figures[never_asked.pk].times_asked == 0


@pytest.mark.django_db
def test_multiple_response_counts_every_pick():
    question = make_question(
        "Which are signs of burnout?",
        kind=QuestionKind.MULTIPLE,
        choices=[("Tired", True), ("Cynical", True), ("Rested", False)],
    )
    quiz = make_quiz([question])
    tired, cynical, rested = (choice_id(question, t) for t in ("Tired", "Cynical", "Rested"))
    make_attempt(quiz, UserFactory(), [(question, [tired, cynical])])
    make_attempt(quiz, UserFactory(), [(question, [tired, rested])])

    figures = quiz_report(quiz).questions[0]

    assert [(c.label, c.picked, c.share) for c in figures.choices] == [
        ("Tired", 2, 1.0),
        ("Cynical", 1, 0.5),
        ("Rested", 1, 0.5),
    ]
    assert figures.facility == 0.5


@pytest.mark.django_db
def test_matching_share_of_correct_pairs():
    question = make_question(
        "Match each term",
        kind=QuestionKind.MATCHING,
        pairs=[("Peer", "Shared experience"), ("Clinician", "Diagnosis"), ("Sponsor", "12 steps")],
    )
    quiz = make_quiz([question])
    peer, clinician, sponsor = (
        pair_id(question, left) for left in ("Peer", "Clinician", "Sponsor")
    )
    make_attempt(
        quiz, UserFactory(), [(question, {peer: peer, clinician: clinician, sponsor: sponsor})]
    )
    make_attempt(
        quiz, UserFactory(), [(question, {peer: peer, clinician: sponsor, sponsor: clinician})]
    )
    make_attempt(quiz, UserFactory(), [(question, None)])

    figures = quiz_report(quiz).questions[0]

    assert figures.is_matching and not figures.choices
    assert (figures.pairs_correct, figures.pairs_total) == (4, 9)
    assert figures.pairs_correct_share == pytest.approx(4 / 9)
    # Facility is computed from the recorded points, rounded to cents: a third of a point is 0.33.
    assert figures.facility == pytest.approx(float((1 + Decimal("0.33") + 0) / 3))


@pytest.mark.django_db
def test_answers_saved_after_the_time_limit_are_not_counted_as_picks():
    question = make_question("Timed")
    quiz = make_quiz([question])
    deadline = timezone.now() - timedelta(minutes=10)
    wrong = [choice_id(question, "Wrong")]
    make_attempt(quiz, UserFactory(), [(question, wrong)], late=[question], deadline=deadline)
    make_attempt(quiz, UserFactory(), [(question, wrong)])

    figures = quiz_report(quiz).questions[0]

    assert figures.times_asked == 2
    assert [(c.label, c.picked) for c in figures.choices] == [("Right", 0), ("Wrong", 1)]


@pytest.mark.django_db
def test_report_loads_thirty_attempts_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    single = make_question("Single")
    multiple = make_question(
        "Multiple", kind=QuestionKind.MULTIPLE, choices=[("A", True), ("B", True), ("C", False)]
    )
    matching = make_question(
        "Matching", kind=QuestionKind.MATCHING, pairs=[("L1", "R1"), ("L2", "R2")]
    )
    dropped = make_question("Dropped later")
    quiz = make_quiz([single, multiple, matching, dropped])
    trainees = [UserFactory() for _ in range(10)]
    l1, l2 = pair_id(matching, "L1"), pair_id(matching, "L2")
    picks = [choice_id(single, "Right")], [choice_id(single, "Wrong")]
    for index in range(30):
        make_attempt(
            quiz,
            trainees[index % 10],
            [
                (single, picks[index % 2]),
                (multiple, [choice_id(multiple, "A"), choice_id(multiple, "C")][: 1 + index % 2]),
                (matching, {l1: l1, l2: l1 if index % 3 else l2}),
                (dropped, [choice_id(dropped, "Right")] if index % 4 else None),
            ],
        )
        if index == 15:
            edit_choices(single, [("Right, reworded", True, "Right"), ("Wrong", False, "Wrong")])
    QuizQuestion.objects.filter(quiz=quiz, question=dropped).delete()
    quiz = Quiz.objects.get(pk=quiz.pk)

    with django_assert_max_num_queries(6):
        report = quiz_report(quiz)

    assert report.submitted == 30
    assert report.trainees == 10
    assert [f.times_asked for f in report.questions] == [30, 30, 30, 30]
    assert report.questions[-1].removed
    assert report.questions[0].choices[0].label == "Right, reworded"
