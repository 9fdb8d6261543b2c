"""A credential's life after issue: revoke, suspend, lift, re-issue after a name correction,
renew with continuing education, with a pinned clock."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certificates import lifecycle_services as life
from certificates import services
from certificates.models import Certificate
from courses.models import CoursePage, Domain, Enrollment, TrainingHourCredit
from tests.course_pages import make_course

from .builders import hours_rule, make_program

START = datetime.datetime(2026, 1, 15, 10, tzinfo=datetime.UTC)


@pytest.fixture
def issued(world):
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    with time_machine.travel(START, tick=False):
        version = make_program("micro", title="Micro credential", validity_days=730)
        version.renewal = {
            "training": hours_rule(2, [("ethical-responsibility", 1)]),
            "grace_days": 30,
        }
        version.save(update_fields=["renewal"])
        services.program_start(trainee=world.trainee, program=version.program)
    return Certificate.objects.get(holder=world.trainee)


def credit(trainee, *, hours, domain="ethical-responsibility", on):
    """Continuing education: a completed course crediting ``hours`` in ``domain`` on ``on``."""
    course = make_course(f"ce-{CoursePage.objects.count()}", modules=1)
    enrollment = Enrollment.objects.create(
        trainee=trainee, course=course, completed_at=timezone.now()
    )
    TrainingHourCredit.objects.create(
        trainee=trainee,
        enrollment=enrollment,
        course=course,
        domain=Domain.objects.get(code=domain),
        hours=Decimal(hours),
        earned_on=on,
    )


@pytest.mark.parametrize(
    ("action", "kwargs", "message"),
    [
        (life.certificate_revoke, {"reason": "", "note": "x"}, "Choose a reason"),
        (life.certificate_revoke, {"reason": "ethics", "note": " "}, "Write a note"),
        (life.certificate_suspend, {"reason": "nope", "note": "x"}, "Choose a reason"),
    ],
    ids=["revoke-no-reason", "revoke-no-note", "suspend-bad-reason"],
)
def test_a_change_without_a_reason_is_refused(world, issued, action, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        action(registrar=world.registrar, certificate=issued, **kwargs)
    issued.refresh_from_db()
    assert issued.status == "active" and issued.status_reason == ""


def test_suspend_lift_then_revoke_each_logged(world, issued):
    life.certificate_suspend(
        registrar=world.registrar, certificate=issued, reason="ethics", note="Complaint received"
    )
    issued.refresh_from_db()
    assert (issued.status, issued.status_reason) == ("suspended", "ethics")
    with pytest.raises(ValidationError, match="Only an active certificate"):
        life.certificate_suspend(
            registrar=world.registrar, certificate=issued, reason="ethics", note="again"
        )
    life.certificate_lift_suspension(
        registrar=world.registrar, certificate=issued, note="Complaint resolved"
    )
    issued.refresh_from_db()
    assert issued.status == "active"
    life.certificate_revoke(
        registrar=world.registrar, certificate=issued, reason="issued_in_error", note="Wrong person"
    )
    issued.refresh_from_db()
    assert issued.status == "revoked" and issued.status_changed_by == world.registrar
    with pytest.raises(ValidationError, match="cannot be revoked"):
        life.certificate_revoke(
            registrar=world.registrar, certificate=issued, reason="ethics", note="again"
        )
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(issued.pk))
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "alongside.certificate.suspend",
        "alongside.certificate.lift",
        "alongside.certificate.revoke",
    ]


def test_reissue_after_a_name_correction_supersedes_and_points_forward(world, issued):
    with pytest.raises(ValidationError, match="Type the corrected legal name"):
        life.certificate_reissue(registrar=world.registrar, certificate=issued, legal_name="  ")
    new = life.certificate_reissue(
        registrar=world.registrar, certificate=issued, legal_name="Jordan Rivera-Okafor"
    )
    issued.refresh_from_db()
    world.trainee.refresh_from_db()
    assert issued.status == "superseded" and issued.superseded_by == new
    assert new.previous == issued and new.issue_reason == "reissue"
    assert new.name_as_printed == world.trainee.legal_name == "Jordan Rivera-Okafor"
    assert new.expires_on == issued.expires_on
    assert new.verification_code != issued.verification_code and new.number != issued.number
    with pytest.raises(ValidationError, match="cannot be re-issued"):
        life.certificate_reissue(registrar=world.registrar, certificate=issued, legal_name="X Y")


def test_renewal_needs_the_hours_earned_since_issue(world, issued):
    credit(world.trainee, hours="5", on=datetime.date(2025, 12, 1))  # before issue: no
    with time_machine.travel(datetime.datetime(2027, 12, 1, 12, tzinfo=datetime.UTC)):
        with pytest.raises(ValidationError, match="1 more training hour in any of the program"):
            life.certificate_renew(holder=world.trainee, certificate=issued)
        credit(world.trainee, hours="1.5", on=datetime.date(2027, 6, 1), domain="advocacy")
        with pytest.raises(ValidationError, match="1 more Ethical Responsibility training hour"):
            life.certificate_renew(holder=world.trainee, certificate=issued)
        credit(world.trainee, hours="1", on=datetime.date(2027, 7, 1))
        new = life.certificate_renew(holder=world.trainee, certificate=issued)
    issued.refresh_from_db()
    assert new.issue_reason == "renewal" and new.previous == issued
    assert issued.status == "superseded" and issued.superseded_by == new
    assert new.expires_on == issued.expires_on + datetime.timedelta(days=730)
    assert new.snapshot["renewal"]["training_hours"] == {
        "advocacy": "1.5",
        "ethical-responsibility": "1",
    }


@pytest.mark.parametrize(
    ("when", "allowed"),
    [
        (datetime.datetime(2028, 2, 14, 12, tzinfo=datetime.UTC), True),  # within grace
        (datetime.datetime(2028, 2, 16, 12, tzinfo=datetime.UTC), False),  # after grace
    ],
    ids=["in-grace", "after-grace"],
)
def test_renewal_window_ends_with_the_grace_period(world, issued, when, allowed):
    credit(world.trainee, hours="2", on=datetime.date(2027, 6, 1))
    with time_machine.travel(when):
        if allowed:
            new = life.certificate_renew(holder=world.trainee, certificate=issued)
            assert new.expires_on == timezone.localdate() + datetime.timedelta(days=730)
        else:
            with pytest.raises(ValidationError, match="cannot be renewed now"):
                life.certificate_renew(holder=world.trainee, certificate=issued)
            assert Certificate.objects.filter(holder=world.trainee).count() == 1


def test_a_revoked_credential_cannot_be_renewed(world, issued):
    credit(world.trainee, hours="2", on=datetime.date(2026, 6, 1))
    life.certificate_revoke(
        registrar=world.registrar, certificate=issued, reason="ethics", note="Review outcome"
    )
    with pytest.raises(ValidationError, match="cannot be renewed now"):
        life.certificate_renew(holder=world.trainee, certificate=issued)


@pytest.mark.parametrize(
    ("when", "shown"),
    [
        (datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), "active"),
        (datetime.datetime(2027, 11, 20, 12, tzinfo=datetime.UTC), "expiring"),
        (datetime.datetime(2028, 1, 16, 12, tzinfo=datetime.UTC), "expired"),
    ],
    ids=["active", "expiring", "expired"],
)
def test_status_shown_follows_the_calendar(issued, when, shown):
    with time_machine.travel(when):
        assert issued.shown_status() == shown
