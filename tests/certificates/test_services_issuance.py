"""Issuing credentials: automatic on the event that meets the last requirement, review through a
registrar, exactly once, with a snapshot that later edits never change."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from certificates import codes, services
from certificates.models import (
    AttestationSignature,
    Certificate,
    IssuanceReview,
    ProgramEnrollment,
)
from tests.course_pages import make_course
from tests.factories import QualificationFactory

from .builders import approve_hours, complete_course, hours_rule, make_program

PLEDGE = "I will keep my relationships within my role."


@pytest.fixture
def ready(world):
    QualificationFactory(user=world.supervisor)
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    return world


def micro(course, **changes):
    values = {
        "courses": [course.slug],
        "training": hours_rule(1.5, [("ethical-responsibility", 1.5)]),
        "practice": hours_rule(2),
        "supervision": hours_rule(1),
        "attestations": [("boundaries-pledge", PLEDGE)],
    }
    values.update(changes)
    return make_program("boundaries-micro", **values)


def sign(trainee, version, name="Jordan Rivera"):
    attestation = version.attestations.get()
    return services.attestation_sign(
        trainee=trainee,
        attestation=attestation,
        typed_name=name,
        confirmed=True,
        ip_address="203.0.113.9",
    )


def program_certificates(trainee):
    return Certificate.objects.filter(holder=trainee, kind="program")


def test_automatic_program_issues_on_the_event_that_meets_the_last_requirement(ready):
    course = make_course("boundaries", modules=2)
    version = micro(course)
    complete_course(ready.trainee, course)  # before starting: still counts
    approve_hours(ready, ledger="practice", minutes=120)
    services.program_start(trainee=ready.trainee, program=version.program)
    approve_hours(ready, ledger="supervision", minutes=60)
    assert not program_certificates(ready.trainee).exists()  # the pledge is still unsigned

    sign(ready.trainee, version)

    certificate = program_certificates(ready.trainee).get()
    assert certificate.name_as_printed == "Jordan Rivera"
    assert certificate.title == version.title
    assert certificate.expires_on == timezone.localdate() + datetime.timedelta(days=730)
    assert certificate.number.startswith(f"AL-{timezone.localdate():%Y}-")
    assert codes.normalize_code(certificate.code_display.lower()) == certificate.verification_code
    assert certificate.snapshot["hours"]["practice"] == {"recovery-wellness-support": "2"}
    assert certificate.snapshot["hours"]["training"] == {"ethical-responsibility": "1.5"}
    assert [c["slug"] for c in certificate.snapshot["courses"]] == ["boundaries"]
    assert certificate.snapshot["attestations"][0]["code"] == "boundaries-pledge"


def test_course_completion_earns_a_certificate_of_completion_once(ready):
    course = make_course("boundaries", modules=1, hours={"ethical-responsibility": "2.5"})
    complete_course(ready.trainee, course)
    certificate = Certificate.objects.get(holder=ready.trainee, kind="course")
    assert certificate.title == course.title
    assert certificate.snapshot["hours"] == {
        "ethical-responsibility": {"name": "Ethical Responsibility", "hours": "2.5"}
    }
    assert certificate.expires_on is None
    enrollment = ready.trainee.enrollments.get()
    assert services.course_certificate_issue(enrollment=enrollment) is None
    assert Certificate.objects.filter(holder=ready.trainee).count() == 1


def test_snapshot_survives_later_edits(ready):
    course = make_course("boundaries", modules=1)
    version = micro(course, practice=None, supervision=None)
    services.program_start(trainee=ready.trainee, program=version.program)
    complete_course(ready.trainee, course)
    sign(ready.trainee, version)
    certificate = program_certificates(ready.trainee).get()
    before = dict(certificate.snapshot)
    course.title = "Renamed course"
    course.save_revision().publish()
    ready.trainee.legal_name = "Jordan Rivera-Smith"
    ready.trainee.save(update_fields=["legal_name"])
    approve_hours(ready, ledger="practice", minutes=60)
    certificate.refresh_from_db()
    assert certificate.snapshot == before
    assert certificate.name_as_printed == "Jordan Rivera"


def test_review_program_waits_for_a_registrar_and_issues_on_approval(ready):
    version = make_program("cprs", issuance="review", practice=hours_rule(2))
    services.program_start(trainee=ready.trainee, program=version.program)
    approve_hours(ready, minutes=120)
    review = IssuanceReview.objects.get()
    assert review.status == "pending"
    assert not program_certificates(ready.trainee).exists()

    with pytest.raises(ValidationError, match="Confirm that you have checked"):
        services.review_approve(registrar=ready.registrar, review=review, exam_confirmed=False)
    assert not program_certificates(ready.trainee).exists()

    certificate = services.review_approve(
        registrar=ready.registrar, review=review, exam_confirmed=True
    )
    assert certificate.issued_by == ready.registrar
    assert certificate.snapshot["approved_by"] == ready.registrar.display_name
    review.refresh_from_db()
    assert review.status == "approved"

    with pytest.raises(ValidationError, match="already decided"):
        services.review_approve(registrar=ready.registrar, review=review, exam_confirmed=True)
    assert program_certificates(ready.trainee).count() == 1


def test_declined_review_shows_its_reason_and_can_be_asked_again(ready):
    version = make_program("cprs", issuance="review", practice=hours_rule(1))
    services.program_start(trainee=ready.trainee, program=version.program)
    approve_hours(ready, minutes=60)
    review = IssuanceReview.objects.get()
    with pytest.raises(ValidationError, match="Write the reason"):
        services.review_decline(registrar=ready.registrar, review=review, reason="  ")
    services.review_decline(
        registrar=ready.registrar, review=review, reason="We have no exam result for you yet."
    )
    review.refresh_from_db()
    assert review.status == "declined" and review.reason == "We have no exam result for you yet."
    approve_hours(ready, minutes=60, days_ago=2)  # a later event does not re-queue by itself
    assert IssuanceReview.objects.count() == 1
    enrollment = ProgramEnrollment.objects.get()
    again = services.review_request(trainee=ready.trainee, enrollment=enrollment)
    assert again.status == "pending"
    with pytest.raises(ValidationError, match="already waiting"):
        services.review_request(trainee=ready.trainee, enrollment=enrollment)


def test_approval_is_refused_when_the_record_no_longer_meets_the_requirements(ready):
    version = make_program("cprs", issuance="review", practice=hours_rule(2))
    services.program_start(trainee=ready.trainee, program=version.program)
    entry = approve_hours(ready, minutes=120)
    review = IssuanceReview.objects.get()
    from hours import services as hour_services

    hour_services.entry_reopen(registrar=ready.registrar, entry=entry, reason="Wrong date")
    with pytest.raises(ValidationError, match="2 more supervised practice hours"):
        services.review_approve(registrar=ready.registrar, review=review, exam_confirmed=True)
    review.refresh_from_db()
    assert review.status == "pending"
    assert not program_certificates(ready.trainee).exists()


def test_signing_with_a_name_that_is_not_the_legal_name_is_refused(ready):
    version = micro(make_course("boundaries", modules=1))
    services.program_start(trainee=ready.trainee, program=version.program)
    with pytest.raises(ValidationError, match="not the legal name on your profile"):
        sign(ready.trainee, version, name="Jordan")
    with pytest.raises(ValidationError, match="Tick the box"):
        services.attestation_sign(
            trainee=ready.trainee,
            attestation=version.attestations.get(),
            typed_name="Jordan Rivera",
            confirmed=False,
        )
    assert not AttestationSignature.objects.exists()
    signature = sign(ready.trainee, version, name="  jordan   RIVERA ")
    assert signature.typed_name == "jordan RIVERA"
    assert signature.ip_address == "203.0.113.9"
    assert signature.attestation.version == 1
    with pytest.raises(ValidationError, match="already signed"):
        sign(ready.trainee, version)


def test_a_new_text_version_must_be_signed_again(ready):
    first = make_program("micro", practice=hours_rule(1), attestations=[("pledge", PLEDGE)])
    services.program_start(trainee=ready.trainee, program=first.program)
    sign(ready.trainee, first)
    second = make_program(
        "micro",
        practice=hours_rule(1),
        attestations=[("pledge", PLEDGE + " I will use supervision.")],
        program=first.program,
    )
    enrollment = ProgramEnrollment.objects.get()
    services.enrollment_move(registrar=ready.registrar, enrollment=enrollment, version=second)
    approve_hours(ready, minutes=60)
    assert not program_certificates(ready.trainee).exists()  # version 2 of the pledge is unsigned
    signature = sign(ready.trainee, second)
    assert signature.attestation.version == 2
    assert program_certificates(ready.trainee).get().program_version == second


def test_a_trainee_keeps_their_version_until_a_registrar_moves_them(ready):
    course = make_course("boundaries", modules=1)
    first = make_program("micro", attestations=[("pledge", PLEDGE)])
    services.program_start(trainee=ready.trainee, program=first.program)
    sign(ready.trainee, first)
    assert program_certificates(ready.trainee).count() == 1
    # A second trainee starts on version 1; a new version changes the pledge.
    other = ready.other_trainee
    other.legal_name = "Casey Morgan"
    other.save(update_fields=["legal_name"])
    services.program_start(trainee=other, program=first.program)
    second = make_program(
        "micro",
        attestations=[("pledge", PLEDGE + " I will use supervision.")],
        courses=[course.slug],
        program=first.program,
    )
    enrollment = ProgramEnrollment.objects.get(trainee=other)
    assert enrollment.version == first
    services.attestation_sign(
        trainee=other,
        attestation=first.attestations.get(),
        typed_name="Casey Morgan",
        confirmed=True,
    )
    assert program_certificates(other).get().program_version == first

    late = ready.independent
    late.legal_name = "Sam Lee"
    late.save(update_fields=["legal_name"])
    services.program_start(trainee=late, program=first.program)
    late_enrollment = ProgramEnrollment.objects.get(trainee=late)
    assert late_enrollment.version == second
    services.enrollment_move(registrar=ready.registrar, enrollment=late_enrollment, version=first)
    late_enrollment.refresh_from_db()
    assert late_enrollment.version == first
    with pytest.raises(ValidationError, match="already on this version"):
        services.enrollment_move(
            registrar=ready.registrar, enrollment=late_enrollment, version=first
        )


def test_starting_twice_is_refused(ready):
    version = make_program("micro", practice=hours_rule(5))
    services.program_start(trainee=ready.trainee, program=version.program)
    with pytest.raises(ValidationError, match="already started"):
        services.program_start(trainee=ready.trainee, program=version.program)
    assert ProgramEnrollment.objects.count() == 1


def test_reevaluating_again_never_issues_twice(ready):
    version = make_program("micro", practice=hours_rule(1))
    services.program_start(trainee=ready.trainee, program=version.program)
    approve_hours(ready, minutes=60)
    assert program_certificates(ready.trainee).count() == 1
    assert services.programs_reevaluate(trainee_id=ready.trainee.pk) == []
    approve_hours(ready, minutes=60, days_ago=3)
    assert program_certificates(ready.trainee).count() == 1


def test_the_holder_is_told_by_email_once_the_credential_is_issued(
    ready, mailoutbox, django_capture_on_commit_callbacks
):
    version = make_program("micro", title="Boundaries credential", practice=hours_rule(1))
    services.program_start(trainee=ready.trainee, program=version.program)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.programs_reevaluate(trainee_id=ready.trainee.pk)  # nothing new: no email
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        approve_hours(ready, minutes=60)
    issued = [message for message in mailoutbox if "Boundaries credential" in message.subject]
    assert len(issued) == 1
    certificate = program_certificates(ready.trainee).get()
    assert issued[0].to == [ready.trainee.email]
    assert certificate.number in issued[0].body and "/credentials/" in issued[0].body


def test_a_declined_trainee_gets_the_reason_by_email(
    ready, mailoutbox, django_capture_on_commit_callbacks
):
    version = make_program("cprs", title="CPRS", issuance="review", practice=hours_rule(1))
    services.program_start(trainee=ready.trainee, program=version.program)
    approve_hours(ready, minutes=60)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_decline(
            registrar=ready.registrar,
            review=IssuanceReview.objects.get(),
            reason="We have no exam result for you yet.",
        )
    [message] = mailoutbox
    assert message.to == [ready.trainee.email]
    assert "We have no exam result for you yet." in message.body
    assert "/programs/cprs/" in message.body


def test_registrars_are_told_of_a_waiting_review_without_the_trainees_name(
    ready, mailoutbox, django_capture_on_commit_callbacks
):
    """Each active registrar gets one email naming the program and the queue; the trainee's
    name stays in the admin. People outside the group, and inactive registrars, get none."""
    from django.contrib.auth.models import Group

    from organizations.roles import REGISTRARS_GROUP
    from tests.factories import UserFactory

    departed = UserFactory(is_active=False)
    departed.groups.add(Group.objects.get(name=REGISTRARS_GROUP))
    version = make_program("cprs", title="CPRS", issuance="review", practice=hours_rule(1))
    services.program_start(trainee=ready.trainee, program=version.program)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_hours(ready, minutes=60)
    waiting = [m for m in mailoutbox if m.subject == "A record is waiting for review: CPRS"]
    assert [m.to for m in waiting] == [[ready.registrar.email]]
    assert "/admin/programs/reviews/" in waiting[0].body
    assert ready.trainee.legal_name not in waiting[0].body
    assert ready.trainee.display_name not in waiting[0].body

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_hours(ready, minutes=60, days_ago=2)  # still pending: no second email
    assert not [m for m in mailoutbox if m.subject.startswith("A record is waiting")]


def test_a_certificate_of_completion_is_announced_to_its_holder(
    ready, mailoutbox, django_capture_on_commit_callbacks
):
    course = make_course("boundaries", modules=1, hours={"ethical-responsibility": "2.5"})
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complete_course(ready.trainee, course)
    certificate = Certificate.objects.get(holder=ready.trainee, kind="course")
    [message] = [m for m in mailoutbox if "certificate of completion" in m.subject]
    assert message.subject == f"Your certificate of completion for {course.title}"
    assert message.to == [ready.trainee.email]
    assert certificate.number in message.body and "/credentials/" in message.body
