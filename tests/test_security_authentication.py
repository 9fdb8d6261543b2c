"""Authentication controls (ASVS 5.0 V6, V7.5): two-step verification required of privileged
roles when the setting is on (and off in the demo), re-authentication before sign-offs,
lockouts after failed logins, and the client address lockouts are counted against."""

import datetime
import json
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from config.security import client_ip
from courses.domains import ensure_icrc_domains
from courses.models import Domain
from hours import services as hour_services
from hours.models import SignOff
from tests import fresh_process
from tests.factories import PASSWORD, QualificationFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def log_in(client, user, password=PASSWORD, **extra):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": password}, **extra
    )


# Two-step verification for privileged roles ------------------------------------------------


def privileged(world):
    return {
        "supervisor": world.supervisor,
        "organization admin": world.org_admin,
        "registrar": world.registrar,
        "editor": world.editor,
    }


@override_settings(MFA_REQUIRED_FOR_PRIVILEGED=True)
def test_when_required_every_privileged_role_must_set_up_two_step_verification(client, world):
    for role, user in privileged(world).items():
        client.force_login(user)
        for url in (reverse("dashboard"), reverse("hours_index"), "/admin/"):
            response = client.get(url)
            assert response.status_code == 302, (role, url)
            assert response.url == reverse("mfa_activate_totp"), (role, url)
    for user in (world.trainee, world.independent):
        client.force_login(user)
        assert client.get(reverse("dashboard")).status_code == 200


@override_settings(MFA_REQUIRED_FOR_PRIVILEGED=True)
def test_when_required_a_privileged_role_with_totp_gets_in(client, world):
    TOTP.activate(world.supervisor, generate_totp_secret())
    TOTP.activate(world.registrar, generate_totp_secret())
    client.force_login(world.supervisor)
    assert client.get(reverse("dashboard")).status_code == 200
    client.force_login(world.registrar)
    assert client.get("/admin/").status_code == 200


@override_settings(MFA_REQUIRED_FOR_PRIVILEGED=False)
def test_when_not_required_privileged_roles_get_in_with_a_password(client, world):
    for role, user in privileged(world).items():
        client.force_login(user)
        assert client.get(reverse("dashboard")).status_code == 200, role


@override_settings(MFA_REQUIRED_FOR_PRIVILEGED=True)
def test_the_required_totp_code_is_asked_at_login_and_a_used_code_is_refused(
    client, world, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    secret = generate_totp_secret()
    TOTP.activate(world.supervisor, secret)
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = log_in(client, world.supervisor)
    assert response.url == reverse("mfa_authenticate")
    assert SESSION_KEY not in client.session
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.get(reverse("dashboard")).status_code == 200
    # The same code cannot log in a second time (ASVS 6.5.1).
    other = Client()
    log_in(other, world.supervisor)
    other.post(reverse("mfa_authenticate"), {"code": code})
    assert SESSION_KEY not in other.session


def settings_in_a_fresh_process(tmp_path, **env_overrides) -> dict:
    """Read settings the way the site starts: a new process, no test settings."""
    script = (
        "import json\n"
        "from django.conf import settings\n"
        "print(json.dumps({'DEBUG': settings.DEBUG,"
        " 'MFA_REQUIRED_FOR_PRIVILEGED': settings.MFA_REQUIRED_FOR_PRIVILEGED}))\n"
    )
    result = fresh_process.run_manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        environment={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'settings.sqlite3'}",
            **env_overrides,
        },
        drop=("MFA_REQUIRED_FOR_PRIVILEGED",),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_step_verification_is_not_required_in_the_demo_unless_asked_for(tmp_path):
    demo = settings_in_a_fresh_process(tmp_path, DEBUG="1")
    assert demo == {"DEBUG": True, "MFA_REQUIRED_FOR_PRIVILEGED": False}
    required = settings_in_a_fresh_process(tmp_path, DEBUG="1", MFA_REQUIRED_FOR_PRIVILEGED="1")
    assert required["MFA_REQUIRED_FOR_PRIVILEGED"] is True


