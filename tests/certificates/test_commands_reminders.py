"""``manage.py send_reminders``: each reminder (90, 30 and 0 days before expiry) once, only the
most urgent after missed days, nothing for credentials that are not active or not expiring, and
never twice, even when two runs meet. Dates are pinned with ``--date``."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.management.commands import send_reminders
from certificates.models import Certificate, ExpiryReminder

from .builders import make_program

TODAY = datetime.date(2026, 3, 2)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def program(db):
    return make_program("micro", title="Peer Support Basics")  # no requirements: issued at once


def issue(trainee, version, *, days_left: int | None) -> Certificate:
    """A credential issued to ``trainee`` that expires ``days_left`` days after TODAY."""
    services.program_start(trainee=trainee, program=version.program)
    certificate = Certificate.objects.get(holder=trainee, kind="program")
    expires_on = None if days_left is None else TODAY + days_left * DAY
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=expires_on)
    certificate.refresh_from_db()
    return certificate


@pytest.fixture
def credential(world, program):
    return issue(world.trainee, program, days_left=200)


def expire_in(certificate, days_left) -> Certificate:
    Certificate.objects.filter(pk=certificate.pk).update(expires_on=TODAY + days_left * DAY)
    certificate.refresh_from_db()
    return certificate


def recorded(certificate) -> set[int]:
    return set(
        ExpiryReminder.objects.filter(certificate=certificate).values_list("days_before", flat=True)
    )


@pytest.fixture
def run(db, django_capture_on_commit_callbacks):
    """Run the command on a day (TODAY unless given), with its after-commit emails sent.
    (Needs ``db`` first: setting up the test database replaces ``mail.outbox``, so it must
    come before ``mailoutbox``.)"""

    def run(*args, on=TODAY):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", f"--date={on.isoformat()}", *args, stdout=out)
        return out.getvalue()

    return run


@pytest.mark.parametrize(
    ("days_left", "already_sent", "subject", "recorded_after"),
    [
        (91, set(), None, set()),
        (90, set(), "Your Peer Support Basics credential expires on May 31, 2026", {90}),
        (31, {90}, None, {90}),
        (30, {90}, "Your Peer Support Basics credential expires on April 1, 2026", {90, 30}),
        (1, {90, 30}, None, {90, 30}),
        (0, {90, 30}, "Your Peer Support Basics credential expires today", {90, 30, 0}),
        (-1, {90, 30, 0}, None, {90, 30, 0}),
        # the job missed days: only the most urgent reminder goes out, the passed ones are
        # recorded as handled
        (45, set(), "Your Peer Support Basics credential expires on April 16, 2026", {90}),
        (5, set(), "Your Peer Support Basics credential expires on March 7, 2026", {90, 30}),
        (12, {90}, "Your Peer Support Basics credential expires on March 14, 2026", {90, 30}),
        (-3, {90}, "Your Peer Support Basics credential has expired", {90, 30, 0}),
        (-7, set(), "Your Peer Support Basics credential has expired", {90, 30, 0}),
        # more than a week past expiry: nothing, ever
        (-8, set(), None, set()),
        (-8, {90, 30}, None, {90, 30}),
        (-400, set(), None, set()),
    ],
)
def test_the_reminder_due_is_sent(
    run, mailoutbox, credential, days_left, already_sent, subject, recorded_after
):
    expire_in(credential, days_left)
    for days in already_sent:
        ExpiryReminder.objects.create(
            certificate=credential, days_before=days, sent_at=timezone.now()
        )

    out = run()

    assert [message.subject for message in mailoutbox] == ([subject] if subject else [])
    assert recorded(credential) == recorded_after
    assert ("Sent 1 reminder." if subject else "Nothing to send.") in out


def test_a_credential_gets_each_reminder_once_over_its_life(run, mailoutbox, credential):
    expire_in(credential, 120)
    expires_on = credential.expires_on
    sent_on = {}
    for day in range(130):
        on = TODAY + day * DAY
        before = len(mailoutbox)
        run(on=on)
        run(on=on)  # a second run the same day (a retry, a manual run) sends nothing more
        for message in mailoutbox[before:]:
            sent_on[(expires_on - on).days] = message.subject
    assert sorted(sent_on, reverse=True) == [90, 30, 0]
    assert len(mailoutbox) == 3
    assert "expires today" in sent_on[0]
    assert recorded(credential) == {90, 30, 0}
    assert ExpiryReminder.objects.count() == 3


def test_running_twice_the_same_day_sends_nothing_more(run, mailoutbox, credential):
    expire_in(credential, 30)

    assert "Sent 1 reminder." in run()
    assert "Nothing to send." in run()

    assert len(mailoutbox) == 1
    assert ExpiryReminder.objects.count() == 2  # 90 (passed) and 30 (sent)


@pytest.mark.parametrize("status", ["revoked", "suspended", "superseded"])
def test_a_credential_that_is_not_active_gets_nothing(run, mailoutbox, credential, status):
    expire_in(credential, 0)
    Certificate.objects.filter(pk=credential.pk).update(status=status)

    assert "Nothing to send." in run()

    assert mailoutbox == []
    assert not ExpiryReminder.objects.exists()


def test_a_credential_that_never_expires_gets_nothing(run, mailoutbox, world, program):
    issue(world.trainee, program, days_left=None)

    assert "Nothing to send." in run()

    assert mailoutbox == []
    assert not ExpiryReminder.objects.exists()


def test_a_dry_run_writes_and_sends_nothing(run, mailoutbox, credential):
    expire_in(credential, 30)

    out = run("--dry-run")

    assert mailoutbox == []
    assert not ExpiryReminder.objects.exists()
    assert credential.number in out
    assert credential.holder.email in out
    assert "Your Peer Support Basics credential expires on April 1, 2026" in out
    assert "Dry run: 1 reminder would be sent; nothing was saved or sent." in out
    assert "Sent 1 reminder." in run()  # the real run afterwards still sends it
    assert len(mailoutbox) == 1


def test_a_dry_run_with_nothing_due_says_so(run, mailoutbox, credential):
    assert run("--dry-run").strip() == "Nothing to send."


def test_the_email_goes_only_to_the_holder_and_says_what_to_do(
    run, mailoutbox, world, program, credential
):
    expire_in(credential, 90)
    issue(world.other_trainee, program, days_left=200)  # not due yet

    run()

    [message] = mailoutbox
    assert message.to == [world.trainee.email]
    assert message.cc == [] and message.bcc == []
    assert f"Hello {world.trainee.display_name}," in message.body
    assert credential.number in message.body
    assert "expires on May 31, 2026" in message.body
    assert settings.SITE_URL + reverse("credentials") in message.body
    # the builder's renewal rule: 2 training hours, 30 days of grace
    assert "you need 2 hours of continuing education, earned since it was issued" in message.body
    assert "until" not in message.body
    assert "recovery" not in message.body.lower()


@pytest.mark.parametrize(
    ("days_left", "grace_days", "says"),
    [
        (0, 30, ["expires today, March 2, 2026", "You can still renew it until April 1, 2026"]),
        (-3, 30, ["expired on Feb. 27, 2026", "You can still renew it until March 29, 2026"]),
        (-3, 0, ["expired on Feb. 27, 2026", "The time to renew it has passed"]),
    ],
)
def test_the_email_on_and_after_the_expiry_date(
    run, mailoutbox, credential, program, days_left, grace_days, says
):
    program.renewal = {**program.renewal, "grace_days": grace_days}
    program.save(update_fields=["renewal"])
    expire_in(credential, days_left)

    run()

    [message] = mailoutbox
    for text in says:
        assert text in message.body


def test_the_email_without_a_renewal_rule(run, mailoutbox, credential, program):
    program.renewal = None
    program.save(update_fields=["renewal"])
    expire_in(credential, 30)

    run()

    [message] = mailoutbox
    assert "finish your continuing education, then renew it" in message.body


def test_when_two_runs_meet_the_one_that_records_first_sends(
    run, mailoutbox, credential, monkeypatch
):
    """The other run read the reminders before this one recorded its own; the unique
    constraint refuses the second record, so only one email goes out."""
    expire_in(credential, 5)
    due = send_reminders._due

    def raced(today):
        for certificate, thresholds in due(today):
            ExpiryReminder.objects.create(
                certificate=certificate, days_before=min(thresholds), sent_at=timezone.now()
            )
            yield certificate, thresholds

    monkeypatch.setattr(send_reminders, "_due", raced)

    out = run()

    assert mailoutbox == []
    assert "Skipped 1 reminder another run had already sent." in out
    assert recorded(credential) == {30}  # this run's 90 was rolled back with its savepoint


def test_several_holders_in_one_run(run, mailoutbox, world, program, monkeypatch):
    monkeypatch.setattr(send_reminders, "CHUNK_SIZE", 1)  # one chunk per certificate
    issue(world.trainee, program, days_left=30)
    issue(world.other_trainee, program, days_left=90)
    issue(world.independent, program, days_left=120)

    assert "Sent 2 reminders." in run()

    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [world.trainee.email, world.other_trainee.email]
    )


def test_without_a_date_it_runs_for_today_where_the_site_is(run, mailoutbox, credential):
    expire_in(credential, 0)
    out = io.StringIO()
    # 02:00 UTC on March 3 is still March 2 in New York
    moment = datetime.datetime(2026, 3, 3, 2, tzinfo=ZoneInfo("UTC"))
    with (
        timezone.override(ZoneInfo("America/New_York")),
        time_machine.travel(moment, tick=False),
    ):
        assert timezone.localdate() == TODAY
        call_command("send_reminders", "--dry-run", stdout=out)
    assert "expires today" in out.getvalue()


def test_a_date_that_is_not_a_date_is_refused(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date=March 2")
