"""A large, realistic dataset as plain values, for measuring the site at the size of a real
training provider: who joins which organization and when, who supervises them, what they log
and what their supervisors decide, which courses they finish and which credentials they earn.

Pure: no models, no database. The ``seed_scale`` command reads the site's shape (courses,
modules, domains, the micro-credential), asks for a ``Plan`` and writes it with bulk inserts.
Everything random comes from ``random.Random`` seeded with the run's seed and the person's
number, so a plan does not depend on the batch size and a dry run counts exactly what a real
run writes. Verification codes, credential salts and status-list positions are not planned:
they come from ``secrets`` when the rows are written, as for every certificate.

What the data looks like (the numbers are the constants below):

- trainees join over the last two years; each is a member of one organization and supervised
  by one supervisor of it, a few change supervisor half way; each organization has one lead
  supervisor with many supervisees and others with a few dozen each;
- hour entries (supervised practice, and supervision received) on dates between joining and
  today, at most two a day, with realistic durations, domains, activities and descriptions;
  the last three weeks are still drafts or waiting for review, older ones are approved in the
  supervisor's review rounds (one sign-off a round), a few were sent back and approved after a
  correction, a few are still sent back;
- courses: enrolled, modules done and quizzes passed, completed ones credited with their
  contact hours; every completed course has its certificate of completion;
- programs: some trainees pursue the Certified Peer Recovery Specialist program (nobody meets
  it: the shipped courses give 19.5 of its 46 training hours); one certificate in ten is the
  boundaries micro-credential, earned by a trainee who finished its course, logged the hours
  and signed the pledge; a few certificates are revoked or suspended.
"""

import bisect
import datetime
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

ORGANIZATIONS = [
    ("Harbor Light Recovery Center", "harbor-light"),
    ("Northside Peer Support Network", "northside-peers"),
    ("Cedar Valley Treatment Services", "cedar-valley"),
    ("Open Door Recovery Community", "open-door"),
    ("Bridgeway Detox and Residential", "bridgeway"),
    ("Summit Recovery Alliance", "summit-recovery"),
]
TRAINEES_PER_ORGANIZATION = 2000
SUPERVISEES_PER_SUPERVISOR = 35
LEAD_SHARE = 0.15
"""The share of an organization's trainees supervised by its lead supervisor."""
CHANGED_SUPERVISOR = 0.10
DAYS_BACK = 730
"""Trainees joined between 14 and this many days ago."""
MAX_ENTRIES_A_DAY = 2
PROGRAM_SHARE = 10
"""One certificate in this many is the micro-credential (a program certificate)."""
REVOKED, SUSPENDED = 0.005, 0.003

EMAIL_DOMAIN = "example.org"
TRAINEE_EMAIL = "scale-trainee-{:06d}@" + EMAIL_DOMAIN
SUPERVISOR_EMAIL = "scale-supervisor-{:05d}@" + EMAIL_DOMAIN
ADMIN_EMAIL = "scale-admin-{}@" + EMAIL_DOMAIN
EMAIL_PREFIXES = {"trainee": "scale-trainee-", "supervisor": "scale-supervisor-"}

_FIRST_NAMES = (
    "Aaliyah Adrian Aisha Alejandro Amara Andre Angela Antonio Ava Benjamin Bianca Brandon "
    "Brianna Caleb Camila Carlos Carmen Chloe Christopher Dakota Daniel Daniela Darnell Deja "
    "Destiny Diego Dominic Elena Elijah Emily Eric Esperanza Ethan Fatima Gabriel Grace Hannah "
    "Hector Imani Isaac Isabella Jacob Jamal Jasmine Javier Jayden Jennifer Jessica Jose Joshua "
    "Juan Kayla Keisha Kevin Kiara Lamar Latoya Leah Luis Malik Maria Marcus Maya Megan Miguel "
    "Monique Nadia Naomi Nathan Nia Noah Olivia Omar Patrick Priya Rafael Rashad Rosa Ryan "
    "Samantha Sarah Sofia Tanisha Terrence Tyler Valeria Victor Wanda Xavier Yesenia Zoe"
)
_LAST_NAMES = (
    "Adams Alvarez Anderson Baker Banks Bell Brooks Brown Bryant Campbell Carter Castillo Chavez "
    "Clark Coleman Collins Cooper Cruz Davis Diaz Edwards Evans Flores Foster Garcia Gomez "
    "Gonzalez Gray Green Griffin Hall Harris Hayes Henderson Hernandez Hill Howard Hughes Jackson "
    "James Jenkins Johnson Jones Kelly Kim King Lee Lewis Long Lopez Martin Martinez Miller "
    "Mitchell Moore Morales Morgan Murphy Myers Nelson Nguyen Ortiz Parker Patel Perez Perry "
    "Peterson Phillips Powell Price Ramirez Reed Reyes Richardson Rivera Roberts Robinson "
    "Rodriguez Ross Russell Sanchez Sanders Scott Simmons Smith Stewart Sullivan Taylor Thomas "
    "Thompson Torres Turner Walker Ward Washington Watson White Williams Wilson Wood Wright Young"
)
FIRST_NAMES, LAST_NAMES = _FIRST_NAMES.split(), _LAST_NAMES.split()