# Re-authentication before sign-offs ---------------------------------------------------------


@pytest.fixture
def submitted_entry(world):
    ensure_icrc_domains()
    QualificationFactory(user=world.supervisor)
    entry = hour_services.entry_save(
        trainee=world.trainee,
        values={
            "ledger": "practice",
            "supervision_format": "",
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "minutes": 60,
            "domain": Domain.objects.get(code="recovery-wellness-support"),
            "activity": "one_to_one",
            "setting": "detox",
            "delivery": "in_person",
            "description": "One-to-one support after an admission.",
        },
    )
    hour_services.entries_submit(
        trainee=world.trainee, entries=[entry], supervisor=world.supervisor
    )
    return entry


def test_a_stale_authentication_is_asked_to_re_authenticate_before_a_sign_off(
    client, world, submitted_entry, settings, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    log_in(client, world.supervisor)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("hours_review")).status_code == 200
    # Still signed in (active within the idle timeout), but the confirmation is now stale.
    time_machine.shift(datetime.timedelta(seconds=settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 60))
    assert client.get(reverse("dashboard")).status_code == 200
    time_machine.shift(datetime.timedelta(seconds=61))
    assert client.get(reverse("dashboard")).status_code == 200
    response = client.post(reverse("hours_review_approve"), {"entries": [submitted_entry.pk]})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert client.get(reverse("hours_review")).url.startswith(reverse("account_reauthenticate"))
    reject = reverse("hours_review_reject", args=[submitted_entry.pk])
    assert client.post(reject, {"reason": "Wrong domain"}).url.startswith(
        reverse("account_reauthenticate")
    )
    submitted_entry.refresh_from_db()
    assert submitted_entry.status == "submitted"
    assert not SignOff.objects.exists()
    # Confirming the password again lets the sign-off through.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("hours_review_approve"), {"entries": [submitted_entry.pk]})
    submitted_entry.refresh_from_db()
    assert submitted_entry.status == "approved"
    assert SignOff.objects.count() == 1


def test_re_authentication_lasts_five_minutes(settings):
    assert settings.ACCOUNT_REAUTHENTICATION_TIMEOUT == 300


# Lockouts -----------------------------------------------------------------------------------
#
# Two layers answer repeated failures: allauth throttles a login name for five minutes after
# five failures (from any address), and django-axes locks the pair (login name, client address)
# for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failures, counted again from each attempt
# made during the lockout. docs/security.md (ASVS 6.1.1) explains the choice.


def fail(client, user, times, **extra):
    return [log_in(client, user, "wrong-guess", **extra).status_code for _ in range(times)]


def attempts() -> list[tuple[str, str, int]]:
    return sorted(
        AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start")
    )


def test_five_failures_lock_the_login_until_the_cool_off_ends(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    assert settings.AXES_FAILURE_LIMIT == 5
    assert datetime.timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    assert fail(client, user, 5) == [200, 200, 200, 200, 429]
    response = log_in(client, user)  # the right password, during the lockout
    assert SESSION_KEY not in client.session
    assert "Too many failed login attempts" in response.content.decode()
    # After allauth's five minutes, django-axes still refuses the right password.
    time_machine.shift(datetime.timedelta(minutes=6))
    response = log_in(client, user)
    assert response.status_code == 429
    assert "Logging in is paused" in response.content.decode()
    assert SESSION_KEY not in client.session
    # That attempt started the cool-off again: 15 minutes from it, the right password works.
    time_machine.shift(settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=5))
    assert log_in(client, user).status_code == 429
    time_machine.shift(settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1))
    assert log_in(client, user).status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_lockout_from_one_address_does_not_lock_the_owner_out_elsewhere(client, time_machine):
    """Only allauth's five-minute throttle applies to every address; the 15-minute lockout is
    for the attacker's address alone (ASVS 6.1.1: no lasting lockout by a stranger)."""
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    fail(client, user, 5, REMOTE_ADDR="203.0.113.9")
    time_machine.shift(datetime.timedelta(minutes=6))
    assert log_in(client, user, REMOTE_ADDR="203.0.113.9").status_code == 429
    owner = Client()
    assert log_in(owner, user, REMOTE_ADDR="198.51.100.20").status_code == 302
    assert owner.session[SESSION_KEY] == str(user.pk)


