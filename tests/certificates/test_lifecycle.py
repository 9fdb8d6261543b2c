import datetime

import pytest

from certificates import lifecycle as life

TODAY = datetime.date(2026, 11, 29)


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("stored", "expires_on", "expected"),
    [
        ("active", None, "active"),
        ("active", days(91), "active"),
        ("active", days(90), "expiring"),
        ("active", days(0), "expiring"),
        ("active", days(-1), "expired"),
        ("suspended", days(-1), "suspended"),
        ("revoked", days(200), "revoked"),
        ("superseded", days(10), "superseded"),
    ],
    ids=[
        "no-expiry",
        "91-days",
        "90-days",
        "today",
        "yesterday",
        "suspended",
        "revoked",
        "replaced",
    ],
)
def test_shown_status(stored, expires_on, expected):
    assert life.shown_status(stored=stored, expires_on=expires_on, today=TODAY) == expected


@pytest.mark.parametrize(
    ("stored", "expires_on", "grace", "expected"),
    [
        ("active", days(100), 30, True),
        ("active", days(-30), 30, True),
        ("active", days(-31), 30, False),
        ("active", days(-1), None, False),
        ("active", None, 30, False),
        ("revoked", days(100), 30, False),
        ("suspended", days(100), 30, False),
        ("superseded", days(100), 30, False),
    ],
    ids=[
        "early",
        "last-grace-day",
        "after-grace",
        "no-grace",
        "never-expires",
        "revoked",
        "suspended",
        "replaced",
    ],
)
def test_can_renew(stored, expires_on, grace, expected):
    assert (
        life.can_renew(stored=stored, expires_on=expires_on, grace_days=grace, today=TODAY)
        is expected
    )


@pytest.mark.parametrize(
    ("expires_on", "sent", "expected"),
    [
        (days(91), set(), (None, set())),
        (days(90), set(), (90, {90})),
        (days(90), {90}, (None, set())),
        (days(45), {90}, (None, set())),
        (days(30), {90}, (30, {30})),
        (days(29), set(), (30, {90, 30})),
        (days(0), {90, 30}, (0, {0})),
        (days(-3), {90}, (0, {30, 0})),
        (days(-8), set(), (None, set())),
        (None, set(), (None, set())),
    ],
    ids=[
        "too-early",
        "90",
        "90-sent",
        "between",
        "30",
        "missed-90",
        "day-of",
        "late-day-of",
        "too-late",
        "never-expires",
    ],
)
def test_reminder_due(expires_on, sent, expected):
    assert (
        life.reminder_due(stored="active", expires_on=expires_on, already_sent=sent, today=TODAY)
        == expected
    )


def test_no_reminder_for_a_revoked_credential():
    assert life.reminder_due(
        stored="revoked", expires_on=days(10), already_sent=set(), today=TODAY
    ) == (None, set())