LEDGER_PRACTICE, LEDGER_SUPERVISION = "practice", "supervision"
PRACTICE_MINUTES = (30, 45, 60, 60, 60, 90, 90, 120, 120, 120, 150, 180, 180, 240, 300, 360, 480)
SUPERVISION_MINUTES = (30, 45, 60, 60, 60, 60, 90, 90, 120)
SUPERVISION_SHARE = 0.08
ACTIVITIES = (
    # activity, weight, descriptions (plain words: no names, no contact details)
    (
        "one_to_one",
        40,
        (
            "One-to-one support after a detox admission",
            "Check-in with a peer about early recovery goals",
            "Walked through a recovery plan with a peer",
            "Support after a hard week, focused on coping skills",
            "Talked through a relapse and next steps with a peer",
            "Accompanied a peer to an outpatient intake",
            "Met a peer leaving residential treatment to plan the first week home",
        ),
    ),
    (
        "group_facilitation",
        20,
        (
            "Co-facilitated the evening recovery group",
            "Led a wellness group on sleep and stress",
            "Facilitated a peer group on rebuilding trust with family",
            "Ran the weekly relapse prevention group",
            "Co-led a family education session",
        ),
    ),
    (
        "advocacy",
        12,
        (
            "Helped a peer prepare for a housing appointment",
            "Advocated for a peer at a benefits office",
            "Supported a peer to ask for a medication review",
            "Helped a peer request a change of treatment provider",
        ),
    ),
    (
        "outreach",
        12,
        (
            "Community outreach at the drop-in center",
            "Naloxone education at the community fair",
            "Outreach visit to the shelter with the outreach team",
            "Follow-up calls to peers who missed appointments",
        ),
    ),
    (
        "documentation",
        10,
        (
            "Wrote up session notes and updated the resource list",
            "Documentation and handover to the evening shift",
            "Updated referral records after the team meeting",
        ),
    ),
    (
        "other",
        6,
        (
            "Team meeting on trauma-informed practice",
            "Shadowed a senior peer worker on the residential unit",
            "Attended a case review as the peer voice",
        ),
    ),
)
SUPERVISION_DESCRIPTIONS = (
    "Monthly supervision: boundaries and self-care",
    "Supervision on a hard conversation about relapse",
    "Group supervision with the peer team",
    "Supervision: reviewed my hour log and goals",
    "Supervision on sharing my story with purpose",
    "Reflective supervision after a crisis call",
)
SETTINGS = ("detox", "residential", "outpatient", "community", "online")
SETTING_WEIGHTS = (20, 25, 20, 28, 7)
DELIVERIES = ("in_person", "phone", "video")
DELIVERY_WEIGHTS = (75, 15, 10)
DOMAIN_WEIGHTS = {
    "advocacy": 22,
    "mentoring-education": 24,
    "recovery-wellness-support": 34,
    "ethical-responsibility": 20,
}
REJECTION_REASONS = (
    "Please split this into two entries: the group and the one-to-one time were separate.",
    "The date does not match the shift schedule. Please check it.",
    "Please describe the activity, not the person you supported.",
    "This was supervision received, not practice. Please move it to the other ledger.",
    "The duration looks too long for this activity. Please check it.",
)
STATUS_REASONS = ("issued_in_error", "requirements_not_met", "ethics", "holder_request")
SUSPENSION_REASONS = ("ethics", "administrative")
QUALIFICATIONS = (
    "Certified Peer Recovery Supervisor",
    "Certified Peer Recovery Specialist, clinical supervision endorsement",
    "Licensed Clinical Social Worker",
)

DRAFT, SUBMITTED, APPROVED, REJECTED = "draft", "submitted", "approved", "rejected"
APPROVE, REJECT = "approve", "reject"
ACTIVE = "active"


