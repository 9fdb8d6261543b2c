"""The rules an hour entry keeps, as pure functions over plain values.

Boards count these hours, and the log must never become a store of client information
(substance use treatment records are protected by 42 CFR Part 2). So a description may not
contain phone numbers or email addresses, and words that look like personal names draw a
warning the trainee must confirm.
"""

import datetime
import re
from dataclasses import dataclass, field

STEP_MINUTES = 15
MAX_ENTRY_MINUTES = 12 * 60
MAX_DAY_MINUTES = 24 * 60
DESCRIPTION_MAX_LENGTH = 300

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# Seven or more digits, allowing the separators people type in phone numbers.
PHONE = re.compile(r"(?:\+?\d[\s().-]*){7,}")
# Titles before a name, or two capitalised words in a row not at the start of a sentence.
TITLED_NAME = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z]+")
CAPITALISED_PAIR = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\s+[A-Z][a-z]+\b")


@dataclass(frozen=True)
class DescriptionCheck:
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def check_description(text: str) -> DescriptionCheck:
    """Codes: errors ``too_long``, ``email``, ``phone``; warnings ``name``."""
    errors = []
    if len(text) > DESCRIPTION_MAX_LENGTH:
        errors.append("too_long")
    if EMAIL.search(text):
        errors.append("email")
    if PHONE.search(text):
        errors.append("phone")
    warnings = []
    if TITLED_NAME.search(text) or CAPITALISED_PAIR.search(text):
        warnings.append("name")
    return DescriptionCheck(errors=tuple(errors), warnings=tuple(warnings))


def check_time(
    *, date: datetime.date, minutes: int, today: datetime.date, other_minutes_that_day: int
) -> tuple[str, ...]:
    """Codes: ``future``, ``step``, ``too_short``, ``too_long``, ``day_over``."""
    problems = []
    if date > today:
        problems.append("future")
    if minutes < STEP_MINUTES:
        problems.append("too_short")
    elif minutes % STEP_MINUTES:
        problems.append("step")
    if minutes > MAX_ENTRY_MINUTES:
        problems.append("too_long")
    if other_minutes_that_day + minutes > MAX_DAY_MINUTES:
        problems.append("day_over")
    return tuple(problems)


DRAFT, SUBMITTED, APPROVED, REJECTED = "draft", "submitted", "approved", "rejected"

TRANSITIONS = {
    # action: (allowed from, to)
    "edit": ({DRAFT, REJECTED}, None),
    "submit": ({DRAFT, REJECTED}, SUBMITTED),
    "approve": ({SUBMITTED}, APPROVED),
    "reject": ({SUBMITTED}, REJECTED),
    "reopen": ({APPROVED}, DRAFT),
    "delete": ({DRAFT}, None),
}


def next_status(status: str, action: str) -> str | None:
    """The status after ``action``, or None when the action is not allowed from ``status``.
    Edits and deletions keep (or remove) the entry, so they return the same status."""
    allowed_from, to = TRANSITIONS[action]
    if status not in allowed_from:
        return None
    return to or status
