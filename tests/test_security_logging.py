"""Security events (ASVS 5.0 V16): logins (success, failure, lockout, logout), two-step
verification, re-authentication, refused requests (403, 404 to a signed-in person, the MFA
requirement, 429) go to the ``alongside.security`` logger with who, where and what, and never
with a password, a one-time code, a verification code, a token or an email address."""

import datetime
import logging
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.security import login_digest, redact_path
from certificates.codes import new_code
from config.log_format import SafePathsFilter, UTCFormatter
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGGER = "alongside.security"


@pytest.fixture
def events(caplog):
    """The security events logged so far, as their field dicts."""
    caplog.set_level(logging.INFO, logger=LOGGER)

    def collect(name=None):
        found = [r for r in caplog.records if r.name == LOGGER]
        return [r.security for r in found if name is None or r.security["event"] == name]

    return collect


def security_text(caplog) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name == LOGGER)


def log_in(client, user, password=PASSWORD, **extra):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": password}, **extra
    )


def test_a_login_is_logged_with_who_from_where_and_how(client, events, caplog):
    user = UserFactory(email="jordan@example.test")
    log_in(client, user, REMOTE_ADDR="198.51.100.7")
    [event] = events("auth.login.succeeded")
    assert event == {
        "event": "auth.login.succeeded",
        "user_id": user.pk,
        "ip": "198.51.100.7",
        "method": "POST",
        "path": "/accounts/login/",
        "factors": 1,
    }
    text = security_text(caplog)
    assert PASSWORD not in text and "jordan@example.test" not in text


def test_a_failed_login_is_logged_without_the_password_or_the_address(client, events, caplog):
    user = UserFactory(email="casey@example.test")
    log_in(client, user, "my-secret-guess")
    client.post(
        reverse("account_login"), {"login": "nobody@example.test", "password": "other-guess"}
    )
    known, unknown = events("auth.login.failed")
    assert known["user_id"] == user.pk and known["account"] == "known"
    assert known["login"] == login_digest("Casey@Example.test ")
    assert "user_id" not in unknown and unknown["account"] == "unknown"
    assert unknown["login"] == login_digest("nobody@example.test")
    text = security_text(caplog)
    for secret in ("my-secret-guess", "other-guess", "casey@example.test", "nobody@example"):
        assert secret not in text
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == LOGGER)


def test_a_lockout_and_the_refused_attempts_after_it_are_logged(client, events):
    user = UserFactory()
    for _ in range(5):
        log_in(client, user, "wrong-guess", REMOTE_ADDR="203.0.113.9")
    [lockout] = events("auth.lockout")
    assert lockout["ip"] == "203.0.113.9"
    assert lockout["login"] == login_digest(user.email)
    [limited] = events("access.rate_limited")
    assert limited["status"] == 429 and limited["path"] == "/accounts/login/"


def test_logout_is_logged(client, events):
    user = UserFactory()
    log_in(client, user)
    client.post(reverse("account_logout"))
    [event] = events("auth.logout")
    assert event["user_id"] == user.pk


