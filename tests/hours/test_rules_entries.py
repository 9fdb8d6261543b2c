import datetime

import pytest

from hours import rules

TODAY = datetime.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("date", "minutes", "other", "expected"),
    [
        (TODAY, 60, 0, ()),
        (TODAY, 15, 0, ()),
        (TODAY, 720, 0, ()),
        (TODAY + datetime.timedelta(days=1), 60, 0, ("future",)),
        (TODAY, 10, 0, ("too_short",)),
        (TODAY, 50, 0, ("step",)),
        (TODAY, 735, 0, ("too_long",)),
        (TODAY, 720, 720, ()),  # exactly 24 hours in a day is allowed
        (TODAY, 60, 1400, ("day_over",)),
        (TODAY - datetime.timedelta(days=400), 45, 0, ()),
    ],
)
def test_check_time(date, minutes, other, expected):
    assert (
        rules.check_time(date=date, minutes=minutes, today=TODAY, other_minutes_that_day=other)
        == expected
    )


@pytest.mark.parametrize(
    ("text", "errors", "warnings"),
    [
        ("One-to-one support after a detox admission.", (), ()),
        ("Call back at 555-123-4567 tomorrow", ("phone",), ()),
        ("Sent resources to person@example.org", ("email",), ()),
        ("Met with Mr. Jones about housing", (), ("name",)),
        ("Helped Maria Lopez with forms", (), ("name",)),
        ("Group on SMART Recovery tools", (), ()),
        ("x" * 301, ("too_long",), ()),
        ("Outreach shift, 12 contacts", (), ()),
    ],
)
def test_check_description(text, errors, warnings):
    result = rules.check_description(text)
    assert result.errors == errors
    assert result.warnings == warnings


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("draft", "submit", "submitted"),
        ("rejected", "submit", "submitted"),
        ("submitted", "submit", None),
        ("submitted", "approve", "approved"),
        ("submitted", "reject", "rejected"),
        ("approved", "approve", None),
        ("rejected", "approve", None),
        ("approved", "edit", None),
        ("draft", "edit", "draft"),
        ("rejected", "edit", "rejected"),
        ("approved", "reopen", "draft"),
        ("draft", "reopen", None),
        ("draft", "delete", "draft"),
        ("approved", "delete", None),
    ],
)
def test_transitions(status, action, expected):
    assert rules.next_status(status, action) == expected
