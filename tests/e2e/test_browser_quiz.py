import datetime
import re

from django.db.models import F
from playwright.sync_api import expect


def _correct_choices(attempt):
    """What a well-prepared trainee would answer, read on the server for the test's hand."""
    from assessments import keys

    rows = list(attempt.questions.order_by("position"))
    asked = keys.questions_as_asked([row.revision_id for row in rows])
    answers = []
    for row in rows:
        question = asked[row.revision_id]
        if row.kind == "matching":
            answers.append(
                (row.position, "matching", [(p.left, p.right) for p in question.pairs.all()])
            )
        else:
            answers.append(
                (row.position, row.kind, [c.text for c in question.choices.all() if c.is_correct])
            )
    return answers


def test_trainee_fails_a_quiz_sees_the_retry_rule_then_passes(open_session):
    from assessments.models import Answer, Attempt

    trainee = open_session()
    page = trainee.log_in("trainee2@example.org")
    trainee.go("/courses/professional-boundaries/")
    page.get_by_role("button", name="Enroll in this course").click()
    page.get_by_role("link", name="Go to the quiz").click()
    expect(page.get_by_role("button", name="Start the quiz")).to_be_visible()
    trainee.assert_accessible()

    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_text("Question 1 of 6")).to_be_visible()
    trainee.assert_accessible()
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_text("You scored 0%. You need 80% to pass.")).to_be_visible()
    expect(page.get_by_text("Not passing yet is part of learning.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^From .+ you can try again\."))).to_be_visible()
    trainee.assert_accessible()

    # The wait after a failed attempt passes.
    Attempt.objects.update(submitted_at=F("submitted_at") - datetime.timedelta(minutes=30))
    page.reload()
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("Question 1 of 6")).to_be_visible()
    attempt = Attempt.objects.get(submitted_at__isnull=True)
    for position, kind, correct in _correct_choices(attempt):
        question = page.locator(f'fieldset[data-position="{position}"]')
        if kind == "matching":
            for left, right in correct:
                question.get_by_label(left, exact=True).select_option(label=right)
        else:
            for text in correct:
                question.get_by_label(text, exact=True).check()
    expect(page.locator(".autosave-status")).to_contain_text("Saved at")
    # Every answer reached the server one by one, before the form is sent.
    expect(page.locator("form.quiz-form")).to_have_attribute("data-pending", "0")
    assert Answer.objects.filter(attempt_question__attempt=attempt).count() == 6
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("You passed with 100%.")).to_be_visible()
    trainee.assert_accessible()
    assert Attempt.objects.filter(passed=True).count() == 1
