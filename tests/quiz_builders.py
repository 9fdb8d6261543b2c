"""Builders for quizzes in tests: questions of every kind, with revisions, attached to a module."""

from assessments.models import Choice, MatchPair, Question, QuestionBank, Quiz, QuizQuestion


def make_question(kind="single", *, points=1, prompt=None, bank=None) -> Question:
    bank = bank or QuestionBank.objects.get_or_create(name="Test bank")[0]
    question = Question(
        bank=bank,
        kind=kind,
        points=points,
        prompt=f"<p>{prompt or kind} question?</p>",
        explanation="<p>Because of the teaching.</p>",
    )
    if kind == "single":
        question.choices = [
            Choice(text="Right answer", is_correct=True),
            Choice(text="Wrong answer", is_correct=False, feedback="Not quite: look again."),
            Choice(text="Other wrong", is_correct=False, feedback="This misses the point."),
        ]
    elif kind == "true_false":
        question.choices = [
            Choice(text="True", is_correct=True),
            Choice(text="False", is_correct=False, feedback="It is true."),
        ]
    elif kind == "multiple":
        question.choices = [
            Choice(text="Yes one", is_correct=True),
            Choice(text="Yes two", is_correct=True),
            Choice(text="No", is_correct=False, feedback="Not this one."),
        ]
    elif kind == "matching":
        question.pairs = [
            MatchPair(left="Gift", right="Decline kindly"),
            MatchPair(left="Loan", right="Find resources"),
        ]
    question.save()
    question.save_revision()
    return question


def make_quiz(module, kinds=("single", "true_false", "multiple", "matching"), **settings) -> Quiz:
    quiz = Quiz.objects.create(module=module, title=f"Quiz on {module.title}", **settings)
    for order, kind in enumerate(kinds):
        QuizQuestion.objects.create(quiz=quiz, question=make_question(kind), sort_order=order)
    return quiz


def right_answers(attempt) -> dict:
    """RawAnswers for every question of an attempt, all correct, by position."""
    from assessments import keys
    from assessments.services import RawAnswer

    rows = list(attempt.questions.order_by("position"))
    asked = keys.questions_as_asked([row.revision_id for row in rows])
    answers = {}
    for row in rows:
        question = asked[row.revision_id]
        if row.kind == "matching":
            answers[row.position] = RawAnswer(
                matches=tuple((p.pk, p.pk) for p in question.pairs.all())
            )
        else:
            answers[row.position] = RawAnswer(
                choice_ids=tuple(c.pk for c in question.choices.all() if c.is_correct)
            )
    return answers


def wrong_answers(attempt) -> dict:
    from assessments import keys
    from assessments.services import RawAnswer

    rows = list(attempt.questions.order_by("position"))
    asked = keys.questions_as_asked([row.revision_id for row in rows])
    answers = {}
    for row in rows:
        question = asked[row.revision_id]
        if row.kind == "matching":
            pairs = [p.pk for p in question.pairs.all()]
            answers[row.position] = RawAnswer(matches=((pairs[0], pairs[1]), (pairs[1], pairs[0])))
        else:
            answers[row.position] = RawAnswer(
                choice_ids=(next(c.pk for c in question.choices.all() if not c.is_correct),)
            )
    return answers
