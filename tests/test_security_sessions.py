"""Sessions (ASVS 5.0 V7): a new session key at every login and re-authentication, the idle
timeout, the absolute lifetime, and termination on logout, deactivation and password change.
docs/security.md lists what each test stands for."""

import datetime
import logging

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.security import SESSION_STARTED_AT
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def session_key(client, settings) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def client_with_key(key: str, settings) -> Client:
    """Another browser that presents ``key``, as an attacker holding a copied cookie would."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = key
    return other


def test_logging_in_gives_a_new_session_key_and_the_old_one_stops_working(client, settings):
    user = UserFactory()
    # A session that exists before the login, as a fixation attack would plant it.
    before = SessionStore()
    before["planted"] = True
    before.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key

    assert log_in(client, user).status_code == 302
    after = session_key(client, settings)
    assert after != before.session_key
    assert not SessionStore().exists(before.session_key)
    assert SessionStore(session_key=after)[SESSION_KEY] == str(user.pk)
    # The planted key does not get the logged-in session.
    planted = client_with_key(before.session_key, settings)
    assert planted.get(reverse("dashboard")).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_re_authenticating_gives_a_new_session_key(client, settings):
    user = UserFactory()
    log_in(client, user)
    logged_in_key = session_key(client, settings)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302
    reauthenticated_key = session_key(client, settings)
    assert reauthenticated_key != logged_in_key
    assert not SessionStore().exists(logged_in_key)
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_password_on_re_authentication_keeps_the_session_and_the_key(client, settings):
    user = UserFactory()
    log_in(client, user)
    key = session_key(client, settings)
    response = client.post(reverse("account_reauthenticate"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert session_key(client, settings) == key


def test_idle_session_ends_on_the_server_after_the_idle_timeout(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    log_in(client, UserFactory())
    key = session_key(client, settings)
    time_machine.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 30))
    assert client.get(reverse("dashboard")).status_code == 200  # activity renews it
    time_machine.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))
    # The browser would drop the cookie; a copy of it presented anyway gets nothing either.
    stale = client_with_key(key, settings)
    response = stale.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_idle_timeout_is_thirty_minutes_and_is_the_cookie_age(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT
    assert settings.SESSION_REFRESH_SECONDS == 60


def stored_expiry(key):
    return Session.objects.get(session_key=key).expire_date


def test_activity_renews_the_session_at_most_once_a_minute(client, settings, time_machine):
    """Renewing is a database write; between renewals a page view writes nothing."""
    time_machine.move_to(timezone.now(), tick=False)
    log_in(client, UserFactory())
    key = session_key(client, settings)
    assert client.get(reverse("dashboard")).status_code == 200
    renewed = stored_expiry(key)
    time_machine.shift(datetime.timedelta(seconds=30))
    assert client.get(reverse("dashboard")).status_code == 200
    assert stored_expiry(key) == renewed  # not written again within the minute
    time_machine.shift(datetime.timedelta(seconds=31))
    assert client.get(reverse("dashboard")).status_code == 200
    assert stored_expiry(key) == renewed + datetime.timedelta(seconds=61)


def test_idle_never_outlasts_the_timeout_even_just_after_a_renewal(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    log_in(client, UserFactory())
    assert client.get(reverse("dashboard")).status_code == 200  # renews
    time_machine.shift(datetime.timedelta(seconds=59))
    assert client.get(reverse("dashboard")).status_code == 200  # no renewal: within the minute
    time_machine.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 58))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_active_session_still_ends_twelve_hours_after_the_login(
    client, settings, time_machine, caplog
):
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    log_in(client, user)
    step = datetime.timedelta(minutes=20)  # busy: never idle for long
    elapsed = datetime.timedelta(0)
    limit = datetime.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT)
    while elapsed + step < limit:
        time_machine.shift(step)
        elapsed += step
        assert client.get(reverse("dashboard")).status_code == 200, elapsed
    time_machine.shift(limit - elapsed + datetime.timedelta(seconds=1))
    with caplog.at_level(logging.INFO, logger="alongside.security"):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    login_page = client.get(response.url).content.decode()
    assert "logged out 12 hours after logging in" in login_page
    assert SESSION_KEY not in client.session
    events = [r.security["event"] for r in caplog.records if r.name == "alongside.security"]
    assert "session.expired" in events


def test_a_new_login_starts_a_new_absolute_lifetime(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    log_in(client, user)
    first = client.session[SESSION_STARTED_AT]
    time_machine.shift(datetime.timedelta(minutes=10))
    client.post(reverse("account_logout"))
    log_in(client, user)
    assert client.session[SESSION_STARTED_AT] == pytest.approx(first + 600)


def test_a_session_without_a_start_time_gets_one_instead_of_living_forever(
    client, settings, time_machine
):
    """Sessions created before the absolute lifetime existed are timed from their next
    request."""
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    client.force_login(user)
    session = client.session
    del session[SESSION_STARTED_AT]
    session.save()
    assert client.get(reverse("dashboard")).status_code == 200
    assert SESSION_STARTED_AT in client.session


def test_logging_out_ends_the_session_on_the_server(client, settings):
    log_in(client, UserFactory())
    key = session_key(client, settings)
    response = client.post(reverse("account_logout"))
    # The browser is asked to drop pages and storage kept from the session (ASVS 14.3.1).
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "no-store" in response["Cache-Control"]
    assert not SessionStore().exists(key)
    assert client_with_key(key, settings).get(reverse("dashboard")).status_code == 302


def test_deactivating_a_person_ends_their_sessions_at_once(client):
    user = UserFactory()
    log_in(client, user)
    assert client.get(reverse("dashboard")).status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("dashboard")).status_code == 302


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(client):
    user = UserFactory()
    other_browser = Client()
    log_in(other_browser, user)
    log_in(client, user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-brand-new-passphrase",
            "password2": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    assert other_browser.get(reverse("dashboard")).status_code == 302


def test_a_rotated_secret_key_keeps_sessions_only_while_the_old_key_is_a_fallback(client, settings):
    old, new = "the-old-key-" + "o" * 40, "the-new-key-" + "n" * 40
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old, []
    user = UserFactory()
    client.force_login(user)
    away = Client()  # someone who does not come back during the rotation
    away.force_login(user)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new, [old]
    assert client.get(reverse("dashboard")).status_code == 200  # and moves to the new key
    settings.SECRET_KEY_FALLBACKS = []
    assert client.get(reverse("dashboard")).status_code == 200
    assert away.get(reverse("dashboard")).status_code == 302
