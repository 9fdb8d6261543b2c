import datetime

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory


def log_in(user) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_ended_sessions_leave_no_device_record(db, time_machine, capsys):
    time_machine.move_to(timezone.now(), tick=False)
    old, current = UserFactory(), UserFactory()
    log_in(old)
    time_machine.shift(datetime.timedelta(hours=2))
    log_in(current)
    assert UserSession.objects.count() == 2

    call_command("purge_sessions")

    assert list(UserSession.objects.values_list("user", flat=True)) == [current.pk]
    assert Session.objects.count() == 1
    assert "Expired sessions deleted: 1. Device records deleted: 1." in capsys.readouterr().out
    call_command("purge_sessions")  # nothing left to do, and no harm done
    assert UserSession.objects.count() == 1
