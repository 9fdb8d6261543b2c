"""Eligibility is a pure decision over plain values: no database, a pinned ``today``."""

import datetime
from decimal import Decimal

import pytest

from certificates.eligibility import (
    ATTESTATION,
    COURSE,
    HOURS_DOMAIN,
    HOURS_TOTAL,
    LEDGERS,
    PRACTICE,
    SUPERVISION,
    TRAINING,
    Evaluation,
    HoursRow,
    HoursRule,
    Item,
    Record,
    Requirements,
    evaluate,
    hours_in_window,
)

TODAY = datetime.date(2025, 6, 30)
D = Decimal
ADVOCACY, MENTORING, WELLNESS, ETHICS = (
    "advocacy",
    "mentoring-education",
    "recovery-wellness-support",
    "ethical-responsibility",
)
UNDECLARED = "harm-reduction"
ICRC_DOMAINS = (ADVOCACY, MENTORING, WELLNESS, ETHICS)
ICRC_MINIMUMS = ((ADVOCACY, D(10)), (MENTORING, D(10)), (WELLNESS, D(10)), (ETHICS, D(16)))


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


def row(domain: str, hours: str, *, ledger: str = TRAINING, day: datetime.date = TODAY):
    return HoursRow(ledger=ledger, domain=domain, day=day, hours=D(hours))


def total_item(evaluation: Evaluation, ledger: str = TRAINING) -> Item:
    (item,) = [i for i in evaluation.for_ledger(ledger) if i.kind == HOURS_TOTAL]
    return item


def domain_items(evaluation: Evaluation, ledger: str = TRAINING) -> dict[str, Item]:
    return {i.key: i for i in evaluation.for_ledger(ledger) if i.kind == HOURS_DOMAIN}


# Windows --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("within_days", "day", "counted"),
    [
        (30, TODAY, D(2)),
        (30, days_ago(30), D(2)),
        (30, days_ago(31), D(0)),
        (30, TODAY + datetime.timedelta(days=1), D(0)),
        (0, TODAY, D(2)),
        (0, days_ago(1), D(0)),
        (None, datetime.date(2001, 1, 1), D(2)),
        (None, TODAY, D(2)),
        (None, TODAY + datetime.timedelta(days=1), D(0)),
        (730, days_ago(730), D(2)),
        (730, days_ago(731), D(0)),
    ],
    ids=[
        "today counts",
        "boundary day counts",
        "day before boundary does not count",
        "future row never counts in a window",
        "zero-day window counts today",
        "zero-day window excludes yesterday",
        "no window counts old rows",
        "no window counts today",
        "future row never counts without a window",
        "two-year window boundary counts",
        "two-year window day before does not count",
    ],
)
def test_window(within_days, day, counted):
    requirements = Requirements.build(
        domains=(ADVOCACY,),
        practice=HoursRule(total=D(2), within_days=within_days),
    )
    record = Record(hours=(row(ADVOCACY, "2", ledger=PRACTICE, day=day),))

    item = total_item(evaluate(requirements, record, today=TODAY), PRACTICE)

    assert item.earned == counted
    assert item.left == D(2) - counted
    assert item.within_days == within_days
    by_domain = hours_in_window(
        record.hours, ledger=PRACTICE, domains=(ADVOCACY,), within_days=within_days, today=TODAY
    )
    assert by_domain == {ADVOCACY: counted}


def test_hours_in_window_lists_every_declared_domain_and_no_other():
    rows = (
        row(ETHICS, "1.5"),
        row(ETHICS, "2.25"),
        row(UNDECLARED, "8"),
        row(ADVOCACY, "3", ledger=SUPERVISION),
    )

    counted = hours_in_window(
        rows, ledger=TRAINING, domains=ICRC_DOMAINS, within_days=None, today=TODAY
    )

    assert counted == {ADVOCACY: D(0), MENTORING: D(0), WELLNESS: D(0), ETHICS: D("3.75")}
    assert list(counted) == list(ICRC_DOMAINS)


