"""``seed_scale``: a small run writes exactly what was asked, every row keeps the rules the
services keep (codes, numbers, status-list bits, sign-off digests, hours), the pages still
render for the people it makes, a second run adds more, and a dry run writes nothing."""

import datetime
import io
import json
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from certificates import eligibility, selectors
from certificates.codes import normalize_code
from certificates.models import Certificate, CertificateKind, ProgramEnrollment
from certificates.openbadges.status import LIST_SIZE
from cms.scale import PlanError, apportion
from courses.models import Enrollment, TrainingHourCredit
from hours import rules
from hours.models import HourEntry, SignOff, SignOffEntry
from hours.services import digest_of, snapshot_of
from organizations.models import Membership, SupervisionAssignment, SupervisorQualification

pytestmark = pytest.mark.django_db

SMALL = ["--trainees", "20", "--entries-per-trainee", "10", "--certificates", "15"]


def seed_scale(*args) -> str:
    out = io.StringIO()
    call_command("seed_scale", *args, "--force", stdout=out)
    return out.getvalue()


def scale_people(kind="trainee"):
    return get_user_model().objects.filter(email__startswith=f"scale-{kind}-")


@pytest.fixture
def seeded(db):
    return seed_scale(*SMALL)


def test_a_small_run_writes_exactly_what_was_asked_and_keeps_the_hours_rules(seeded):
    trainees = scale_people()
    assert trainees.count() == 20
    assert "Wrote in" in seeded and "Loaded the demo content first" in seeded
    entries = HourEntry.objects.filter(trainee__in=trainees)
    assert entries.count() == 200
    assert Certificate.objects.filter(holder__in=trainees).count() == 15
    today = timezone.localdate()
    for trainee in trainees.prefetch_related("memberships"):
        (membership,) = trainee.memberships.all()
        assert membership.is_trainee
        current = SupervisionAssignment.objects.current().get(trainee=trainee)
        assert current.organization_id == membership.organization_id
        assert Membership.objects.get(
            user=current.supervisor, organization=membership.organization
        ).is_supervisor
        assert SupervisorQualification.objects.get(user=current.supervisor).is_current()
    minutes_a_day = defaultdict(int)
    for entry in entries.select_related("trainee"):
        assert not rules.check_time(
            date=entry.date, minutes=entry.minutes, today=today, other_minutes_that_day=0
        )
        assert entry.date >= timezone.localdate(entry.trainee.date_joined)
        assert entry.trainee.date_joined < entry.created_at <= timezone.now()
        check = rules.check_description(entry.description)
        assert not check.errors and not check.warnings, entry.description
        minutes_a_day[entry.trainee_id, entry.date] += entry.minutes
        if entry.status in ("approved", "rejected"):
            assert entry.submitted_at <= entry.decided_at <= timezone.now()
            assert entry.decided_by_id and entry.organization_id
        if entry.status == "submitted":
            assert entry.supervisor_id and entry.decided_at is None
        if entry.status == "draft":
            assert entry.submitted_at is None and entry.supervisor_id is None
    assert max(minutes_a_day.values()) <= rules.MAX_DAY_MINUTES
    statuses = Counter(entries.values_list("status", flat=True))
    assert statuses["approved"] > statuses["submitted"] + statuses["draft"]
    # Each completed course is credited its contact hours once.
    for enrollment in Enrollment.objects.completed().filter(trainee__in=trainees):
        credited = TrainingHourCredit.objects.filter(enrollment=enrollment)
        assert credited.aggregate(total=Sum("hours"))["total"] == (
            enrollment.course.total_contact_hours
        )


def test_sign_offs_verify_the_way_hours_verifies_them(seeded):
    trainees = scale_people()
    sign_offs = SignOff.objects.filter(decided_by__email__startswith="scale-supervisor-")
    assert sign_offs.count() > 0
    linked = defaultdict(list)
    for link in SignOffEntry.objects.filter(sign_off__in=sign_offs).select_related(
        "entry__trainee", "entry__domain"
    ):
        linked[link.sign_off_id].append(link.entry)
    for sign_off in sign_offs.select_related("decided_by"):
        assert sign_off.digest == digest_of(sign_off.snapshot)
        entries = sorted(linked[sign_off.pk], key=lambda entry: (entry.date, entry.pk))
        assert sign_off.snapshot["entries"] == snapshot_of(entries)
        assert sign_off.snapshot["decided_by"] == sign_off.decided_by.email
        assert sign_off.snapshot["action"] == sign_off.action
        assert datetime.datetime.fromisoformat(sign_off.snapshot["decided_at"]) == (
            sign_off.decided_at
        )
    # Every approved entry has an approving sign-off; sent-back ones have a send-back.
    for entry in HourEntry.objects.filter(trainee__in=trainees, status="approved"):
        assert entry.sign_offs.filter(action="approve").exists()
    for entry in HourEntry.objects.filter(trainee__in=trainees, status="rejected"):
        assert entry.sign_offs.filter(action="reject").exists()
    # Nothing was switched off: sign-offs are still append-only.
    with pytest.raises(DatabaseError), transaction.atomic():
        sign_offs.filter(pk=sign_offs.first().pk).update(reason="changed")


