"""Build a large, realistic dataset quickly, to measure the site at the size of a real training
provider: ``--trainees 10000`` gives about 10,000 trainees in five organizations with their
supervisors, 1,000,000 hour entries with their sign-offs, course enrollments, completions,
quiz results and training credits, and 50,000 certificates.

What the data looks like is planned in ``cms/scale.py`` (plain values, seeded); this command
reads the site's shape, writes the plan with ``bulk_create`` in one transaction per batch of
trainees, and reports what it wrote and how long it took. It builds on the demo content (the
shipped courses and programs): when they are missing it runs ``seed_demo`` first.

Nothing that guards integrity is turned off: every constraint and the append-only triggers on
sign-offs stay on (a sign-off is only ever inserted). Rows are made the way the services make
them, without going through them one by one: a sign-off's snapshot and SHA-256 digest come from
``hours.services.snapshot_of`` and ``digest_of``; a certificate gets a code from
``codes.new_code``, a salt, a random free bit in the status lists (at most half of each list,
as ``openbadges.status`` allocates) and its number ``AL-<year>-<id>``. Credentials are signed
and PDFs rendered on first use, as for any certificate. What the services also do and this
command does not: audit-log entries, notification emails, and the signals that re-evaluate
programs (the plan issues exactly the credentials that are due).

Running it again adds another set of trainees and supervisors (numbered after the ones there)
to the same organizations; ``--dry-run`` counts what would be written and writes nothing.
Refuses to run with DEBUG off unless given ``--force``: every account it makes shares the demo
password.
"""

import contextlib
import datetime
import random
import secrets
import time
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Case, CharField, Max, Value, When
from django.db.models.functions import Cast, Concat, ExtractYear, LPad
from django.utils import timezone

from assessments.models import Attempt, Quiz, QuizQuestion
from certificates import codes, eligibility, selectors
from certificates.models import (
    AttestationSignature,
    Certificate,
    CertificateKind,
    CredentialProgram,
    ProgramEnrollment,
)
from certificates.openbadges import services as openbadges_services
from certificates.openbadges import status as status_lists
from certificates.services import NUMBER_PREFIX, _hours_snapshot, decimal_text
from cms import scale
from cms.demo import DEMO_PASSWORD
from courses.models import (
    CourseContactHours,
    CoursePage,
    CoursePrerequisite,
    Domain,
    Enrollment,
    ModuleCompletion,
    ModulePage,
    TrainingHourCredit,
)
from hours.models import HourEntry, SignOff, SignOffEntry
from hours.services import digest_of, snapshot_of
from organizations.models import (
    Membership,
    Organization,
    SupervisionAssignment,
    SupervisorQualification,
)

MICRO_PROGRAM = "professional-boundaries-micro-credential"
CPRS_PROGRAM = "certified-peer-recovery-specialist"
INSERT_BATCH = 2000
"""Rows per INSERT statement."""
TEST_NET = ("192.0.2.", "198.51.100.", "203.0.113.")
"""Documentation address ranges, for the addresses signatures keep."""
STATUS_NOTES = {
    "revoked": "Revoked after the board's review.",
    "suspended": "Suspended while a concern is reviewed.",
}


class DryRun(Exception):
    """Raised to roll the transaction back after a dry run."""