# Domain minimums ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "total_earned", "total_left", "domains", "beyond"),
    [
        (
            [row(ADVOCACY, "10"), row(ETHICS, "6")],
            D(16),
            D(4),
            {ADVOCACY: (D(10), D(0)), ETHICS: (D(6), D(0))},
            D(4),
        ),
        (
            [row(ADVOCACY, "4")],
            D(4),
            D(16),
            {ADVOCACY: (D(4), D(6)), ETHICS: (D(0), D(6))},
            D(4),
        ),
        (
            [row(ADVOCACY, "18"), row(ETHICS, "6")],
            D(24),
            D(0),
            {ADVOCACY: (D(18), D(0)), ETHICS: (D(6), D(0))},
            D(0),
        ),
        (
            [row(ADVOCACY, "14"), row(ETHICS, "2")],
            D(16),
            D(4),
            {ADVOCACY: (D(14), D(0)), ETHICS: (D(2), D(4))},
            D(0),
        ),
        (
            [row(UNDECLARED, "30")],
            D(0),
            D(20),
            {ADVOCACY: (D(0), D(10)), ETHICS: (D(0), D(6))},
            D(4),
        ),
        (
            [row(UNDECLARED, "30"), row(ADVOCACY, "10"), row(ETHICS, "6")],
            D(16),
            D(4),
            {ADVOCACY: (D(10), D(0)), ETHICS: (D(6), D(0))},
            D(4),
        ),
        (
            [row(ADVOCACY, "10", ledger=PRACTICE), row(ETHICS, "6", ledger=SUPERVISION)],
            D(0),
            D(20),
            {ADVOCACY: (D(0), D(10)), ETHICS: (D(0), D(6))},
            D(4),
        ),
    ],
    ids=[
        "minimums met, total short",
        "one minimum partly met",
        "over-met domain counts toward the total",
        "over-met domain does not cover another domain's minimum",
        "undeclared domain ignored",
        "undeclared domain ignored beside declared ones",
        "other ledgers ignored",
    ],
)
def test_domain_minimums(rows, total_earned, total_left, domains, beyond):
    requirements = Requirements.build(
        domains=(ADVOCACY, MENTORING, ETHICS),
        training=HoursRule(total=D(20), by_domain=((ADVOCACY, D(10)), (ETHICS, D(6)))),
    )

    evaluation = evaluate(requirements, Record(hours=tuple(rows)), today=TODAY)

    total = total_item(evaluation)
    assert (total.earned, total.left, total.beyond_domains) == (total_earned, total_left, beyond)
    assert {
        key: (item.earned, item.left) for key, item in domain_items(evaluation).items()
    } == domains


# Totals and beyond_domains ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "hours", "left", "gaps", "beyond"),
    [
        (D(46), {}, D(46), D(46), D(0)),
        (D(46), {ADVOCACY: "20"}, D(26), D(36), D(0)),
        (D(46), {ADVOCACY: "10", MENTORING: "10", WELLNESS: "10", ETHICS: "16"}, D(0), D(0), D(0)),
        (D(46), {ADVOCACY: "10", MENTORING: "10", WELLNESS: "10", ETHICS: "10"}, D(6), D(6), D(0)),
        (D(50), {}, D(50), D(46), D(4)),
        (D(50), {ADVOCACY: "20"}, D(30), D(36), D(0)),
        (D(50), {ADVOCACY: "10", MENTORING: "10", WELLNESS: "10", ETHICS: "16"}, D(4), D(0), D(4)),
        (
            D(50),
            {ADVOCACY: "12.5", MENTORING: "10", WELLNESS: "10", ETHICS: "14"},
            D("3.5"),
            D(2),
            D("1.5"),
        ),
    ],
    ids=[
        "IC&RC nothing yet",
        "IC&RC 20 advocacy only: minimums cover the total",
        "IC&RC all minimums exactly",
        "IC&RC ethics short: only the ethics gap",
        "total above minimums, nothing yet",
        "total above minimums, 20 advocacy",
        "all minimums met, total short",
        "quarter hours, some beyond and some in a domain",
    ],
)
def test_totals_and_beyond_domains(total, hours, left, gaps, beyond):
    requirements = Requirements.build(
        domains=ICRC_DOMAINS, training=HoursRule(total=total, by_domain=ICRC_MINIMUMS)
    )
    record = Record(hours=tuple(row(domain, value) for domain, value in hours.items()))

    evaluation = evaluate(requirements, record, today=TODAY)

    item = total_item(evaluation)
    assert item.left == left
    assert sum(i.left for i in domain_items(evaluation).values()) == gaps
    assert item.beyond_domains == beyond
    assert item.met == (left == 0)


