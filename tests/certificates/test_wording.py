"""Plain words for eligibility items, in English (the settings' language). No database."""

from decimal import Decimal

import pytest
from django.utils import translation

from certificates.eligibility import (
    ATTESTATION,
    COURSE,
    HOURS_DOMAIN,
    HOURS_TOTAL,
    LEDGERS,
    PRACTICE,
    SUPERVISION,
    TRAINING,
    Item,
)
from certificates.wording import (
    LEDGER_NOUNS,
    format_hours,
    gap_text,
    progress_text,
    requirement_text,
)

D = Decimal
NAMES = {
    "domain_names": {"ethical-responsibility": "Ethical Responsibility", "advocacy": "Advocacy"},
    "course_titles": {"boundaries-basics": "Professional Boundaries"},
    "attestation_titles": {"code-of-ethics": "Code of ethics"},
}


def hours(kind, ledger, key="", *, required, earned="0", beyond=None, within_days=None) -> Item:
    required, earned = D(required), D(earned)
    left = max(D(0), required - earned)
    return Item(
        kind=kind,
        key=key,
        ledger=ledger,
        required=required,
        earned=earned,
        left=left,
        beyond_domains=left if beyond is None else D(beyond),
        within_days=within_days,
    )


def done(kind, key, met) -> Item:
    return Item(kind=kind, key=key, earned=D(int(met)), left=D(int(not met)))


COURSE_OPEN = done(COURSE, "boundaries-basics", False)
COURSE_DONE = done(COURSE, "boundaries-basics", True)
COURSE_UNTITLED = done(COURSE, "ethics-101", False)
ETHICS_SIGNED = done(ATTESTATION, "code-of-ethics", True)
ETHICS_UNSIGNED = done(ATTESTATION, "code-of-ethics", False)
PLEDGE_UNSIGNED = done(ATTESTATION, "boundaries-pledge", False)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("4.50"), "4.5"),
        (D("10.00"), "10"),
        (D("0.25"), "0.25"),
        (D("0"), "0"),
        (D("0.00"), "0"),
        (D("500"), "500"),
        (D("1E+1"), "10"),
        (D("1000.5"), "1000.5"),
        (D("12.75"), "12.75"),
        (7, "7"),
    ],
    ids=[
        "trailing zero",
        "whole with zeros",
        "quarter",
        "zero",
        "zero with zeros",
        "hundreds",
        "exponent form",
        "thousands without grouping",
        "three quarters",
        "int",
    ],
)
def test_format_hours(value, text):
    assert format_hours(value) == text


def test_format_hours_follows_the_locale():
    with translation.override("de"):
        assert format_hours(D("4.50")) == "4,5"


