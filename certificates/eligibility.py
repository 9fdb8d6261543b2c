"""Whether a trainee meets a credential program's requirements, and exactly what is left.

A pure decision over plain values: no models, no database, no clock. Callers read a trainee's
record (completed courses, hour rows, signed attestations), build a ``Record`` and the
program's ``Requirements``, and call ``evaluate(requirements, record, today=...)``. The
``Evaluation`` lists one ``Item`` per requirement, met or not, with what was earned and what is
left; a certificate stores that list as its snapshot.

The rules:

- **Items, in order.** Courses (in requirement order); then, for each ledger in ``LEDGERS``
  order that has a rule (training, supervised practice, supervision), one ``HOURS_TOTAL`` item
  followed by one ``HOURS_DOMAIN`` item per domain minimum (in rule order); then attestations.
- **Only declared domains count.** A program declares its domains. An hour row in any other
  domain counts toward nothing in that program: not its totals, not its domain minimums. A
  program may set minimums only for domains it declares (``Requirements`` refuses others).
- **Windows.** A rule with ``within_days=N`` counts a row dated from ``today - N days`` to
  ``today``, both days included; the day before that does not count. A rule with
  ``within_days=None`` counts any row dated on or before ``today``. A row dated after ``today``
  never counts.
- **Domain minimums count toward the total.** Hours that meet the Advocacy minimum also count
  toward the ledger's total; hours beyond a minimum count toward the total too.
- **What is left.** Every item has ``left = max(0, required - earned)``. ``earned`` is not
  capped, so it can be more than ``required``.
- **beyond_domains** (``HOURS_TOTAL`` only) is what the total still needs once every domain
  minimum of that ledger is met: ``max(0, total's left - sum of the domain items' left)``.
  With a total of 46 and minimums 10/10/10/16, a trainee with 20 Advocacy hours has 26 left on
  the total and 36 left across the domains, so ``beyond_domains`` is 0: meeting the minimums
  meets the total. With a total of 50 and the same minimums all met, 4 hours are left on the
  total and all 4 are ``beyond_domains``: they may be in any declared domain.
- **Courses** are met when their slug is among the completed courses. **Attestations** are met
  only when that exact (code, version) was signed: signing an older text does not count.
- **Decimal only.** Hours are ``Decimal`` (quarter hours are common); a float is refused, so
  sums such as 0.1 + 0.2 are exact.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

TRAINING, PRACTICE, SUPERVISION = "training", "practice", "supervision"
LEDGERS = (TRAINING, PRACTICE, SUPERVISION)
COURSE, HOURS_TOTAL, HOURS_DOMAIN, ATTESTATION = (
    "course",
    "hours_total",
    "hours_domain",
    "attestation",
)
KINDS = (COURSE, HOURS_TOTAL, HOURS_DOMAIN, ATTESTATION)

ZERO = Decimal(0)
ONE = Decimal(1)


def _hours(value, what: str) -> Decimal:
    """``value`` as a Decimal number of hours; an int is fine, a float (inexact) is refused."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{what} must be a Decimal number of hours, not {type(value).__name__}")


def _window_days(value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"within_days must be a whole number of days, 0 or more, not {value!r}")
    return value


@dataclass(frozen=True)
class HoursRule:
    """Hours one ledger needs: a total, minimums by domain (part of the total), a window."""

    total: Decimal
    by_domain: tuple[tuple[str, Decimal], ...] = ()
    within_days: int | None = None

    def __post_init__(self):
        total = _hours(self.total, "total")
        by_domain = tuple((domain, _hours(hours, domain)) for domain, hours in self.by_domain)
        if total < 0 or any(hours < 0 for _, hours in by_domain):
            raise ValueError("hours required cannot be negative")
        domains = [domain for domain, _ in by_domain]
        if len(set(domains)) != len(domains):
            raise ValueError(f"a domain has two minimums: {domains}")
        object.__setattr__(self, "total", total)
        object.__setattr__(self, "by_domain", by_domain)
        object.__setattr__(self, "within_days", _window_days(self.within_days))


@dataclass(frozen=True)
class Requirements:
    """What a program asks for. Build it with ``Requirements.build(...)``.

    ``hours`` holds (ledger, rule) pairs, at most one per ledger; ``rule(ledger)`` reads one."""

    domains: tuple[str, ...]
    courses: tuple[str, ...] = ()
    hours: tuple[tuple[str, HoursRule], ...] = ()
    attestations: tuple[tuple[str, int], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "domains", tuple(self.domains))
        object.__setattr__(self, "courses", tuple(self.courses))
        object.__setattr__(self, "hours", tuple(self.hours))
        object.__setattr__(
            self, "attestations", tuple((code, version) for code, version in self.attestations)
        )
        if len(set(self.domains)) != len(self.domains):
            raise ValueError(f"a domain is declared twice: {self.domains}")
        ledgers = [ledger for ledger, _ in self.hours]
        if len(set(ledgers)) != len(ledgers) or not set(ledgers) <= set(LEDGERS):
            raise ValueError(f"hours rules need distinct ledgers among {LEDGERS}: {ledgers}")
        for ledger, rule in self.hours:
            undeclared = [domain for domain, _ in rule.by_domain if domain not in self.domains]
            if undeclared:
                raise ValueError(
                    f"{ledger} minimums name domains the program does not declare: {undeclared}"
                )

    @classmethod
    def build(
        cls,
        *,
        domains: Iterable[str],
        courses: Iterable[str] = (),
        training: HoursRule | None = None,
        practice: HoursRule | None = None,
        supervision: HoursRule | None = None,
        attestations: Iterable[tuple[str, int]] = (),
    ) -> "Requirements":
        rules = zip(LEDGERS, (training, practice, supervision), strict=True)
        return cls(
            domains=tuple(domains),
            courses=tuple(courses),
            hours=tuple((ledger, rule) for ledger, rule in rules if rule is not None),
            attestations=tuple(attestations),
        )

    def rule(self, ledger: str) -> HoursRule | None:
        return dict(self.hours).get(ledger)