# Courses and attestations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed", "met"),
    [
        (frozenset(), False),
        (frozenset({"boundaries-basics"}), True),
        (frozenset({"boundaries-basics", "ethics-101"}), True),
        (frozenset({"ethics-101"}), False),
    ],
    ids=["nothing done", "done", "done among others", "only another course done"],
)
def test_course(completed, met):
    requirements = Requirements.build(domains=(), courses=("boundaries-basics",))

    (item,) = evaluate(requirements, Record(completed_courses=completed), today=TODAY).items

    assert (item.kind, item.key, item.met) == (COURSE, "boundaries-basics", met)
    assert (item.required, item.earned, item.left) == (
        (D(1), D(1), D(0)) if met else (D(1), D(0), D(1))
    )


@pytest.mark.parametrize(
    ("signed", "met"),
    [
        (frozenset(), False),
        (frozenset({("code-of-ethics", 2)}), True),
        (frozenset({("code-of-ethics", 1)}), False),
        (frozenset({("code-of-ethics", 3)}), False),
        (frozenset({("code-of-ethics", 1), ("code-of-ethics", 2)}), True),
        (frozenset({("boundaries-pledge", 2)}), False),
    ],
    ids=[
        "nothing signed",
        "current version signed",
        "old version signed",
        "other version signed",
        "old and current signed",
        "other attestation signed",
    ],
)
def test_attestation_version(signed, met):
    requirements = Requirements.build(domains=(), attestations=(("code-of-ethics", 2),))

    (item,) = evaluate(requirements, Record(signed=signed), today=TODAY).items

    assert (item.kind, item.key, item.met) == (ATTESTATION, "code-of-ethics", met)


# Edge cases -----------------------------------------------------------------------------------


def test_empty_requirements_are_met():
    evaluation = evaluate(Requirements.build(domains=()), Record(), today=TODAY)

    assert evaluation.items == ()
    assert evaluation.met
    assert evaluation.missing == ()


@pytest.mark.parametrize(
    "rows",
    [(), (row(ADVOCACY, "3"),)],
    ids=["no hours", "some hours"],
)
def test_zero_total_yields_a_met_item(rows):
    requirements = Requirements.build(domains=(ADVOCACY,), training=HoursRule(total=D(0)))

    evaluation = evaluate(requirements, Record(hours=rows), today=TODAY)

    (item,) = evaluation.items
    assert (item.kind, item.ledger, item.key) == (HOURS_TOTAL, TRAINING, "")
    assert item.met and item.fraction == 1.0 and item.beyond_domains == 0
    assert evaluation.met


@pytest.mark.parametrize(
    ("hours", "required", "met"),
    [
        (["0.1", "0.2"], D("0.3"), True),
        (["0.25"] * 4, D(1), True),
        (["0.25"] * 40, D(10), True),
        (["0.25"] * 39, D(10), False),
        (["0.75", "0.25", "0.5", "0.5"], D(2), True),
        (["0.1"] * 10, D(1), True),
    ],
    ids=[
        "0.1 + 0.2 is exactly 0.3",
        "four quarters make an hour",
        "forty quarters make ten hours",
        "thirty-nine quarters fall short",
        "mixed quarters make two hours",
        "ten tenths make an hour",
    ],
)
def test_decimal_hours_are_exact(hours, required, met):
    requirements = Requirements.build(
        domains=(ETHICS,), training=HoursRule(total=required, by_domain=((ETHICS, required),))
    )
    record = Record(hours=tuple(row(ETHICS, value) for value in hours))

    evaluation = evaluate(requirements, record, today=TODAY)

    total, domain = evaluation.items
    assert total.earned == domain.earned == sum((D(value) for value in hours), D(0))
    assert total.met == domain.met == met
    assert all(isinstance(value, Decimal) for value in (total.earned, total.left, domain.left))
    if not met:
        assert domain.left == D("0.25")