def test_another_case_of_the_email_address_counts_against_the_same_lockout(client):
    user = UserFactory(email="case@example.test")
    for login in ("case@example.test", "CASE@example.test", "Case@Example.test"):
        client.post(reverse("account_login"), {"login": login, "password": "wrong"})
    client.post(reverse("account_login"), {"login": " case@example.test ", "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": "cAsE@example.test", "password": "wrong"}
    )
    assert response.status_code == 429
    assert attempts() == [("case@example.test", "127.0.0.1", 5)]
    log_in(client, user)
    assert SESSION_KEY not in client.session


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_a_forged_forwarded_address_does_not_escape_the_lockout(
    client, time_machine
):
    """Behind one proxy, the address counted is the one the proxy appended (right-most); what a
    client writes in X-Forwarded-For itself is ignored, so it cannot buy fresh attempts."""
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    statuses = [
        log_in(
            client,
            user,
            "wrong-guess",
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        ).status_code
        for n in range(5)
    ]
    assert statuses[-1] == 429
    assert attempts() == [(user.email, "203.0.113.9", 5)]
    time_machine.shift(datetime.timedelta(minutes=6))
    response = log_in(
        client, user, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.9"
    )
    assert response.status_code == 429
    # Another real client behind the same proxy is not locked out.
    other = Client()
    response = log_in(other, user, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302


def test_without_a_trusted_proxy_forwarded_addresses_are_ignored(client, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    user = UserFactory()
    statuses = [
        log_in(client, user, "wrong-guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(5)
    ]
    assert statuses[-1] == 429
    assert attempts() == [(user.email, "127.0.0.1", 5)]


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1", "203.0.113.9"),
        (1, "10.0.0.2", "192.0.2.1, 203.0.113.9", "203.0.113.9"),
        (2, "10.0.0.3", "192.0.2.1, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (1, "10.0.0.2", "", "10.0.0.2"),  # not through the proxy: its own address
        (2, "10.0.0.3", "203.0.113.9", "10.0.0.3"),  # fewer hops than proxies
        (1, "10.0.0.2", "192.0.2.1, not-an-address", "10.0.0.2"),
        (1, "10.0.0.2", "192.0.2.1, 2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_believes_only_the_trusted_proxies(
    rf, settings, count, remote, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# Passwords and account changes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Alongside2026!",
        "peer-recovery-1",
        "RecoverySupport",
        "SOBRIETY sobriety 99",
        "Trainee-Supervisor",
    ],
)
def test_passwords_made_only_of_the_sites_words_are_refused(password):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert "password_context_words" in [error.code for error in caught.value.error_list]


@pytest.mark.parametrize(
    "password", ["my road to recovery is long", "correct-horse-battery", "x" * 64 + " and more"]
)
def test_longer_passphrases_with_a_site_word_in_them_are_fine(password):
    validate_password(password)


def test_sign_up_refuses_a_password_of_site_words(client):
    response = client.post(
        reverse("account_signup"),
        {
            "legal_name": "Sam Lee",
            "email": "sam@example.test",
            "password1": "Alongside-Recovery-2026",
            "password2": "Alongside-Recovery-2026",
        },
    )
    assert response.status_code == 200
    assert "words people expect on this site" in response.content.decode()


def test_changing_email_addresses_asks_for_the_password_again(client):
    user = UserFactory()
    log_in(client, user)
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "second@example.test"}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not EmailAddress.objects.filter(email="second@example.test").exists()
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("account_email"), {"action_add": "", "email": "second@example.test"})
    assert EmailAddress.objects.filter(user=user, email="second@example.test").exists()
