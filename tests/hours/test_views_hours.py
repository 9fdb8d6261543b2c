import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from hours import services
from hours.models import HourEntry, SignOff
from tests.factories import QualificationFactory

pytestmark = pytest.mark.django_db


def form(values, **changes):
    data = values(**changes)
    data["domain"] = data["domain"].pk
    data["date"] = data["date"].isoformat()
    return data


def test_log_hours_keeps_what_was_typed_on_a_refusal(client, world, values):
    client.force_login(world.trainee)
    response = client.post(
        reverse("hours_new"), form(values, description="Call Sam at 555-201-3344")
    )
    page = response.content.decode()
    assert "Remove the phone number" in page
    assert "Call Sam at 555-201-3344" in page
    assert not HourEntry.objects.exists()
    response = client.post(reverse("hours_new"), form(values), follow=True)
    assert "Saved as a draft" in response.content.decode()
    assert HourEntry.objects.get().status == "draft"


def test_send_for_review_emails_the_supervisor_once_per_batch(
    client, world, values, django_capture_on_commit_callbacks
):
    entries = [services.entry_save(trainee=world.trainee, values=values()) for _ in range(3)]
    client.force_login(world.trainee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("hours_submit"),
            {"entries": [e.pk for e in entries], "supervisor": world.supervisor.pk},
            follow=True,
        )
    assert "Sent 3 entries to" in response.content.decode()
    assert [message.to for message in mail.outbox] == [[world.supervisor.email]]
    assert "3 in all, 3 hours" in mail.outbox[0].body


def test_sending_one_entry_says_one_entry(client, world, values):
    entry = services.entry_save(trainee=world.trainee, values=values())
    client.force_login(world.trainee)
    response = client.post(
        reverse("hours_submit"),
        {"entries": [entry.pk], "supervisor": world.supervisor.pk},
        follow=True,
    )
    assert "Sent 1 entry to" in response.content.decode()


def reauthenticated(client, user):
    client.logout()
    client.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    client.post(reverse("account_reauthenticate"), {"password": "correct-horse-battery"})


def test_review_queue_shows_only_current_supervisees(client, qualified, values):
    world = qualified
    QualificationFactory(user=world.other_supervisor)
    entry = services.entry_save(trainee=world.trainee, values=values())
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    reauthenticated(client, world.supervisor)
    page = client.get(reverse("hours_review")).content.decode()
    assert world.trainee.legal_name in page
    reauthenticated(client, world.other_supervisor)
    page = client.get(reverse("hours_review")).content.decode()
    assert "Nothing is waiting for your review." in page


def test_approving_needs_a_recent_password_confirmation(
    client, qualified, values, django_capture_on_commit_callbacks
):
    world = qualified
    entry = services.entry_save(trainee=world.trainee, values=values())
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    client.post(
        reverse("account_login"),
        {"login": world.supervisor.email, "password": "correct-horse-battery"},
    )
    # Opening the queue, or approving, first asks for the password again; nothing is decided.
    assert client.get(reverse("hours_review")).url.startswith(reverse("account_reauthenticate"))
    response = client.post(reverse("hours_review_approve"), {"entries": [entry.pk]})
    assert response.url.startswith(reverse("account_reauthenticate"))
    entry.refresh_from_db()
    assert entry.status == "submitted"
    response = client.post(
        reverse("account_reauthenticate") + "?next=" + reverse("hours_review"),
        {"password": "correct-horse-battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("hours_review")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("hours_review_approve"), {"entries": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == "approved"
    assert SignOff.objects.count() == 1
    assert mail.outbox[-1].to == [world.trainee.email]


def test_reject_with_a_reason_the_trainee_sees(client, qualified, values):
    world = qualified
    entry = services.entry_save(trainee=world.trainee, values=values())
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    client.post(
        reverse("account_login"),
        {"login": world.supervisor.email, "password": "correct-horse-battery"},
    )
    client.post(reverse("account_reauthenticate"), {"password": "correct-horse-battery"})
    url = reverse("hours_review_reject", args=[entry.pk])
    response = client.post(url, {"reason": ""})
    assert "This field is required" in response.content.decode()
    client.post(url, {"reason": "Please use the advocacy domain"})
    client.force_login(world.trainee)
    page = client.get(reverse("hours_index")).content.decode()
    assert "Please use the advocacy domain" in page


def test_the_record_and_csv_show_sign_offs_with_their_digest(client, qualified, values):
    world = qualified
    entry = services.entry_save(
        trainee=world.trainee, values=values(description="=cmd|' /C calc'!A0"), names_confirmed=True
    )
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    sign_off = services.entries_decide(
        supervisor=world.supervisor, entry_ids=[entry.pk], approve=True
    )
    client.force_login(world.org_admin)
    csv_text = client.get(reverse("hours_record_csv", args=[world.trainee.pk])).content.decode()
    assert sign_off.digest in csv_text
    assert "'=cmd" in csv_text  # a formula is neutralised for spreadsheets
    assert (
        world.supervisor.legal_name
        in client.get(reverse("hours_record", args=[world.trainee.pk])).content.decode()
    )


@pytest.mark.parametrize("count", [10, 10_000])
def test_lists_stay_within_a_fixed_query_budget(
    client, qualified, values, count, django_assert_max_num_queries
):
    world = qualified
    base = values()
    start = timezone.localdate() - datetime.timedelta(days=count)
    HourEntry.objects.bulk_create(
        [
            HourEntry(
                trainee=world.trainee,
                ledger=base["ledger"],
                date=start + datetime.timedelta(days=i),
                minutes=60,
                domain=base["domain"],
                activity=base["activity"],
                setting=base["setting"],
                delivery=base["delivery"],
                description="Outreach",
                status="submitted",
                supervisor=world.supervisor,
                organization=world.org,
            )
            for i in range(count)
        ]
    )
    client.force_login(world.trainee)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("hours_index")).status_code == 200
    reauthenticated(client, world.supervisor)
    with django_assert_max_num_queries(18):
        assert client.get(reverse("hours_review")).status_code == 200


def test_dashboard_shows_supervised_hours_by_ledger(client, qualified, values):
    world = qualified
    entries = [
        services.entry_save(trainee=world.trainee, values=values(minutes=90)) for _ in range(2)
    ]
    services.entries_submit(trainee=world.trainee, entries=entries, supervisor=world.supervisor)
    services.entries_decide(supervisor=world.supervisor, entry_ids=[entries[0].pk], approve=True)
    client.force_login(world.trainee)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Supervised practice: 1.5 h approved, 1.5 h waiting for review" in page
