import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from hours import services
from hours.models import HourEntry, SignOff
from tests.factories import AssignmentFactory, MembershipFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def submitted(world, values, count=1, **changes):
    entries = [
        services.entry_save(trainee=world.trainee, values=values(**changes)) for _ in range(count)
    ]
    services.entries_submit(trainee=world.trainee, entries=entries, supervisor=world.supervisor)
    return entries


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": timezone.localdate() + datetime.timedelta(days=1)}, "date", "in the future"),
        ({"minutes": 50}, "minutes", "steps of 15 minutes"),
        ({"minutes": 780}, "minutes", "at most 12 hours"),
        ({"description": "Call 555 123 4567"}, "description", "Remove the phone number"),
        ({"description": "Wrote to a@b.org"}, "description", "Remove the email address"),
        ({"description": "Met Mr. Jones"}, "description", "may contain a person's name"),
        ({"ledger": "supervision"}, "supervision_format", "individual or in a group"),
    ],
)
def test_entry_refusals_change_nothing(world, values, changes, field, message):
    with pytest.raises(ValidationError) as refused:
        services.entry_save(trainee=world.trainee, values=values(**changes))
    assert message in " ".join(refused.value.message_dict[field])
    assert not HourEntry.objects.exists()


def test_a_day_cannot_exceed_24_hours(world, values):
    for _ in range(2):
        services.entry_save(trainee=world.trainee, values=values(minutes=720))
    with pytest.raises(ValidationError, match="more than 24 hours"):
        services.entry_save(trainee=world.trainee, values=values(minutes=15))


def test_a_confirmed_name_warning_saves(world, values):
    entry = services.entry_save(
        trainee=world.trainee,
        values=values(description="Attended Alcoholics Anonymous meeting"),
        names_confirmed=True,
    )
    assert entry.pk


def test_submit_to_a_current_supervisor_only(world, values):
    entry = services.entry_save(trainee=world.trainee, values=values())
    with pytest.raises(ValidationError, match="current supervisors"):
        services.entries_submit(
            trainee=world.trainee, entries=[entry], supervisor=world.other_supervisor
        )
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    entry.refresh_from_db()
    assert (entry.status, entry.supervisor, entry.organization) == (
        "submitted",
        world.supervisor,
        world.org,
    )


def test_bulk_approval_is_one_sign_off_with_a_digest_and_locks_the_entries(qualified, values):
    world = qualified
    entries = submitted(world, values, count=3)
    sign_off = services.entries_decide(
        supervisor=world.supervisor, entry_ids=[e.pk for e in entries], approve=True
    )
    assert sign_off.entries.count() == 3
    assert sign_off.digest == services.digest_of(sign_off.snapshot)
    assert sign_off.snapshot["qualification"]["number"].startswith("CPRS-")
    assert set(HourEntry.objects.values_list("status", flat=True)) == {"approved"}
    with pytest.raises(ValidationError, match="can no longer be changed"):
        services.entry_save(trainee=world.trainee, values=values(minutes=30), entry=entries[0])
    with pytest.raises(ValidationError, match="already decided"):
        services.entries_decide(
            supervisor=world.supervisor, entry_ids=[entries[0].pk], approve=True
        )
    assert ModelLogEntry.objects.filter(action="alongside.hours.approve").count() == 3


def test_reject_needs_a_reason_then_the_trainee_corrects_and_resubmits(qualified, values):
    world = qualified
    (entry,) = submitted(world, values)
    with pytest.raises(ValidationError, match="Say what needs to change"):
        services.entries_decide(supervisor=world.supervisor, entry_ids=[entry.pk], approve=False)
    services.entries_decide(
        supervisor=world.supervisor, entry_ids=[entry.pk], approve=False, reason="Wrong domain"
    )
    entry.refresh_from_db()
    assert (entry.status, entry.rejection_reason) == ("rejected", "Wrong domain")
    services.entry_save(trainee=world.trainee, values=values(minutes=45), entry=entry)
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    entry.refresh_from_db()
    assert entry.status == "submitted" and entry.minutes == 45


def test_any_current_supervisor_in_the_same_organization_may_decide(qualified, values):
    world = qualified
    (entry,) = submitted(world, values)
    cover = MembershipFactory(organization=world.org, is_trainee=False, is_supervisor=True).user
    QualificationFactory(user=cover)
    with pytest.raises(ValidationError, match="people you currently supervise"):
        services.entries_decide(supervisor=cover, entry_ids=[entry.pk], approve=True)
    AssignmentFactory(organization=world.org, supervisor=cover, trainee=world.trainee)
    services.entries_decide(supervisor=cover, entry_ids=[entry.pk], approve=True)


def test_an_expired_qualification_cannot_sign_off(world, values):
    QualificationFactory(
        user=world.supervisor, expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    (entry,) = submitted(world, values)
    with pytest.raises(ValidationError, match="qualification is not current"):
        services.entries_decide(supervisor=world.supervisor, entry_ids=[entry.pk], approve=True)
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert not SignOff.objects.exists()


def test_forged_ids_of_another_trainees_entry_are_refused(qualified, values):
    world = qualified
    (entry,) = submitted(world, values)
    AssignmentFactory(
        organization=world.other_org, supervisor=world.other_supervisor, trainee=world.other_trainee
    )
    QualificationFactory(user=world.other_supervisor)
    with pytest.raises(ValidationError, match="not yours"):
        services.entries_submit(
            trainee=world.other_trainee, entries=[entry], supervisor=world.other_supervisor
        )
    with pytest.raises(ValidationError, match="people you currently supervise"):
        services.entries_decide(
            supervisor=world.other_supervisor, entry_ids=[entry.pk], approve=True
        )


def test_registrar_reopens_with_a_reversal_and_rewrites_no_history(qualified, values):
    world = qualified
    (entry,) = submitted(world, values)
    approval = services.entries_decide(
        supervisor=world.supervisor, entry_ids=[entry.pk], approve=True
    )
    before = SignOff.objects.get(pk=approval.pk).snapshot
    reversal = services.entry_reopen(
        registrar=world.registrar, entry=entry, reason="Date was wrong"
    )
    assert reversal.reverses == approval
    assert SignOff.objects.get(pk=approval.pk).snapshot == before
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_a_person_with_hours_is_deactivated_never_deleted(client, qualified, values):
    from django.contrib.auth import get_user_model

    world = qualified
    (entry,) = submitted(world, values)
    services.entries_decide(supervisor=world.supervisor, entry_ids=[entry.pk], approve=True)
    admin = get_user_model().objects.create_superuser(
        email="root@example.test", password="x", legal_name="Root"
    )
    client.force_login(admin)
    response = client.post(f"/admin/users/delete/{world.supervisor.pk}/", follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert get_user_model().objects.filter(pk=world.supervisor.pk).exists()