class PlanError(ValueError):
    """The options ask for something the plan cannot give; the message says what to change."""


@dataclass(frozen=True)
class CourseShape:
    slug: str
    modules: int
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shape:
    """What the plan needs to know about the site (read by the command from the database)."""

    courses: tuple[CourseShape, ...]
    domains: tuple[str, ...]
    holder_course: str | None = None
    """The micro-credential's course; None when there is no micro-credential to earn."""
    holder_practice_minutes: int = 120
    holder_supervision_minutes: int = 60


@dataclass(frozen=True)
class Options:
    trainees: int
    entries_per_trainee: int
    certificates: int
    seed: int
    now: datetime.datetime
    """Aware; the plan works in ``now``'s time zone (the site's)."""
    first_trainee: int = 1
    first_supervisor: int = 1

    @property
    def today(self) -> datetime.date:
        return self.now.date()


@dataclass(frozen=True)
class Person:
    number: int
    email: str
    legal_name: str
    preferred_name: str
    organization: int
    joined_at: datetime.datetime


@dataclass(frozen=True)
class Supervisor(Person):
    credential_name: str = ""
    credential_number: str = ""
    qualification_expires_on: datetime.date | None = None


@dataclass(frozen=True)
class Assignment:
    supervisor: int
    """The supervisor's number."""
    starts_on: datetime.date
    ends_on: datetime.date | None


@dataclass(frozen=True)
class Trainee:
    person: Person
    assignments: tuple[Assignment, ...]
    entries: int
    completions: int
    holder: bool
    """Earns the micro-credential."""

    def supervisor_on(self, day: datetime.date) -> int:
        for assignment in self.assignments:
            if assignment.starts_on <= day and (
                assignment.ends_on is None or day <= assignment.ends_on
            ):
                return assignment.supervisor
        return self.assignments[-1].supervisor


@dataclass
class Entry:
    ledger: str
    supervision_format: str
    date: datetime.date
    minutes: int
    domain: str
    activity: str
    setting: str
    delivery: str
    description: str
    status: str
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None = None
    supervisor: int | None = None
    decided_at: datetime.datetime | None = None
    decided_by: int | None = None
    rejection_reason: str = ""

    @property
    def updated_at(self) -> datetime.datetime:
        return self.decided_at or self.submitted_at or self.created_at


@dataclass(frozen=True)
class Decision:
    """One sign-off: ``entries`` are positions in the trainee's entry list."""

    action: str
    decided_by: int
    decided_at: datetime.datetime
    entries: tuple[int, ...]
    reason: str = ""


@dataclass(frozen=True)
class Attempt:
    number: int
    started_at: datetime.datetime
    submitted_at: datetime.datetime
    passed: bool


@dataclass(frozen=True)
class CertificateStatus:
    status: str = ACTIVE
    reason: str = ""
    changed_at: datetime.datetime | None = None


@dataclass
class CourseWork:
    slug: str
    enrolled_at: datetime.datetime
    completed_at: datetime.datetime | None
    modules_done: list[datetime.datetime]
    quiz_attempts: list[list[Attempt]]
    """Per module done: its quiz's attempts (used when the module has a quiz)."""
    final_attempts: list[Attempt]
    """The course's final quiz attempts (used when the course has one)."""
    last_module: int | None
    certificate: CertificateStatus | None = None


@dataclass
class Detail:
    """Everything one trainee did, as plain values."""

    trainee: Trainee
    entries: list[Entry]
    decisions: list[Decision]
    courses: list[CourseWork]
    micro_started_at: datetime.datetime | None = None
    pledge_signed_at: datetime.datetime | None = None
    cprs_started_at: datetime.datetime | None = None
    ethics_signed_at: datetime.datetime | None = None
    program_issued_at: datetime.datetime | None = None
    program_certificate: CertificateStatus | None = None

    @property
    def certificates(self) -> int:
        courses = sum(1 for course in self.courses if course.certificate is not None)
        return courses + (1 if self.program_certificate is not None else 0)


@dataclass
class Plan:
    shape: Shape
    options: Options
    organizations: list[tuple[str, str]]
    supervisors: list[Supervisor]
    trainees: list[Trainee]
    admins: list[Person] = field(default_factory=list)

    def details(self, trainees: list[Trainee] | None = None) -> Iterator[Detail]:
        for trainee in self.trainees if trainees is None else trainees:
            yield detail(self.shape, self.options, trainee)