@pytest.mark.parametrize(
    ("required", "earned", "fraction"),
    [
        (D(10), D(0), 0.0),
        (D(10), D("5.5"), 0.55),
        (D(4), D(1), 0.25),
        (D(10), D(10), 1.0),
        (D(10), D(15), 1.0),
        (D(0), D(0), 1.0),
        (D(0), D(3), 1.0),
    ],
    ids=[
        "nothing yet",
        "part way",
        "a quarter",
        "exactly met",
        "over-met is capped",
        "zero required",
        "zero required with hours",
    ],
)
def test_item_fraction(required, earned, fraction):
    item = Item(
        kind=HOURS_TOTAL,
        key="",
        ledger=TRAINING,
        required=required,
        earned=earned,
        left=max(D(0), required - earned),
    )

    assert item.fraction == pytest.approx(fraction)
    assert 0.0 <= item.fraction <= 1.0


# The whole evaluation -------------------------------------------------------------------------


def icrc_like() -> Requirements:
    return Requirements.build(
        domains=ICRC_DOMAINS,
        courses=("boundaries-basics", "ethics-101"),
        training=HoursRule(total=D(46), by_domain=ICRC_MINIMUMS),
        practice=HoursRule(total=D(500), within_days=730),
        supervision=HoursRule(total=D(25), by_domain=((ETHICS, D(5)),), within_days=730),
        attestations=(("code-of-ethics", 1), ("lived-experience", 1)),
    )


def test_item_order():
    evaluation = evaluate(icrc_like(), Record(), today=TODAY)

    assert [(item.kind, item.ledger, item.key) for item in evaluation.items] == [
        (COURSE, "", "boundaries-basics"),
        (COURSE, "", "ethics-101"),
        (HOURS_TOTAL, TRAINING, ""),
        (HOURS_DOMAIN, TRAINING, ADVOCACY),
        (HOURS_DOMAIN, TRAINING, MENTORING),
        (HOURS_DOMAIN, TRAINING, WELLNESS),
        (HOURS_DOMAIN, TRAINING, ETHICS),
        (HOURS_TOTAL, PRACTICE, ""),
        (HOURS_TOTAL, SUPERVISION, ""),
        (HOURS_DOMAIN, SUPERVISION, ETHICS),
        (ATTESTATION, "", "code-of-ethics"),
        (ATTESTATION, "", "lived-experience"),
    ]


def test_ledger_without_rule_has_no_items_even_with_hours():
    requirements = Requirements.build(domains=(ADVOCACY,), supervision=HoursRule(total=D(1)))
    record = Record(hours=(row(ADVOCACY, "3"), row(ADVOCACY, "1", ledger=SUPERVISION)))

    evaluation = evaluate(requirements, record, today=TODAY)

    assert [item.ledger for item in evaluation.items] == [SUPERVISION]
    assert evaluation.for_ledger(TRAINING) == ()
    assert evaluation.met


@pytest.mark.parametrize(
    ("record", "missing"),
    [
        (
            Record(),
            [
                (COURSE, "", "boundaries-basics"),
                (COURSE, "", "ethics-101"),
                (HOURS_TOTAL, TRAINING, ""),
                (HOURS_DOMAIN, TRAINING, ADVOCACY),
                (HOURS_DOMAIN, TRAINING, MENTORING),
                (HOURS_DOMAIN, TRAINING, WELLNESS),
                (HOURS_DOMAIN, TRAINING, ETHICS),
                (HOURS_TOTAL, PRACTICE, ""),
                (HOURS_TOTAL, SUPERVISION, ""),
                (HOURS_DOMAIN, SUPERVISION, ETHICS),
                (ATTESTATION, "", "code-of-ethics"),
                (ATTESTATION, "", "lived-experience"),
            ],
        ),
        (
            Record(
                completed_courses=frozenset({"ethics-101"}),
                hours=(
                    row(ADVOCACY, "10"),
                    row(MENTORING, "10"),
                    row(WELLNESS, "10"),
                    row(ETHICS, "16"),
                    row(ADVOCACY, "500", ledger=PRACTICE, day=days_ago(730)),
                    row(ETHICS, "25", ledger=SUPERVISION, day=days_ago(731)),
                ),
                signed=frozenset({("code-of-ethics", 1), ("lived-experience", 0)}),
            ),
            [
                (COURSE, "", "boundaries-basics"),
                (HOURS_TOTAL, SUPERVISION, ""),
                (HOURS_DOMAIN, SUPERVISION, ETHICS),
                (ATTESTATION, "", "lived-experience"),
            ],
        ),
        (
            Record(
                completed_courses=frozenset({"boundaries-basics", "ethics-101"}),
                hours=(
                    row(ADVOCACY, "10"),
                    row(MENTORING, "10"),
                    row(WELLNESS, "10"),
                    row(ETHICS, "16"),
                    row(ADVOCACY, "250", ledger=PRACTICE, day=days_ago(700)),
                    row(WELLNESS, "250.00", ledger=PRACTICE, day=days_ago(1)),
                    row(ETHICS, "5", ledger=SUPERVISION),
                    row(MENTORING, "20", ledger=SUPERVISION),
                ),
                signed=frozenset({("code-of-ethics", 1), ("lived-experience", 1)}),
            ),
            [],
        ),
    ],
    ids=["nothing yet", "some left", "everything met"],
)
def test_evaluation_met_and_missing(record, missing):
    evaluation = evaluate(icrc_like(), record, today=TODAY)

    assert [(item.kind, item.ledger, item.key) for item in evaluation.missing] == missing
    assert evaluation.met == (missing == [])
    assert all(not item.met for item in evaluation.missing)