@contextlib.contextmanager
def planned_timestamps(*fields):
    """Let bulk inserts keep the planned creation times: ``auto_now_add`` and ``auto_now``
    would stamp every row with the moment of seeding, and a log whose entries were all created
    today is not a realistic one. Only for the duration of the block, in this process."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class StatusEntries:
    """Distinct random bits in the status lists for many certificates at once, under the rule
    of ``openbadges.status.with_free_entry``: the latest list takes certificates until it is
    half full, then the next list starts. The positions come from ``secrets``, so a list says
    nothing about the order of issue; the unique constraint still guards every one."""

    def __init__(self):
        latest = Certificate.objects.aggregate(latest=Max("status_list"))["latest"] or 1
        self.list_number = latest
        self.taken = set(
            Certificate.objects.filter(status_list=latest).values_list("status_index", flat=True)
        )
        self.random = secrets.SystemRandom()

    def take(self, count: int) -> list[status_lists.Entry]:
        entries = []
        while len(entries) < count:
            room = status_lists.LIST_SIZE // 2 - len(self.taken)
            if room <= 0:
                self.list_number += 1
                self.taken = set()
                continue
            free = [i for i in range(status_lists.LIST_SIZE) if i not in self.taken]
            picks = self.random.sample(free, min(room, count - len(entries)))
            self.taken.update(picks)
            entries.extend(status_lists.Entry(self.list_number, index) for index in picks)
        return entries


class Site:
    """The rows of the demo content that the plan is written against, read once."""

    def __init__(self):
        self.domains = {domain.code: domain for domain in Domain.objects.all()}
        self.courses = {
            course.slug: course for course in CoursePage.objects.live().order_by("path")
        }
        self.modules = {slug: list(course.modules()) for slug, course in self.courses.items()}
        self.courses = {slug: c for slug, c in self.courses.items() if self.modules[slug]}
        prerequisites: dict[int, list[str]] = {}
        for link in CoursePrerequisite.objects.select_related("prerequisite"):
            prerequisites.setdefault(link.course_id, []).append(link.prerequisite.slug)
        self.prerequisites = {
            slug: tuple(p for p in prerequisites.get(course.pk, []) if p in self.courses)
            for slug, course in self.courses.items()
        }
        self.contact_hours = {slug: [] for slug in self.courses}
        for row in CourseContactHours.objects.select_related("domain", "course").order_by(
            "domain__name"
        ):
            if row.course.slug in self.contact_hours:
                self.contact_hours[row.course.slug].append(row)
        quizzes = list(Quiz.objects.all())
        points = {}
        for quiz_id in QuizQuestion.objects.values_list("quiz_id", flat=True):
            points[quiz_id] = points.get(quiz_id, 0) + 1
        self.quiz_points = {q.pk: q.draw or points.get(q.pk, 0) for q in quizzes}
        self.module_quiz = {q.module_id: q for q in quizzes if q.module_id}
        self.final_quiz = {q.course_id: q for q in quizzes if q.course_id}
        self.micro = self._version(MICRO_PROGRAM)
        self.cprs = self._version(CPRS_PROGRAM)
        self.pledge = self._attestation(self.micro)
        self.ethics = self._attestation(self.cprs)
        self.registrar = get_user_model().objects.filter(email="registrar@example.org").first()

    @staticmethod
    def _version(slug):
        program = (
            CredentialProgram.objects.filter(slug=slug).select_related("current_version").first()
        )
        return program.current_version if program else None

    @staticmethod
    def _attestation(version):
        if version is None:
            return None
        return version.attestations.order_by("code").first()

    def shape(self) -> scale.Shape:
        holder_course, practice, supervision = None, 0, 0
        if self.micro is not None:
            requirements = selectors.requirements_of(self.micro)
            practice = _minutes(requirements.rule(eligibility.PRACTICE))
            supervision = _minutes(requirements.rule(eligibility.SUPERVISION))
            if (
                len(requirements.courses) == 1
                and requirements.courses[0] in self.courses
                and not self.prerequisites[requirements.courses[0]]
                and len(requirements.attestations) <= 1
                and 0 < practice <= 720
                and 0 < supervision <= 720
            ):
                holder_course = requirements.courses[0]
        return scale.Shape(
            courses=tuple(
                scale.CourseShape(slug, len(self.modules[slug]), self.prerequisites[slug])
                for slug in self.courses
            ),
            domains=tuple(self.domains),
            holder_course=holder_course,
            holder_practice_minutes=practice,
            holder_supervision_minutes=supervision,
        )

    def quiz_shape(self) -> scale.QuizShape:
        return scale.QuizShape(
            modules_with_quiz={
                slug: frozenset(
                    i for i, module in enumerate(modules) if module.pk in self.module_quiz
                )
                for slug, modules in self.modules.items()
            },
            final_quiz=frozenset(
                slug for slug, course in self.courses.items() if course.pk in self.final_quiz
            ),
        )

    def credit_rows(self) -> dict[str, int]:
        return {slug: len(rows) for slug, rows in self.contact_hours.items()}


def _minutes(rule) -> int:
    """A rule's total in minutes, rounded up to the 15-minute step entries are logged in."""
    if rule is None:
        return 0
    steps = -(-rule.total * 60 // 15)
    return int(steps) * 15


class Writer:
    """Writes a plan: the people first, then each batch of trainees in its own transaction."""

    def __init__(self, site: Site, plan: scale.Plan, stdout):
        self.site = site
        self.plan = plan
        self.stdout = stdout
        self.counts = scale.Counts()
        self.password = make_password(DEMO_PASSWORD)
        self.organizations: list[Organization] = []
        self.supervisors: dict[int, object] = {}
        self.qualifications: dict[int, dict] = {}
        self.status_entries = StatusEntries()
        # Quiz scores and signature addresses: test data, not secrets.
        self.rng = random.Random(f"{plan.options.seed}:{plan.options.first_trainee}:write")  # noqa: S311

    # People ------------------------------------------------------------------------------------

    def people(self) -> None:
        User = get_user_model()
        with transaction.atomic():
            for name, slug in self.plan.organizations:
                organization, _created = Organization.objects.get_or_create(
                    slug=slug, defaults={"name": name}
                )
                self.organizations.append(organization)
            for admin in self.plan.admins:
                user = User.objects.filter(email=admin.email).first()
                if user is None:
                    user = User.objects.create(
                        email=admin.email,
                        legal_name=admin.legal_name,
                        password=self.password,
                        date_joined=admin.joined_at,
                    )
                    EmailAddress.objects.create(
                        user=user, email=user.email, verified=True, primary=True
                    )
                Membership.objects.get_or_create(
                    organization=self.organizations[admin.organization],
                    user=user,
                    defaults={"is_org_admin": True, "joined_at": admin.joined_at},
                )
            users = self._users(self.plan.supervisors)
            Membership.objects.bulk_create(
                [
                    Membership(
                        organization=self.organizations[s.organization],
                        user=user,
                        is_supervisor=True,
                        joined_at=s.joined_at,
                    )
                    for s, user in zip(self.plan.supervisors, users, strict=True)
                ],
                batch_size=INSERT_BATCH,
            )
            SupervisorQualification.objects.bulk_create(
                [
                    SupervisorQualification(
                        user=user,
                        credential_name=s.credential_name,
                        credential_number=s.credential_number,
                        expires_on=s.qualification_expires_on,
                    )
                    for s, user in zip(self.plan.supervisors, users, strict=True)
                ],
                batch_size=INSERT_BATCH,
            )
        for s, user in zip(self.plan.supervisors, users, strict=True):
            self.supervisors[s.number] = user
            self.qualifications[s.number] = {
                "credential": s.credential_name,
                "number": s.credential_number,
                "expires_on": s.qualification_expires_on.isoformat(),
            }
        self.counts.supervisors = len(users)

    def _users(self, people) -> list:
        User = get_user_model()
        users = User.objects.bulk_create(
            [
                User(
                    email=person.email,
                    legal_name=person.legal_name,
                    preferred_name=person.preferred_name,
                    password=self.password,
                    date_joined=person.joined_at,
                )
                for person in people
            ],
            batch_size=INSERT_BATCH,
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            batch_size=INSERT_BATCH,
        )
        return users

    # One batch of trainees ----------------------------------------------------------------------

    def batch(self, details: list[scale.Detail]) -> None:
        with transaction.atomic():
            users = self._users([d.trainee.person for d in details])
            self._memberships(details, users)
            entries = self._entries(details, users)
            self._sign_offs(details, users, entries)
            enrollments = self._courses(details, users)
            program_enrollments = self._programs(details, users)
            self._certificates(details, users, enrollments, program_enrollments)
        self.counts.trainees += len(details)

    def _memberships(self, details, users) -> None:
        Membership.objects.bulk_create(
            [
                Membership(
                    organization=self.organizations[d.trainee.person.organization],
                    user=user,
                    is_trainee=True,
                    joined_at=d.trainee.person.joined_at,
                )
                for d, user in zip(details, users, strict=True)
            ],
            batch_size=INSERT_BATCH,
        )
        SupervisionAssignment.objects.bulk_create(
            [
                SupervisionAssignment(
                    organization=self.organizations[d.trainee.person.organization],
                    supervisor=self.supervisors[a.supervisor],
                    trainee=user,
                    starts_on=a.starts_on,
                    ends_on=a.ends_on,
                )
                for d, user in zip(details, users, strict=True)
                for a in d.trainee.assignments
            ],
            batch_size=INSERT_BATCH,
        )

    def _entries(self, details, users) -> list[list[HourEntry]]:
        domains = self.site.domains
        rows = []
        for d, user in zip(details, users, strict=True):
            organization = self.organizations[d.trainee.person.organization]
            rows.append(
                [
                    HourEntry(
                        trainee=user,
                        ledger=e.ledger,
                        supervision_format=e.supervision_format,
                        date=e.date,
                        minutes=e.minutes,
                        domain=domains[e.domain],
                        activity=e.activity,
                        setting=e.setting,
                        delivery=e.delivery,
                        description=e.description,
                        status=e.status,
                        organization_id=organization.pk if e.submitted_at else None,
                        supervisor_id=self.supervisors[e.supervisor].pk if e.supervisor else None,
                        submitted_at=e.submitted_at,
                        decided_at=e.decided_at,
                        decided_by_id=self.supervisors[e.decided_by].pk if e.decided_by else None,
                        rejection_reason=e.rejection_reason,
                        created_at=e.created_at,
                        updated_at=e.updated_at,
                    )
                    for e in d.entries
                ]
            )
        flat = [entry for trainee_entries in rows for entry in trainee_entries]
        fields = HourEntry._meta
        with planned_timestamps(fields.get_field("created_at"), fields.get_field("updated_at")):
            HourEntry.objects.bulk_create(flat, batch_size=INSERT_BATCH)
        self.counts.hour_entries += len(flat)
        return rows

    def _sign_offs(self, details, users, entries) -> None:
        sign_offs, links = [], []
        for d, trainee_entries in zip(details, entries, strict=True):
            organization = self.organizations[d.trainee.person.organization]
            for decision in d.decisions:
                decided = sorted(
                    (trainee_entries[i] for i in decision.entries), key=lambda e: (e.date, e.pk)
                )
                decider = self.supervisors[decision.decided_by]
                decided_at = decision.decided_at.astimezone(datetime.UTC)
                snapshot = {
                    "action": decision.action,
                    "decided_by": decider.email,
                    "decided_at": decided_at.isoformat(),
                    "qualification": self.qualifications[decision.decided_by],
                    "reason": decision.reason,
                    "entries": snapshot_of(decided),
                }
                sign_offs.append(
                    SignOff(
                        action=decision.action,
                        decided_by_id=decider.pk,
                        decided_at=decided_at,
                        organization_id=organization.pk,
                        qualification=snapshot["qualification"],
                        reason=decision.reason,
                        snapshot=snapshot,
                        digest=digest_of(snapshot),
                    )
                )
                links.append(decided)
        SignOff.objects.bulk_create(sign_offs, batch_size=INSERT_BATCH)
        rows = [
            SignOffEntry(sign_off_id=sign_off.pk, entry_id=entry.pk)
            for sign_off, decided in zip(sign_offs, links, strict=True)
            for entry in decided
        ]
        SignOffEntry.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        self.counts.sign_offs += len(sign_offs)
        self.counts.sign_off_entries += len(rows)

    def _attempt(self, quiz, trainee, planned: scale.Attempt) -> Attempt:
        possible = self.site.quiz_points.get(quiz.pk) or 1
        pass_at = -(-quiz.pass_mark * possible // 100)
        if planned.passed:
            awarded = self.rng.randint(min(pass_at, possible), possible)
        else:
            awarded = self.rng.randint(0, max(0, pass_at - 1))
        return Attempt(
            quiz_id=quiz.pk,
            trainee_id=trainee.pk,
            number=planned.number,
            started_at=planned.started_at,
            submitted_at=planned.submitted_at,
            points_possible=Decimal(possible),
            points_awarded=Decimal(awarded),
            percent=(Decimal(awarded * 100) / Decimal(possible)).quantize(Decimal("0.01")),
            passed=planned.passed,
        )

    def _courses(self, details, users) -> list[dict[str, Enrollment]]:
        site = self.site
        enrollments, per_trainee = [], []
        for d, user in zip(details, users, strict=True):
            mine = {}
            for work in d.courses:
                modules = site.modules[work.slug]
                enrollment = Enrollment(
                    trainee=user,
                    course=site.courses[work.slug],
                    enrolled_at=work.enrolled_at,
                    completed_at=work.completed_at,
                    last_module=(
                        modules[work.last_module] if work.last_module is not None else None
                    ),
                )
                enrollments.append(enrollment)
                mine[work.slug] = enrollment
            per_trainee.append(mine)
        Enrollment.objects.bulk_create(enrollments, batch_size=INSERT_BATCH)
        completions, attempts, credits = [], [], []
        for d, user, mine in zip(details, users, per_trainee, strict=True):
            for work in d.courses:
                enrollment = mine[work.slug]
                modules = site.modules[work.slug]
                for i, done_at in enumerate(work.modules_done):
                    completions.append(
                        ModuleCompletion(
                            enrollment_id=enrollment.pk,
                            module_id=modules[i].pk,
                            completed_at=done_at,
                        )
                    )
                    quiz = site.module_quiz.get(modules[i].pk)
                    if quiz is not None:
                        attempts.extend(self._attempt(quiz, user, a) for a in work.quiz_attempts[i])
                if work.completed_at is None:
                    continue
                final = site.final_quiz.get(enrollment.course_id)
                if final is not None:
                    attempts.extend(self._attempt(final, user, a) for a in work.final_attempts)
                credits.extend(
                    TrainingHourCredit(
                        trainee_id=user.pk,
                        enrollment_id=enrollment.pk,
                        course_id=enrollment.course_id,
                        domain_id=row.domain_id,
                        hours=row.hours,
                        earned_on=timezone.localdate(work.completed_at),
                        created_at=work.completed_at,
                    )
                    for row in site.contact_hours[work.slug]
                )
        ModuleCompletion.objects.bulk_create(completions, batch_size=INSERT_BATCH)
        Attempt.objects.bulk_create(attempts, batch_size=INSERT_BATCH)
        with planned_timestamps(TrainingHourCredit._meta.get_field("created_at")):
            TrainingHourCredit.objects.bulk_create(credits, batch_size=INSERT_BATCH)
        self.counts.enrollments += len(enrollments)
        self.counts.module_completions += len(completions)
        self.counts.quiz_attempts += len(attempts)
        self.counts.training_credits += len(credits)
        return per_trainee

    def _programs(self, details, users) -> list[ProgramEnrollment | None]:
        site = self.site
        rows, signatures, micro = [], [], []
        for d, user in zip(details, users, strict=True):
            mine = None
            for version, started in (
                (site.micro, d.micro_started_at),
                (site.cprs, d.cprs_started_at),
            ):
                if version is None or started is None:
                    continue
                enrollment = ProgramEnrollment(
                    trainee=user,
                    program_id=version.program_id,
                    version=version,
                    started_at=started,
                )
                rows.append(enrollment)
                if version is site.micro:
                    mine = enrollment
            micro.append(mine)
            for attestation, signed in (
                (site.pledge, d.pledge_signed_at),
                (site.ethics, d.ethics_signed_at),
            ):
                if attestation is None or signed is None:
                    continue
                signatures.append(
                    AttestationSignature(
                        signer=user,
                        attestation=attestation,
                        typed_name=user.legal_name,
                        signed_at=signed,
                        ip_address=f"{self.rng.choice(TEST_NET)}{self.rng.randint(1, 254)}",
                    )
                )
        ProgramEnrollment.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        AttestationSignature.objects.bulk_create(signatures, batch_size=INSERT_BATCH)
        self.counts.program_enrollments += len(rows)
        self.counts.signatures += len(signatures)
        return micro

    # Certificates ------------------------------------------------------------------------------

    def _certificates(self, details, users, enrollments, program_enrollments) -> None:
        certificates = []
        for d, user, mine, micro in zip(
            details, users, enrollments, program_enrollments, strict=True
        ):
            for work in d.courses:
                if work.certificate is not None:
                    certificates.append(self._course_certificate(user, mine[work.slug], work))
            if d.program_certificate is not None:
                certificates.append(self._program_certificate(d, user, micro))
        for certificate, entry in zip(
            certificates, self.status_entries.take(len(certificates)), strict=True
        ):
            certificate.status_list = entry.list_number
            certificate.status_index = entry.index
        Certificate.objects.bulk_create(certificates, batch_size=INSERT_BATCH)
        # ``AL-<year>-<id>`` as ``services.new_certificate`` gives it (the year in the site's
        # time zone, the id zero-padded to six digits), in one statement for the batch.
        Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(
            number=Concat(
                Value(f"{NUMBER_PREFIX}-"),
                Cast(ExtractYear("issued_at"), CharField()),
                Value("-"),
                Case(
                    When(pk__lt=10**6, then=LPad(Cast("pk", CharField()), 6, Value("0"))),
                    default=Cast("pk", CharField()),
                ),
            )
        )
        self.counts.certificates += len(certificates)

    def _certificate(self, planned: scale.CertificateStatus, **values) -> Certificate:
        certificate = Certificate(
            verification_code=codes.new_code(),
            identity_salt=openbadges_services.new_salt(),
            **values,
        )
        if planned.status != scale.ACTIVE:
            certificate.status = planned.status
            certificate.status_reason = planned.reason
            certificate.status_note = STATUS_NOTES[planned.status]
            certificate.status_changed_at = planned.changed_at
            certificate.status_changed_by = self.site.registrar
        return certificate

    def _course_certificate(self, user, enrollment: Enrollment, work) -> Certificate:
        course = enrollment.course
        hours = {
            row.domain.code: {"name": row.domain.name, "hours": decimal_text(row.hours)}
            for row in self.site.contact_hours[work.slug]
        }
        issued_at = work.completed_at + datetime.timedelta(seconds=1)
        return self._certificate(
            work.certificate,
            holder=user,
            kind=CertificateKind.COURSE,
            course=course,
            name_as_printed=user.legal_name,
            title=course.title,
            issued_at=issued_at,
            snapshot={
                "course": {"slug": course.slug, "title": course.title},
                "hours": hours,
                "completed_on": timezone.localdate(work.completed_at).isoformat(),
            },
        )

    def _program_certificate(self, d: scale.Detail, user, enrollment) -> Certificate:
        """The micro-credential, with the snapshot ``certificates.services`` would have taken
        at the moment of issue, from the record as it was then (checked: it must be met)."""
        site = self.site
        version = site.micro
        issued_at = d.program_issued_at
        today = timezone.localdate(issued_at)
        done = sorted(
            (w for w in d.courses if w.completed_at and w.completed_at <= issued_at),
            key=lambda w: w.completed_at,
        )
        rows = [
            eligibility.HoursRow(
                eligibility.TRAINING,
                row.domain.code,
                timezone.localdate(w.completed_at),
                row.hours,
            )
            for w in done
            for row in site.contact_hours[w.slug]
        ]
        rows.extend(
            eligibility.HoursRow(e.ledger, e.domain, e.date, Decimal(e.minutes) / 60)
            for e in d.entries
            if e.status == scale.APPROVED and e.decided_at <= issued_at
        )
        signed = set()
        if site.pledge is not None and d.pledge_signed_at and d.pledge_signed_at <= issued_at:
            signed.add((site.pledge.code, site.pledge.version))
        record = eligibility.Record(
            completed_courses=frozenset(w.slug for w in done),
            hours=tuple(rows),
            signed=frozenset(signed),
        )
        requirements = selectors.requirements_of(version)
        if not eligibility.evaluate(requirements, record, today=today).met:
            raise CommandError(
                f"The plan issues the micro-credential to {user.email} before its "
                "requirements are met: the program changed in a way seed_scale does not know."
            )
        names = selectors.names_for([version])
        snapshot = {
            "program": {
                "slug": MICRO_PROGRAM,
                "title": version.title,
                "version": version.number,
                "kind": version.kind,
            },
            "hours": _hours_snapshot(record, requirements, today),
            "domains": {code: names.domains.get(code, code) for code in requirements.domains},
            "courses": [
                {
                    "slug": w.slug,
                    "title": site.courses[w.slug].title,
                    "completed_on": timezone.localdate(w.completed_at).isoformat(),
                }
                for w in done
            ],
            "attestations": [
                {
                    "code": site.pledge.code,
                    "version": site.pledge.version,
                    "title": site.pledge.title,
                    "signed_at": d.pledge_signed_at.isoformat(),
                }
            ]
            if signed
            else [],
            "evaluated_on": today.isoformat(),
        }
        return self._certificate(
            d.program_certificate,
            holder=user,
            kind=CertificateKind.PROGRAM,
            program_enrollment=enrollment,
            program_version=version,
            name_as_printed=user.legal_name,
            title=version.title,
            version_label=str(version.number),
            issued_at=issued_at,
            expires_on=(
                today + datetime.timedelta(days=version.validity_days)
                if version.validity_days
                else None
            ),
            snapshot=snapshot,
        )


def next_number(prefix: str) -> int:
    """The number after the highest one already used by earlier runs (numbers are zero-padded,
    so the highest email is the highest number)."""
    last = (
        get_user_model()
        .objects.filter(email__startswith=prefix)
        .order_by("-email")
        .values_list("email", flat=True)
        .first()
    )
    if last is None:
        return 1
    return int(last[len(prefix) :].split("@")[0]) + 1


class Command(BaseCommand):
    help = "Add a large, realistic set of trainees, hours and certificates (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--trainees", type=int, required=True, help="How many trainees.")
        parser.add_argument(
            "--entries-per-trainee",
            type=int,
            default=100,
            help="Hour entries per trainee on average (default 100; the total is exact).",
        )
        parser.add_argument(
            "--certificates",
            type=int,
            default=None,
            help="Certificates in all (default 5 per trainee; one in ten a micro-credential, "
            "the rest certificates of completion).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the plan (default 1).")
        parser.add_argument(
            "--batch",
            type=int,
            default=250,
            help="Trainees written per transaction (default 250).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be written; write nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (every account made shares the demo password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this looks like a production site. seed_scale makes thousands "
                "of accounts that share the published demo password; run with --force only on "
                "a database made for measuring."
            )
        if options["trainees"] < 1 or options["batch"] < 1:
            raise CommandError("--trainees and --batch must be at least 1.")
        started = time.perf_counter()
        verbosity = self.verbosity = options["verbosity"]
        try:
            with transaction.atomic():
                seeded = self._ensure_demo(options["force"], verbosity)
                site = Site()
                built = self._plan(site, options)
                if options["dry_run"]:
                    counts = scale.Counts(supervisors=len(built.supervisors))
                    for detail in built.details():
                        counts.add(
                            detail, credit_rows=site.credit_rows(), quizzes=site.quiz_shape()
                        )
                    self._report("Dry run: would write", counts, built, started)
                    self.stdout.write("Nothing was saved.")
                    raise DryRun
        except DryRun:
            return
        except scale.PlanError as error:
            raise CommandError(str(error)) from error
        if seeded and verbosity:
            self.stdout.write("Loaded the demo content first (seed_demo).")
        writer = Writer(site, built, self.stdout)
        writer.people()
        step = options["batch"]
        trainees = built.trainees
        next_report = max(step, len(trainees) // 10)
        for start in range(0, len(trainees), step):
            writer.batch(list(built.details(trainees[start : start + step])))
            done = min(start + step, len(trainees))
            if verbosity and (done >= next_report or done == len(trainees)):
                next_report += max(step, len(trainees) // 10)
                self.stdout.write(
                    f"  {done:,} of {len(trainees):,} trainees, "
                    f"{writer.counts.hour_entries:,} hour entries "
                    f"({time.perf_counter() - started:.0f} s)"
                )
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner, as autovacuum would gather soon after a load.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._report("Wrote", writer.counts, built, started)

    def _ensure_demo(self, force: bool, verbosity: int) -> bool:
        if (
            CoursePage.objects.exists()
            and ModulePage.objects.exists()
            and CredentialProgram.objects.filter(slug=MICRO_PROGRAM).exists()
        ):
            return False
        call_command("seed_demo", force=force, verbosity=0)
        return True

    def _plan(self, site: Site, options) -> scale.Plan:
        trainees = options["trainees"]
        certificates = options["certificates"]
        return scale.plan(
            site.shape(),
            scale.Options(
                trainees=trainees,
                entries_per_trainee=options["entries_per_trainee"],
                certificates=5 * trainees if certificates is None else certificates,
                seed=options["seed"],
                now=timezone.localtime(),
                first_trainee=next_number(scale.EMAIL_PREFIXES["trainee"]),
                first_supervisor=next_number(scale.EMAIL_PREFIXES["supervisor"]),
            ),
        )

    def _report(self, heading: str, counts: scale.Counts, built: scale.Plan, started) -> None:
        if self.verbosity == 0:
            return
        seconds = time.perf_counter() - started
        total = sum(value for _name, value in counts.rows())
        first = built.trainees[0].person.email
        last = built.trainees[-1].person.email
        self.stdout.write(
            f"{heading} in {seconds:.1f} s ({connection.vendor}, "
            f"{len(built.organizations)} organizations; trainees {first} to {last}):"
        )
        for name, value in counts.rows():
            self.stdout.write(f"  {name:<20} {value:>10,}")
        self.stdout.write(f"  {'rows in all':<20} {total:>10,}  ({total / seconds:,.0f} rows/s)")