# Whole numbers shared out ----------------------------------------------------------------------


def apportion(total: int, weights: list[float], floors: list[int], caps: list[int]) -> list[int]:
    """``total`` shared out: first every floor, then the rest in proportion to ``weights``
    without going over any cap (the last units to the largest remainders), so the shares add
    up to exactly ``total``."""
    if sum(floors) > total:
        raise PlanError(f"cannot share {total}: the minimums alone need {sum(floors)}")
    if sum(caps) < total:
        raise PlanError(f"cannot share {total}: at most {sum(caps)} fit")
    shares = list(floors)
    left = total - sum(shares)
    while left > 0:
        room = [i for i, share in enumerate(shares) if share < caps[i]]
        weight = sum(weights[i] for i in room) or float(len(room))
        ideal = {i: left * (weights[i] if weight else 1.0) / weight for i in room}
        given = 0
        for i in room:
            add = min(int(ideal[i]), caps[i] - shares[i])
            shares[i] += add
            given += add
        if given == 0:
            # Less than one each: the largest remainders get one more.
            for i in sorted(room, key=lambda i: ideal[i] - int(ideal[i]), reverse=True)[:left]:
                shares[i] += 1
                given += 1
        left -= given
    return shares


# The whole plan --------------------------------------------------------------------------------


def _name(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if rng.random() < 0.15:
        last = f"{last}-{rng.choice(LAST_NAMES)}"
    preferred = first if rng.random() < 0.2 else ""
    return f"{first} {last}", preferred


def _moment(rng: random.Random, day: datetime.date, tz, start_hour=8, end_hour=21):
    seconds = rng.randrange(start_hour * 3600, end_hour * 3600)
    return datetime.datetime.combine(
        day,
        datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60, rng.randrange(10**6)),
        tzinfo=tz,
    )


def organization_count(trainees: int) -> int:
    return max(1, min(len(ORGANIZATIONS), round(trainees / TRAINEES_PER_ORGANIZATION)))