@pytest.mark.parametrize(
    ("ledger", "keys"),
    [
        (TRAINING, ["", ADVOCACY, MENTORING, WELLNESS, ETHICS]),
        (PRACTICE, [""]),
        (SUPERVISION, ["", ETHICS]),
    ],
    ids=LEDGERS,
)
def test_for_ledger(ledger, keys):
    evaluation = evaluate(icrc_like(), Record(), today=TODAY)

    items = evaluation.for_ledger(ledger)

    assert [item.key for item in items] == keys
    assert items[0].kind == HOURS_TOTAL
    assert all(item.kind == HOURS_DOMAIN for item in items[1:])
    assert all(item.within_days == icrc_like().rule(ledger).within_days for item in items)


# Building requirements ------------------------------------------------------------------------


def test_build_keeps_rules_by_ledger():
    training = HoursRule(total=D(46), by_domain=ICRC_MINIMUMS)
    supervision = HoursRule(total=D(25), within_days=730)

    requirements = Requirements.build(
        domains=list(ICRC_DOMAINS), training=training, supervision=supervision
    )

    assert requirements.domains == ICRC_DOMAINS
    assert requirements.hours == ((TRAINING, training), (SUPERVISION, supervision))
    assert requirements.rule(TRAINING) is training
    assert requirements.rule(PRACTICE) is None


def test_whole_hours_may_be_ints():
    rule = HoursRule(total=46, by_domain=((ADVOCACY, 10),))

    assert rule.total == D(46) and isinstance(rule.total, Decimal)
    assert rule.by_domain == ((ADVOCACY, D(10)),)
    assert isinstance(HoursRow(TRAINING, ADVOCACY, TODAY, 2).hours, Decimal)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: HoursRule(total=4.5), TypeError),
        (lambda: HoursRule(total=D(4), by_domain=((ADVOCACY, 0.5),)), TypeError),
        (lambda: HoursRow(TRAINING, ADVOCACY, TODAY, 0.25), TypeError),
        (lambda: HoursRow("volunteering", ADVOCACY, TODAY, D(1)), ValueError),
        (lambda: HoursRule(total=D(-1)), ValueError),
        (lambda: HoursRule(total=D(4), within_days=-1), ValueError),
        (lambda: HoursRule(total=D(4), by_domain=((ADVOCACY, D(1)), (ADVOCACY, D(2)))), ValueError),
        (
            lambda: Requirements.build(
                domains=(ADVOCACY,), training=HoursRule(D(4), by_domain=((UNDECLARED, D(1)),))
            ),
            ValueError,
        ),
        (lambda: Requirements(domains=(ADVOCACY, ADVOCACY)), ValueError),
        (lambda: Requirements(domains=(), hours=(("volunteering", HoursRule(D(1))),)), ValueError),
        (
            lambda: Requirements(
                domains=(), hours=((TRAINING, HoursRule(D(1))), (TRAINING, HoursRule(D(2))))
            ),
            ValueError,
        ),
    ],
    ids=[
        "float total",
        "float domain minimum",
        "float row hours",
        "unknown row ledger",
        "negative total",
        "negative window",
        "two minimums for one domain",
        "minimum for an undeclared domain",
        "domain declared twice",
        "unknown rule ledger",
        "two rules for one ledger",
    ],
)
def test_refuses_bad_values(make, error):
    with pytest.raises(error):
        make()