def test_certificates_have_valid_codes_numbers_and_status_bits(seeded):
    certificates = list(Certificate.objects.filter(holder__email__startswith="scale-trainee-"))
    codes = [c.verification_code for c in certificates]
    assert len(set(codes)) == len(codes) == 15
    assert all(normalize_code(code) == code for code in codes)
    bits = [(c.status_list, c.status_index) for c in Certificate.objects.all()]
    assert len(set(bits)) == len(bits)
    assert all(0 <= index < LIST_SIZE for _list, index in bits)
    assert max(Counter(number for number, _index in bits).values()) <= LIST_SIZE // 2
    for certificate in certificates:
        year = timezone.localtime(certificate.issued_at).year
        assert certificate.number == f"AL-{year}-{certificate.pk:06d}"
        assert len(certificate.identity_salt) == 32
        assert certificate.credential is None and not certificate.pdf
        assert certificate.issued_at <= timezone.now()
        if certificate.kind == CertificateKind.COURSE:
            assert Enrollment.objects.completed().get(
                trainee=certificate.holder, course=certificate.course
            )
    programs = [c for c in certificates if c.kind == CertificateKind.PROGRAM]
    assert len(programs) == 1  # one in ten (15 // 10)
    for certificate in programs:
        enrollment = certificate.program_enrollment
        requirements = selectors.requirements_of(enrollment.version)
        record = selectors.record_of(certificate.holder)
        assert eligibility.evaluate(requirements, record, today=timezone.localdate()).met
        assert certificate.snapshot["courses"][0]["slug"] == "professional-boundaries"
    # Programs started without meeting them issue nothing.
    for enrollment in ProgramEnrollment.objects.filter(trainee__email__startswith="scale-"):
        has = enrollment.certificates.exists()
        record = selectors.record_of(enrollment.trainee)
        met = eligibility.evaluate(
            selectors.requirements_of(enrollment.version), record, today=timezone.localdate()
        ).met
        assert has == met


def test_pages_render_for_seeded_people(seeded, client):
    trainee = max(scale_people(), key=lambda user: user.hour_entries.count())
    client.force_login(trainee)
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert trainee.display_name in page.content.decode()
    assert client.get(reverse("hours_index")).status_code == 200
    assert client.get(reverse("credentials")).status_code == 200

    supervisor = scale_people("supervisor").first()
    client.force_login(supervisor)
    page = client.get(reverse("dashboard")).content.decode()
    assert "People you supervise now:" in page

    client.logout()
    certificate = Certificate.objects.filter(holder__email__startswith="scale-trainee-").first()
    response = client.get(reverse("verify_record", args=[certificate.verification_code]))
    assert response.status_code == 200
    assert certificate.name_as_printed in response.content.decode()
    assert certificate.number in response.content.decode()
    # Signed on first use, like any certificate.
    credential = client.get(f"/verify/{certificate.verification_code}/credential.json")
    assert credential.status_code == 200
    assert json.loads(credential.content)["proof"]
    certificate.refresh_from_db()
    assert certificate.credential is not None


def test_running_twice_adds_another_set(db):
    small = ["--trainees", "5", "--entries-per-trainee", "4", "--certificates", "3"]
    seed_scale(*small)
    first = set(scale_people().values_list("email", flat=True))
    output = seed_scale(*small)
    assert "Loaded the demo content" not in output
    emails = set(scale_people().values_list("email", flat=True))
    assert len(emails) == 10 and first < emails
    assert "scale-trainee-000010@example.org" in emails
    assert HourEntry.objects.filter(trainee__email__in=emails).count() == 40
    assert Certificate.objects.filter(holder__email__in=emails).count() == 6
    assert scale_people("supervisor").count() == 2
    # The same organizations are used again.
    assert (
        Membership.objects.filter(user__email__in=emails).values("organization").distinct().count()
        == 1
    )


def test_dry_run_writes_nothing(db):
    output = seed_scale(*SMALL, "--dry-run")
    assert "Dry run: would write" in output and "Nothing was saved." in output
    assert "hour entries                200" in output
    assert "certificates                 15" in output
    assert not get_user_model().objects.exists()
    assert not HourEntry.objects.exists() and not Certificate.objects.exists()


def test_refuses_without_debug_or_with_impossible_numbers(db):
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_scale", "--trainees", "2")
    with pytest.raises(CommandError, match="too many"):
        seed_scale("--trainees", "2", "--entries-per-trainee", "4", "--certificates", "100")
    with pytest.raises(CommandError, match="do not fit"):
        seed_scale("--trainees", "2", "--entries-per-trainee", "100000")
    assert not scale_people().exists()


@pytest.mark.parametrize(
    ("total", "weights", "floors", "caps", "expected"),
    [
        (10, [1, 1], [0, 0], [10, 10], [5, 5]),
        (10, [1, 3], [0, 0], [10, 5], [5, 5]),
        (7, [1, 1, 1], [2, 0, 0], [7, 7, 7], [4, 2, 1]),
        (1, [1, 5], [0, 0], [1, 1], [0, 1]),
    ],
)
def test_apportion_adds_up_exactly(total, weights, floors, caps, expected):
    assert apportion(total, weights, floors, caps) == expected


def test_apportion_refuses_what_cannot_fit():
    with pytest.raises(PlanError):
        apportion(10, [1, 1], [0, 0], [3, 3])