def plan(shape: Shape, options: Options) -> Plan:
    """Who is who, and how many entries, completed courses and credentials each trainee gets;
    the rest of each trainee's record comes from ``detail``, one trainee at a time."""
    if options.trainees < 1:
        raise PlanError("--trainees must be at least 1.")
    if options.entries_per_trainee < 0 or options.certificates < 0:
        raise PlanError("--entries-per-trainee and --certificates cannot be negative.")
    rng = random.Random(f"{options.seed}:{options.first_trainee}:plan")  # noqa: S311 - test data
    tz = options.now.tzinfo
    today = options.today
    count = options.trainees
    organizations = ORGANIZATIONS[: organization_count(count)]

    # Trainees: when they joined, and where.
    org_weights = [1 / (i + 1.5) for i in range(len(organizations))]
    people = []
    for offset in range(count):
        number = options.first_trainee + offset
        days_ago = rng.randint(14, DAYS_BACK - 1)
        legal_name, preferred = _name(rng)
        people.append(
            Person(
                number=number,
                email=TRAINEE_EMAIL.format(number),
                legal_name=legal_name,
                preferred_name=preferred,
                organization=rng.choices(range(len(organizations)), org_weights)[0],
                joined_at=_moment(rng, today - datetime.timedelta(days=days_ago), tz),
            )
        )
    active_days = [(today - person.joined_at.date()).days + 1 for person in people]

    # Supervisors: one lead with many supervisees in each organization, others with a few dozen.
    supervisors: list[Supervisor] = []
    supervisor_of: dict[int, list[int]] = {}
    number = options.first_supervisor
    for org in range(len(organizations)):
        members = [i for i, person in enumerate(people) if person.organization == org]
        if not members:
            continue
        wanted = max(1, math.ceil(len(members) / SUPERVISEES_PER_SUPERVISOR))
        numbers = []
        for _ in range(wanted):
            legal_name, preferred = _name(rng)
            supervisors.append(
                Supervisor(
                    number=number,
                    email=SUPERVISOR_EMAIL.format(number),
                    legal_name=legal_name,
                    preferred_name=preferred,
                    organization=org,
                    joined_at=_moment(rng, today - datetime.timedelta(days=DAYS_BACK + 30), tz),
                    credential_name=rng.choice(QUALIFICATIONS),
                    credential_number=f"PRS-S-{number:05d}",
                    qualification_expires_on=today + datetime.timedelta(days=rng.randint(90, 900)),
                )
            )
            numbers.append(number)
            number += 1
        supervisor_of[org] = numbers
    assignments: list[tuple[Assignment, ...]] = []
    for i, person in enumerate(people):
        numbers = supervisor_of[person.organization]
        if len(numbers) == 1 or rng.random() < LEAD_SHARE:
            current = numbers[0]
        else:
            current = rng.choice(numbers[1:])
        joined_on = person.joined_at.date()
        if len(numbers) > 1 and active_days[i] >= 60 and rng.random() < CHANGED_SUPERVISOR:
            previous = rng.choice([n for n in numbers if n != current])
            switch = joined_on + datetime.timedelta(days=rng.randint(30, active_days[i] - 14))
            assignments.append(
                (
                    Assignment(previous, joined_on, switch - datetime.timedelta(days=1)),
                    Assignment(current, switch, None),
                )
            )
        else:
            assignments.append((Assignment(current, joined_on, None),))

    # Who earns the micro-credential, and how many entries and completed courses each has.
    total_entries = count * options.entries_per_trainee
    holders_wanted = options.certificates // PROGRAM_SHARE if shape.holder_course else 0
    eligible = [i for i in range(count) if active_days[i] >= 60]
    holders_wanted = min(holders_wanted, len(eligible), total_entries // 2)
    holders = set(rng.sample(eligible, holders_wanted))
    weights = [days * rng.lognormvariate(0, 0.6) for days in active_days]
    try:
        entries = apportion(
            total_entries,
            weights,
            [2 if i in holders else 0 for i in range(count)],
            [MAX_ENTRIES_A_DAY * days for days in active_days],
        )
    except PlanError as error:
        raise PlanError(
            f"{options.entries_per_trainee} entries per trainee do not fit in the days they "
            f"have been logging ({error}); ask for fewer."
        ) from error
    course_certificates = options.certificates - len(holders)
    try:
        completions = apportion(
            course_certificates,
            [days * rng.lognormvariate(0, 0.5) for days in active_days],
            [1 if i in holders else 0 for i in range(count)],
            [len(shape.courses)] * count,
        )
    except PlanError as error:
        raise PlanError(
            f"{options.certificates} certificates are too many for {count} trainees and "
            f"{len(shape.courses)} courses ({error}); ask for fewer."
        ) from error
    trainees = [
        Trainee(
            person=person,
            assignments=assignments[i],
            entries=entries[i],
            completions=completions[i],
            holder=i in holders,
        )
        for i, person in enumerate(people)
    ]
    admins = [
        Person(
            number=0,
            email=ADMIN_EMAIL.format(slug),
            legal_name=" ".join(_name(rng)[0].split()[:2]),
            preferred_name="",
            organization=org,
            joined_at=_moment(rng, today - datetime.timedelta(days=DAYS_BACK + 60), tz),
        )
        for org, (_name_, slug) in enumerate(organizations)
    ]
    return Plan(
        shape=shape,
        options=options,
        organizations=list(organizations),
        supervisors=supervisors,
        trainees=trainees,
        admins=admins,
    )


# One trainee's record -------------------------------------------------------------------------


def _between(rng: random.Random, start: datetime.datetime, end: datetime.datetime):
    if end <= start:
        return start
    return start + (end - start) * rng.random()


def _certificate_status(rng: random.Random, issued_at, now) -> CertificateStatus:
    draw = rng.random()
    if draw >= REVOKED + SUSPENDED or now - issued_at < datetime.timedelta(days=2):
        return CertificateStatus()
    changed_at = _between(
        rng, issued_at + datetime.timedelta(days=1), now - datetime.timedelta(hours=1)
    )
    if draw < REVOKED:
        return CertificateStatus("revoked", rng.choice(STATUS_REASONS), changed_at)
    return CertificateStatus("suspended", rng.choice(SUSPENSION_REASONS), changed_at)


def _entry_days(rng: random.Random, trainee: Trainee, days: int) -> list[int]:
    """Day offsets from joining, sorted: distinct days while they fit, else up to two a day
    (slot ``s`` is day ``s // 2``). A micro-credential holder's first two entries are on the
    first days, so they are old enough to have been approved."""
    wanted = trainee.entries
    forced = 2 if trainee.holder else 0
    if wanted <= days:
        return sorted([*range(forced), *rng.sample(range(forced, days), wanted - forced)])
    slots = rng.sample(range(forced, MAX_ENTRIES_A_DAY * days), wanted - forced)
    return sorted(slot // MAX_ENTRIES_A_DAY for slot in [*range(forced), *slots])


def _entries(rng: random.Random, shape: Shape, options: Options, trainee: Trainee, tz):
    now, today = options.now, options.today
    joined_on = trainee.person.joined_at.date()
    days = (today - joined_on).days + 1
    offsets = _entry_days(rng, trainee, days)
    activities = [a for a, _w, _d in ACTIVITIES]
    activity_weights = [w for _a, w, _d in ACTIVITIES]
    descriptions = {a: d for a, _w, d in ACTIVITIES}
    domains = [code for code in shape.domains if code in DOMAIN_WEIGHTS] or list(shape.domains)
    domain_weights = [DOMAIN_WEIGHTS.get(code, 10) for code in domains]
    entries = []
    for position, offset in enumerate(offsets):
        day = joined_on + datetime.timedelta(days=offset)
        forced = trainee.holder and position < 2
        if (forced and position == 0) or (not forced and rng.random() < SUPERVISION_SHARE):
            ledger = LEDGER_SUPERVISION
            minutes = (
                shape.holder_supervision_minutes if forced else rng.choice(SUPERVISION_MINUTES)
            )
            supervision_format = "individual" if forced or rng.random() < 0.7 else "group"
            activity = "other"
            description = rng.choice(SUPERVISION_DESCRIPTIONS)
        else:
            ledger = LEDGER_PRACTICE
            minutes = shape.holder_practice_minutes if forced else rng.choice(PRACTICE_MINUTES)
            supervision_format = ""
            activity = rng.choices(activities, activity_weights)[0]
            description = rng.choice(descriptions[activity])
        created_at = max(
            datetime.datetime.combine(day, datetime.time(), tzinfo=tz),
            trainee.person.joined_at + datetime.timedelta(minutes=5),
            min(
                _moment(rng, day + datetime.timedelta(days=rng.choice((0, 0, 0, 1))), tz, 12, 23),
                now - datetime.timedelta(minutes=5),
            ),
        )
        age = (today - day).days
        draw = rng.random()
        if forced:
            status = APPROVED
        elif age <= 2:
            status = DRAFT if draw < 0.6 else SUBMITTED
        elif age <= 21:
            status = (
                DRAFT
                if draw < 0.12
                else SUBMITTED
                if draw < 0.55
                else REJECTED
                if draw < 0.60
                else APPROVED
            )
        else:
            status = (
                "corrected"
                if draw < 0.03
                else REJECTED
                if draw < 0.04
                else SUBMITTED
                if draw < 0.05
                else DRAFT
                if draw < 0.055
                else APPROVED
            )
        entries.append(
            Entry(
                ledger=ledger,
                supervision_format=supervision_format,
                date=day,
                minutes=minutes,
                domain=rng.choices(domains, domain_weights)[0],
                activity=activity,
                setting=rng.choices(SETTINGS, SETTING_WEIGHTS)[0],
                delivery=rng.choices(DELIVERIES, DELIVERY_WEIGHTS)[0],
                description=description,
                status=status,
                created_at=created_at,
            )
        )
    return entries


def _decide(rng: random.Random, options: Options, trainee: Trainee, entries: list[Entry], tz):
    """Submission and decision times, and the sign-offs: the supervisor reviews every one to
    three weeks and approves what was sent since (one sign-off a round); a send-back is a
    sign-off of its own."""
    now = options.now
    latest = now - datetime.timedelta(hours=1)
    rounds = []
    day = trainee.person.joined_at.date() + datetime.timedelta(days=rng.randint(5, 14))
    while day <= options.today:
        rounds.append(_moment(rng, day, tz, 9, 18))
        day += datetime.timedelta(days=rng.randint(7, 21))
    decisions: list[Decision] = []
    approvals: dict[datetime.datetime, list[int]] = {}

    def next_round(after: datetime.datetime) -> datetime.datetime:
        index = bisect.bisect_right(rounds, after)
        if index < len(rounds) and rounds[index] <= latest:
            return rounds[index]
        return _between(rng, after + datetime.timedelta(minutes=10), latest)

    for position, entry in enumerate(entries):
        if entry.status == DRAFT:
            continue
        submitted = min(
            _between(rng, entry.created_at, entry.created_at + datetime.timedelta(days=3)),
            now - datetime.timedelta(hours=2),
        )
        submitted = max(submitted, entry.created_at)
        entry.submitted_at = submitted
        entry.supervisor = trainee.supervisor_on(submitted.date())
        if entry.status == SUBMITTED:
            continue
        if entry.status in (REJECTED, "corrected"):
            rejected_at = min(
                _between(
                    rng,
                    submitted + datetime.timedelta(hours=2),
                    submitted + datetime.timedelta(days=3),
                ),
                latest,
            )
            rejected_at = max(rejected_at, submitted + datetime.timedelta(minutes=1))
            decider = trainee.supervisor_on(rejected_at.date())
            reason = rng.choice(REJECTION_REASONS)
            decisions.append(Decision(REJECT, decider, rejected_at, (position,), reason))
            if entry.status == REJECTED:
                entry.decided_at, entry.decided_by, entry.rejection_reason = (
                    rejected_at,
                    decider,
                    reason,
                )
                continue
            # Corrected and sent again, then approved in a later round.
            entry.status = APPROVED
            entry.submitted_at = min(
                _between(
                    rng,
                    rejected_at + datetime.timedelta(hours=1),
                    rejected_at + datetime.timedelta(days=2),
                ),
                latest - datetime.timedelta(minutes=30),
            )
            entry.supervisor = trainee.supervisor_on(entry.submitted_at.date())
        decided_at = next_round(entry.submitted_at)
        entry.decided_at = decided_at
        entry.decided_by = trainee.supervisor_on(decided_at.date())
        approvals.setdefault(decided_at, []).append(position)
    for decided_at, positions in approvals.items():
        decisions.append(
            Decision(
                APPROVE, trainee.supervisor_on(decided_at.date()), decided_at, tuple(positions)
            )
        )
    decisions.sort(key=lambda decision: decision.decided_at)
    return decisions


def _attempts(rng: random.Random, done_at: datetime.datetime) -> list[Attempt]:
    started = done_at + datetime.timedelta(minutes=rng.randint(1, 10))
    if rng.random() < 0.12:
        failed = Attempt(1, started, started + datetime.timedelta(minutes=rng.randint(4, 9)), False)
        again = failed.submitted_at + datetime.timedelta(minutes=rng.randint(5, 20))
        return [
            failed,
            Attempt(2, again, again + datetime.timedelta(minutes=rng.randint(3, 8)), True),
        ]
    return [Attempt(1, started, started + datetime.timedelta(minutes=rng.randint(3, 9)), True)]


def _courses(rng: random.Random, shape: Shape, options: Options, trainee: Trainee):
    now = options.now
    joined_at = trainee.person.joined_at
    by_slug = {course.slug: course for course in shape.courses}
    chosen: list[str] = []
    if trainee.holder and trainee.completions:
        chosen.append(shape.holder_course)

    def pick(done: list[str]) -> str | None:
        candidates = [
            c.slug
            for c in shape.courses
            if c.slug not in chosen and set(c.prerequisites) <= set(done)
        ]
        if not candidates:
            return None
        weights = [3 if slug == shape.holder_course else 1 for slug in candidates]
        return rng.choices(candidates, weights)[0]

    while len(chosen) < trainee.completions:
        slug = pick(chosen)
        if slug is None:
            raise PlanError("the courses' prerequisites go round in a circle")
        chosen.append(slug)
    completed = list(chosen)
    going = rng.choices((0, 1, 2), (0.4, 0.4, 0.2))[0]
    for _ in range(going):
        slug = pick(completed)
        if slug is None:
            break
        chosen.append(slug)

    start = joined_at + datetime.timedelta(days=1)
    end = now - datetime.timedelta(hours=2)
    targets = sorted(_between(rng, start, end) for _ in completed)
    finished: dict[str, datetime.datetime] = {}
    work = []
    for index, slug in enumerate(chosen):
        course = by_slug[slug]
        earliest = max([joined_at] + [finished[p] for p in course.prerequisites if p in finished])
        if index < len(completed):
            target = max(targets[index], earliest + datetime.timedelta(hours=1))
            enrolled = max(
                earliest + datetime.timedelta(minutes=1),
                target - datetime.timedelta(days=rng.uniform(0.05, 30)),
            )
            done_count = course.modules
        else:
            enrolled = _between(rng, earliest, now - datetime.timedelta(hours=3))
            target = now - datetime.timedelta(hours=2)
            done_count = rng.randint(0, max(0, course.modules - 1))
        if target <= enrolled:
            done_count = 0
        span = target - enrolled
        modules_done = [
            enrolled + span * ((i + 1) / (course.modules + 0.5)) for i in range(done_count)
        ]
        attempts = [_attempts(rng, moment) for moment in modules_done]
        final: list[Attempt] = []
        completed_at = None
        if index < len(completed):
            last = max([modules_done[-1]] + [a[-1].submitted_at for a in attempts])
            final = _attempts(rng, last)
            completed_at = final[-1].submitted_at + datetime.timedelta(seconds=rng.randint(1, 30))
            finished[slug] = completed_at
        last_module = None
        if done_count:
            last_module = min(done_count, course.modules - 1)
        work.append(
            CourseWork(
                slug=slug,
                enrolled_at=enrolled,
                completed_at=completed_at,
                modules_done=modules_done,
                quiz_attempts=attempts,
                final_attempts=final,
                last_module=last_module,
                certificate=(_certificate_status(rng, completed_at, now) if completed_at else None),
            )
        )
    return work


def detail(shape: Shape, options: Options, trainee: Trainee) -> Detail:
    rng = random.Random(f"{options.seed}:{trainee.person.number}")  # noqa: S311 - test data
    tz = options.now.tzinfo
    now = options.now
    entries = _entries(rng, shape, options, trainee, tz)
    decisions = _decide(rng, options, trainee, entries, tz)
    courses = _courses(rng, shape, options, trainee)
    result = Detail(trainee=trainee, entries=entries, decisions=decisions, courses=courses)
    joined_at = trainee.person.joined_at
    if trainee.holder:
        course = next(c for c in courses if c.slug == shape.holder_course)
        approved = max(entries[0].decided_at, entries[1].decided_at)
        started = _between(rng, joined_at, course.completed_at)
        signed = min(
            started + datetime.timedelta(minutes=rng.randint(5, 3 * 24 * 60)),
            now - datetime.timedelta(hours=2),
        )
        result.micro_started_at = started
        result.pledge_signed_at = max(signed, started + datetime.timedelta(seconds=1))
        result.program_issued_at = max(
            course.completed_at, approved, result.pledge_signed_at
        ) + datetime.timedelta(seconds=rng.randint(1, 20))
        result.program_certificate = _certificate_status(rng, result.program_issued_at, now)
    elif shape.holder_course and rng.random() < 0.2:
        # Started the micro-credential but has not signed the pledge: not met, nothing issued.
        result.micro_started_at = _between(rng, joined_at, now - datetime.timedelta(hours=3))
    if rng.random() < 0.4:
        result.cprs_started_at = _between(rng, joined_at, now - datetime.timedelta(hours=3))
        if rng.random() < 0.5:
            result.ethics_signed_at = _between(
                rng, result.cprs_started_at, now - datetime.timedelta(hours=2)
            )
    return result


@dataclass
class Counts:
    """What a plan writes, by kind of row."""

    trainees: int = 0
    supervisors: int = 0
    hour_entries: int = 0
    sign_offs: int = 0
    sign_off_entries: int = 0
    enrollments: int = 0
    module_completions: int = 0
    quiz_attempts: int = 0
    training_credits: int = 0
    program_enrollments: int = 0
    signatures: int = 0
    certificates: int = 0

    def add(self, detail: Detail, *, credit_rows: dict[str, int], quizzes: "QuizShape") -> None:
        self.trainees += 1
        self.hour_entries += len(detail.entries)
        self.sign_offs += len(detail.decisions)
        self.sign_off_entries += sum(len(decision.entries) for decision in detail.decisions)
        self.enrollments += len(detail.courses)
        for course in detail.courses:
            self.module_completions += len(course.modules_done)
            with_quiz = quizzes.modules_with_quiz.get(course.slug, ())
            self.quiz_attempts += sum(
                len(attempts) for i, attempts in enumerate(course.quiz_attempts) if i in with_quiz
            )
            if course.completed_at:
                if course.slug in quizzes.final_quiz:
                    self.quiz_attempts += len(course.final_attempts)
                self.training_credits += credit_rows.get(course.slug, 0)
        self.program_enrollments += (detail.micro_started_at is not None) + (
            detail.cprs_started_at is not None
        )
        self.signatures += (detail.pledge_signed_at is not None) + (
            detail.ethics_signed_at is not None
        )
        self.certificates += detail.certificates

    def rows(self) -> list[tuple[str, int]]:
        return [(name.replace("_", " "), value) for name, value in vars(self).items()]


@dataclass(frozen=True)
class QuizShape:
    modules_with_quiz: dict[str, frozenset[int]]
    """Course slug → positions of its modules that have a quiz."""
    final_quiz: frozenset[str]
    """Slugs of the courses with a final quiz."""
