"""A credential's life after issue, decided from plain values (no database, no clock).

The stored status says what staff decided (active, suspended, revoked, superseded); the shown
status adds what the calendar says: an active credential is *expiring* within 90 days of its
expiry date and *expired* after it. Reminders go out 90, 30 and 0 days before expiry, each once;
a job that missed some days sends only the most urgent one due.
"""

import datetime

ACTIVE, EXPIRING, EXPIRED = "active", "expiring", "expired"
SUSPENDED, REVOKED, SUPERSEDED = "suspended", "revoked", "superseded"
EXPIRING_WITHIN_DAYS = 90
REMINDER_DAYS = (90, 30, 0)
LATEST_REMINDER_DAYS_AFTER = 7
"""A reminder for the day of expiry still goes out up to a week late; after that, none."""


def shown_status(*, stored: str, expires_on: datetime.date | None, today: datetime.date) -> str:
    if stored != ACTIVE or expires_on is None:
        return stored
    if today > expires_on:
        return EXPIRED
    if (expires_on - today).days <= EXPIRING_WITHIN_DAYS:
        return EXPIRING
    return ACTIVE


def can_renew(
    *,
    stored: str,
    expires_on: datetime.date | None,
    grace_days: int | None,
    today: datetime.date,
) -> bool:
    """Whether the holder may renew now: an active credential that expires, up to the end of
    its grace period (the program's ``grace_days`` after expiry)."""
    if stored != ACTIVE or expires_on is None:
        return False
    return today <= expires_on + datetime.timedelta(days=grace_days or 0)


def reminder_due(
    *,
    stored: str,
    expires_on: datetime.date | None,
    already_sent: set[int],
    today: datetime.date,
) -> tuple[int | None, set[int]]:
    """The reminder to send today (days before expiry, or None) and every threshold to record
    as handled with it (the ones passed while the job did not run are not sent late)."""
    if stored != ACTIVE or expires_on is None:
        return None, set()
    days_left = (expires_on - today).days
    if days_left < -LATEST_REMINDER_DAYS_AFTER:
        return None, set()
    reached = {days for days in REMINDER_DAYS if days_left <= days} - already_sent
    if not reached:
        return None, set()
    return min(reached), reached