def test_re_authentication_is_logged(client, events):
    user = UserFactory()
    log_in(client, user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    [event] = events("auth.reauthenticated")
    assert event["user_id"] == user.pk and event["factor"] == "password"


def test_two_step_verification_failures_and_success_are_logged_without_the_code(
    client, events, caplog, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    good = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    wrong = "000000" if good != "000000" else "111111"
    log_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": wrong})
    [failed] = events("auth.mfa.failed")
    assert failed["user_id"] == user.pk and failed["factor"] == "totp"
    client.post(reverse("mfa_authenticate"), {"code": good})
    [succeeded] = events("auth.login.succeeded")
    assert succeeded["factors"] == 2
    text = security_text(caplog)
    assert good not in text and wrong not in text


def test_a_403_is_logged(client, world, events):
    client.force_login(world.trainee)
    assert client.get(reverse("hours_review")).status_code == 403
    [event] = events("access.denied")
    assert event["user_id"] == world.trainee.pk
    assert event["path"] == reverse("hours_review") and event["status"] == 403


def test_someone_elses_record_is_a_logged_404(client, world, events):
    client.force_login(world.other_trainee)
    url = reverse("hours_record", args=[world.trainee.pk])
    assert client.get(url).status_code == 404
    [event] = events("access.not_found")
    assert event["user_id"] == world.other_trainee.pk and event["path"] == url


def test_anonymous_404s_are_not_logged(client, events):
    assert client.get("/no-such-page/").status_code == 404
    assert events() == []


@override_settings(MFA_REQUIRED_FOR_PRIVILEGED=True)
def test_the_mfa_requirement_redirect_is_logged(client, world, events):
    client.force_login(world.supervisor)
    client.get(reverse("dashboard"))
    [event] = events("access.mfa_required")
    assert event["user_id"] == world.supervisor.pk and event["path"] == reverse("dashboard")


@override_settings(VERIFY_RATE_LIMIT=2)
def test_a_rate_limited_verification_is_logged_without_the_code(client, events, caplog):
    code = new_code()
    for _ in range(3):
        response = client.get(reverse("verify_record", args=[code]))
    assert response.status_code == 429
    [event] = events("access.rate_limited")
    assert event["path"] == f"/verify/{code[:4]}…/"
    assert code not in security_text(caplog)


def test_secrets_in_paths_are_shortened():
    code = new_code()
    assert redact_path(f"/verify/{code}/") == f"/verify/{code[:4]}…/"
    assert redact_path(f"/verify/{code}/status.json") == f"/verify/{code[:4]}…/status.json"
    assert redact_path("/verify/credential/") == "/verify/credential/"
    assert redact_path("/invitations/abcDEF123-token/") == "/invitations/…/"
    assert redact_path("/accounts/confirm-email/MQ:1t2:abc/") == "/accounts/confirm-email/…/"
    assert redact_path("/accounts/password/reset/key/1-abc-def/") == (
        "/accounts/password/reset/key/…/"
    )
    assert redact_path("/accounts/password/reset/key/done/") == (
        "/accounts/password/reset/key/done/"
    )
    assert redact_path("/hours/record/12/") == "/hours/record/12/"


def test_a_crafted_path_cannot_forge_a_log_line(client, world, caplog, events):
    client.force_login(world.trainee)
    client.get("/nothing%0Aevent=auth.login.succeeded%20user_id=1/")
    [record] = [
        r for r in caplog.records if r.name == LOGGER and r.security["event"] == "access.not_found"
    ]
    message = record.getMessage()
    assert "\n" not in message
    assert message.count(" event=") == 0 and message.startswith("event=access.not_found ")
    assert record.security["path"] == "/nothing\nevent=auth.login.succeeded user_id=1/"
    assert '"/nothing\\nevent=auth.login.succeeded user_id=1/"' in message


def test_log_times_are_utc_with_the_offset_written_out():
    record = logging.LogRecord(LOGGER, logging.INFO, __file__, 1, "event=x", None, None)
    record.created = datetime.datetime(2026, 7, 1, 12, 30, 5, tzinfo=datetime.UTC).timestamp()
    record.msecs = 250
    line = UTCFormatter("%(asctime)s %(message)s").format(record)
    assert line == "2026-07-01T12:30:05.250+00:00 event=x"


def test_the_site_logs_security_events_through_the_utc_formatter(settings):
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "utc"
    assert settings.LOGGING["formatters"]["utc"]["()"] == "config.log_format.UTCFormatter"
    assert logging.getLogger(LOGGER).getEffectiveLevel() <= logging.INFO


def test_djangos_own_request_logs_lose_secrets_and_line_breaks(client, caplog):
    code = new_code()
    caplog.set_level(logging.WARNING, logger="django.request")
    assert client.get(f"/verify/{code}/").status_code == 404
    assert client.get("/nothing%0Aforged line/").status_code == 404
    safe = SafePathsFilter()
    messages = []
    for record in (r for r in caplog.records if r.name == "django.request"):
        safe.filter(record)
        messages.append(record.getMessage())
    assert f"Not Found: /verify/{code[:4]}…/" in messages
    assert all(code not in message and "\n" not in message for message in messages)
    # The site's console handler applies the filter to every line it writes.
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, SafePathsFilter) for handler in handlers for f in handler.filters)
    assert redact_path(redact_path(f"/verify/{code}/")) == f"/verify/{code[:4]}…/"


def test_a_path_with_a_line_break_is_quoted_in_djangos_logs():
    record = logging.LogRecord(
        "django.security.csrf",
        logging.WARNING,
        __file__,
        1,
        "Forbidden (%s): %s",
        ("CSRF token missing.", "/invitations/secret-token/\nforged"),
        None,
    )
    SafePathsFilter().filter(record)
    assert record.getMessage() == 'Forbidden (CSRF token missing.): "/invitations/…/\\nforged"'