def test_ledger_nouns():
    assert {ledger: str(LEDGER_NOUNS[ledger]) for ledger in LEDGERS} == {
        TRAINING: "training hours",
        PRACTICE: "supervised practice hours",
        SUPERVISION: "supervision hours",
    }


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (COURSE_OPEN, "Complete the course Professional Boundaries"),
        (COURSE_DONE, "Complete the course Professional Boundaries"),
        (COURSE_UNTITLED, "Complete the course ethics-101"),
        (hours(HOURS_TOTAL, TRAINING, required="46"), "46 training hours in total"),
        (
            hours(HOURS_DOMAIN, TRAINING, "ethical-responsibility", required="16"),
            "16 Ethical Responsibility training hours",
        ),
        (
            hours(HOURS_TOTAL, PRACTICE, required="500", within_days=730),
            "500 supervised practice hours in total, dated within the last 730 days",
        ),
        (
            hours(HOURS_DOMAIN, PRACTICE, "advocacy", required="2", within_days=365),
            "2 Advocacy supervised practice hours, dated within the last 365 days",
        ),
        (
            hours(HOURS_TOTAL, SUPERVISION, required="1", within_days=1),
            "1 supervision hour in total, dated within the last 1 day",
        ),
        (
            hours(HOURS_TOTAL, SUPERVISION, required="3", within_days=0),
            "3 supervision hours in total, dated today",
        ),
        (hours(HOURS_TOTAL, TRAINING, required="0.5"), "0.5 training hours in total"),
        (hours(HOURS_TOTAL, SUPERVISION, required="1.00"), "1 supervision hour in total"),
        (hours(HOURS_TOTAL, TRAINING, required="0"), "0 training hours in total"),
        (
            hours(HOURS_DOMAIN, SUPERVISION, "harm-reduction", required="5"),
            "5 harm-reduction supervision hours",
        ),
        (ETHICS_UNSIGNED, "Sign the Code of ethics"),
        (ETHICS_SIGNED, "Sign the Code of ethics"),
        (PLEDGE_UNSIGNED, "Sign the boundaries-pledge"),
    ],
    ids=[
        "course",
        "course done",
        "course without a title",
        "training total",
        "training domain",
        "practice total with a window",
        "practice domain with a window",
        "one hour in a one-day window",
        "zero-day window",
        "half an hour",
        "exactly one hour written with zeros",
        "zero total",
        "domain without a name",
        "attestation",
        "attestation signed",
        "attestation without a title",
    ],
)
def test_requirement_text(item, text):
    assert requirement_text(item, **NAMES) == text


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (COURSE_OPEN, "Complete the course Professional Boundaries"),
        (COURSE_DONE, ""),
        (COURSE_UNTITLED, "Complete the course ethics-101"),
        (ETHICS_UNSIGNED, "Sign the Code of ethics"),
        (ETHICS_SIGNED, ""),
        (PLEDGE_UNSIGNED, "Sign the boundaries-pledge"),
        (
            hours(HOURS_DOMAIN, TRAINING, "ethical-responsibility", required="16", earned="11.5"),
            "4.5 more Ethical Responsibility training hours",
        ),
        (
            hours(HOURS_DOMAIN, SUPERVISION, "ethical-responsibility", required="5", earned="4"),
            "1 more Ethical Responsibility supervision hour",
        ),
        (
            hours(HOURS_DOMAIN, PRACTICE, "advocacy", required="2", earned="1.75"),
            "0.25 more Advocacy supervised practice hours",
        ),
        (hours(HOURS_DOMAIN, TRAINING, "advocacy", required="10", earned="12"), ""),
        (hours(HOURS_TOTAL, SUPERVISION, required="25", earned="24"), "1 more supervision hour"),
        (
            hours(HOURS_TOTAL, SUPERVISION, required="25.00", earned="24.00"),
            "1 more supervision hour",
        ),
        (
            hours(HOURS_TOTAL, PRACTICE, required="500", earned="499.75"),
            "0.25 more supervised practice hours",
        ),
        (
            hours(HOURS_TOTAL, TRAINING, required="60", earned="12", beyond="12"),
            "12 more training hours in any of the program's domains",
        ),
        (
            hours(HOURS_TOTAL, PRACTICE, required="10", earned="7", beyond="1"),
            "1 more supervised practice hour in any of the program's domains",
        ),
        (hours(HOURS_TOTAL, TRAINING, required="46", earned="20", beyond="0"), ""),
        (hours(HOURS_TOTAL, TRAINING, required="46", earned="50"), ""),
        (hours(HOURS_TOTAL, TRAINING, required="0"), ""),
    ],
    ids=[
        "course",
        "course done",
        "course without a title",
        "attestation",
        "attestation signed",
        "attestation without a title",
        "domain, hours and a half",
        "domain, exactly one hour",
        "domain, a quarter hour",
        "domain over-met",
        "total, one hour, no domain left",
        "total, one hour written with zeros",
        "total, a quarter hour",
        "total, beyond the domain minimums",
        "total, one hour beyond the domain minimums",
        "total, the domain items say it all",
        "total met",
        "total of zero",
    ],
)
def test_gap_text(item, text):
    assert gap_text(item, **NAMES) == text


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (hours(HOURS_TOTAL, TRAINING, required="10", earned="5.5"), "5.5 of 10 hours"),
        (
            hours(HOURS_DOMAIN, PRACTICE, "advocacy", required="2.00", earned="0.25"),
            "0.25 of 2 hours",
        ),
        (hours(HOURS_TOTAL, SUPERVISION, required="1", earned="0.5"), "0.5 of 1 hour"),
        (hours(HOURS_TOTAL, TRAINING, required="10", earned="12"), "12 of 10 hours"),
        (hours(HOURS_TOTAL, TRAINING, required="0"), "0 of 0 hours"),
        (COURSE_DONE, "Done"),
        (COURSE_OPEN, "Not yet"),
        (ETHICS_SIGNED, "Done"),
        (ETHICS_UNSIGNED, "Not yet"),
    ],
    ids=[
        "part way",
        "a quarter of two",
        "of one hour",
        "earned beyond required",
        "zero required",
        "course done",
        "course not yet",
        "attestation signed",
        "attestation not yet",
    ],
)
def test_progress_text(item, text):
    assert progress_text(item, **NAMES) == text


def test_names_are_optional():
    assert requirement_text(COURSE_OPEN) == "Complete the course boundaries-basics"
    assert gap_text(ETHICS_UNSIGNED) == "Sign the code-of-ethics"
    assert progress_text(COURSE_OPEN) == "Not yet"