@dataclass(frozen=True)
class HoursRow:
    """Hours on one day in one ledger and domain: a training credit or approved hours."""

    ledger: str
    domain: str
    day: datetime.date
    hours: Decimal

    def __post_init__(self):
        if self.ledger not in LEDGERS:
            raise ValueError(f"unknown ledger {self.ledger!r}; expected one of {LEDGERS}")
        object.__setattr__(self, "hours", _hours(self.hours, "hours"))


@dataclass(frozen=True)
class Record:
    """A trainee's record as plain values.

    ``hours`` holds training credits and only APPROVED practice and supervision hours: the
    caller leaves out hours that are submitted, rejected or drafts."""

    completed_courses: frozenset[str] = frozenset()
    hours: tuple[HoursRow, ...] = ()
    signed: frozenset[tuple[str, int]] = frozenset()


@dataclass(frozen=True)
class Item:
    """One requirement and where the trainee stands on it."""

    kind: str
    key: str
    ledger: str = ""
    required: Decimal = ONE
    earned: Decimal = ZERO
    left: Decimal = ZERO
    beyond_domains: Decimal = ZERO
    within_days: int | None = None

    @property
    def met(self) -> bool:
        return self.left == 0

    @property
    def fraction(self) -> float:
        """How far along, from 0 to 1, for a progress bar (earned beyond required shows as 1)."""
        if self.required <= 0:
            return 1.0
        return float(min(max(self.earned / self.required, ZERO), ONE))


@dataclass(frozen=True)
class Evaluation:
    items: tuple[Item, ...]

    @property
    def met(self) -> bool:
        return all(item.met for item in self.items)

    @property
    def missing(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if not item.met)

    def for_ledger(self, ledger: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.ledger == ledger)


def _left(required: Decimal, earned: Decimal) -> Decimal:
    return max(ZERO, required - earned)


def hours_in_window(
    rows: Iterable[HoursRow],
    *,
    ledger: str,
    domains: Iterable[str],
    within_days: int | None,
    today: datetime.date,
) -> dict[str, Decimal]:
    """Hours of ``ledger`` that count under a rule, by domain: every one of ``domains`` (in
    order, 0 when none), and no other domain. A row counts when dated in the window that ends
    on ``today`` (see the module docstring)."""
    counted = dict.fromkeys(domains, ZERO)
    start = None if within_days is None else today - datetime.timedelta(days=within_days)
    for row in rows:
        if row.ledger != ledger or row.domain not in counted or row.day > today:
            continue
        if start is not None and row.day < start:
            continue
        counted[row.domain] += row.hours
    return counted


def _hours_items(
    ledger: str, rule: HoursRule, record: Record, domains: tuple[str, ...], today: datetime.date
) -> list[Item]:
    counted = hours_in_window(
        record.hours, ledger=ledger, domains=domains, within_days=rule.within_days, today=today
    )
    by_domain = [
        Item(
            kind=HOURS_DOMAIN,
            key=domain,
            ledger=ledger,
            required=minimum,
            earned=counted[domain],
            left=_left(minimum, counted[domain]),
            within_days=rule.within_days,
        )
        for domain, minimum in rule.by_domain
    ]
    earned = sum(counted.values(), ZERO)
    left = _left(rule.total, earned)
    domain_gaps = sum((item.left for item in by_domain), ZERO)
    total = Item(
        kind=HOURS_TOTAL,
        key="",
        ledger=ledger,
        required=rule.total,
        earned=earned,
        left=left,
        beyond_domains=max(ZERO, left - domain_gaps),
        within_days=rule.within_days,
    )
    return [total, *by_domain]


def _done(key: str, kind: str, done: bool) -> Item:
    earned = ONE if done else ZERO
    return Item(kind=kind, key=key, required=ONE, earned=earned, left=ONE - earned)


def evaluate(requirements: Requirements, record: Record, *, today: datetime.date) -> Evaluation:
    """Every requirement of ``requirements`` checked against ``record`` as of ``today``."""
    items = [_done(slug, COURSE, slug in record.completed_courses) for slug in requirements.courses]
    for ledger in LEDGERS:
        rule = requirements.rule(ledger)
        if rule is not None:
            items += _hours_items(ledger, rule, record, requirements.domains, today)
    items += [
        _done(code, ATTESTATION, (code, version) in record.signed)
        for code, version in requirements.attestations
    ]
    return Evaluation(items=tuple(items))
