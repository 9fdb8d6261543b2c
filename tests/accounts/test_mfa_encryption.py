"""Two-step verification secrets are encrypted at rest (ASVS 5.0 6.5.2, 13.3.1).

The TOTP secret and the recovery-code seed in ``Authenticator.data`` are Fernet tokens under a
key outside the database (accounts/mfa_adapter.py); secrets stored in plain text before keep
working until ``encrypt_mfa_secrets`` converts them; keys rotate; a missing key fails closed."""

import datetime
import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from cryptography.fernet import Fernet
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.mfa_adapter import MFAAdapter, MFASecretUnreadable, derive_key
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
KEY_C = Fernet.generate_key().decode()


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def stored(authenticator: Authenticator) -> dict:
    return Authenticator.objects.get(pk=authenticator.pk).data


def totp_accepts(authenticator: Authenticator, secret: str) -> bool:
    """Whether the stored TOTP accepts the current code (forgetting codes used before)."""
    cache.clear()
    return TOTP(Authenticator.objects.get(pk=authenticator.pk)).validate_code(current_code(secret))


def encrypt_mfa_secrets() -> str:
    out = StringIO()
    call_command("encrypt_mfa_secrets", stdout=out)
    return out.getvalue()


def test_the_site_uses_the_encrypting_adapter(settings):
    assert settings.MFA_ADAPTER == "accounts.mfa_adapter.MFAAdapter"
    from allauth.mfa.adapter import get_adapter

    assert isinstance(get_adapter(), MFAAdapter)


def test_a_totp_set_up_through_the_site_is_stored_encrypted_and_still_signs_in(
    client, world, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    user = world.registrar
    log_in(client, user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = client.get(reverse("mfa_activate_totp")).context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert totp.data["secret"] != secret
    assert totp.data["secret"].startswith("gAAAA")
    assert secret not in str(totp.data)
    # The recovery codes made alongside have their seed encrypted too.
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert codes.data["seed"].startswith("gAAAA")
    assert MFAAdapter().decrypt(totp.data["secret"]) == secret

    client.post(reverse("account_logout"))
    time_machine.shift(datetime.timedelta(seconds=60))
    assert log_in(client, user).url == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert SESSION_KEY not in client.session
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.session[SESSION_KEY] == str(user.pk)


def test_recovery_codes_work_with_an_encrypted_seed(client, world):
    user = world.supervisor
    TOTP.activate(user, generate_totp_secret())
    recovery = RecoveryCodes.activate(user)
    data = stored(recovery.instance)
    assert data["seed"].startswith("gAAAA")
    assert len(MFAAdapter().decrypt(data["seed"])) == 80  # allauth's 40-byte hex seed
    first, second = recovery.generate_codes()[:2]

    log_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": first})
    assert client.session[SESSION_KEY] == str(user.pk)
    # A recovery code is used once; the next one still works.
    other = Client()
    log_in(other, user)
    other.post(reverse("mfa_authenticate"), {"code": first})
    assert SESSION_KEY not in other.session
    other.post(reverse("mfa_authenticate"), {"code": second})
    assert other.session[SESSION_KEY] == str(user.pk)


def test_secrets_stored_in_plain_text_before_still_work_and_the_command_encrypts_them_once(
    time_machine,
):
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    secret = generate_totp_secret()
    seed = RecoveryCodes.generate_seed()
    # As allauth's default adapter stored them: no encryption.
    totp = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    recovery = Authenticator.objects.create(
        user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": seed, "used_mask": 1}
    )
    codes_before = RecoveryCodes(recovery).get_unused_codes()
    assert totp_accepts(totp, secret)

    assert "2 secret(s) encrypted with the current key; 0 already were" in encrypt_mfa_secrets()
    encrypted = stored(totp)["secret"]
    assert encrypted.startswith("gAAAA") and encrypted != secret
    assert stored(recovery)["seed"].startswith("gAAAA")
    assert stored(recovery)["used_mask"] == 1  # the rest of the data is kept
    assert totp_accepts(totp, secret)
    assert RecoveryCodes(Authenticator.objects.get(pk=recovery.pk)).get_unused_codes() == (
        codes_before
    )

    # A second run changes nothing.
    assert "0 secret(s) encrypted with the current key; 2 already were" in encrypt_mfa_secrets()
    assert stored(totp)["secret"] == encrypted
    assert totp_accepts(totp, secret)


def test_migrated_recovery_codes_are_encrypted_one_by_one():
    user = UserFactory()
    recovery = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"migrated_codes": ["12345678", "87654321"]},
    )
    encrypt_mfa_secrets()
    codes = stored(recovery)["migrated_codes"]
    assert all(code.startswith("gAAAA") for code in codes)
    assert RecoveryCodes(Authenticator.objects.get(pk=recovery.pk)).validate_code("87654321")
    assert RecoveryCodes(Authenticator.objects.get(pk=recovery.pk)).get_unused_codes() == [
        "12345678"
    ]


def test_a_dry_run_changes_nothing():
    secret = generate_totp_secret()
    totp = Authenticator.objects.create(
        user=UserFactory(), type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    out = StringIO()
    call_command("encrypt_mfa_secrets", "--dry-run", stdout=out)
    assert "1 secret(s) would be encrypted" in out.getvalue()
    assert stored(totp)["secret"] == secret


def test_mfa_encryption_key_rotates_newest_first(settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    settings.MFA_ENCRYPTION_KEY = [KEY_A]
    secret = generate_totp_secret()
    totp = TOTP.activate(UserFactory(), secret).instance
    Fernet(KEY_A).decrypt(stored(totp)["secret"].encode())  # encrypted with A

    # B is the new key, A still decrypts.
    settings.MFA_ENCRYPTION_KEY = f"{KEY_B},{KEY_A}"
    assert totp_accepts(totp, secret)
    assert "1 secret(s) encrypted" in encrypt_mfa_secrets()
    assert Fernet(KEY_B).decrypt(stored(totp)["secret"].encode()).decode() == secret

    # Once moved, A can go.
    settings.MFA_ENCRYPTION_KEY = [KEY_B]
    assert totp_accepts(totp, secret)


def test_setting_mfa_encryption_key_later_still_reads_secrets_under_the_derived_key(
    settings, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    settings.MFA_ENCRYPTION_KEY = []
    secret = generate_totp_secret()
    totp = TOTP.activate(UserFactory(), secret).instance
    Fernet(derive_key(settings.SECRET_KEY)).decrypt(stored(totp)["secret"].encode())

    settings.MFA_ENCRYPTION_KEY = [KEY_A]
    assert totp_accepts(totp, secret)
    encrypt_mfa_secrets()
    assert Fernet(KEY_A).decrypt(stored(totp)["secret"].encode()).decode() == secret


def test_a_rotated_secret_key_kept_as_fallback_keeps_two_step_verification(settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    settings.MFA_ENCRYPTION_KEY = []
    old_key, new_key = "old-secret-key-" + "o" * 40, "new-secret-key-" + "n" * 40
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = old_key, []
    secret = generate_totp_secret()
    totp = TOTP.activate(UserFactory(), secret).instance

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new_key, [old_key]
    assert totp_accepts(totp, secret)
    encrypt_mfa_secrets()
    settings.SECRET_KEY_FALLBACKS = []
    assert totp_accepts(totp, secret)


def test_a_wrong_key_fails_closed_and_the_command_changes_nothing(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    settings.MFA_ENCRYPTION_KEY = [KEY_A]
    user = UserFactory()
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret).instance
    recovery = RecoveryCodes.activate(user)
    code = recovery.generate_codes()[0]
    plain = Authenticator.objects.create(
        user=UserFactory(), type=Authenticator.Type.TOTP, data={"secret": generate_totp_secret()}
    )

    settings.MFA_ENCRYPTION_KEY = [KEY_C]
    with pytest.raises(MFASecretUnreadable, match="cannot be decrypted"):
        totp_accepts(totp, secret)
    with pytest.raises(MFASecretUnreadable):
        RecoveryCodes(Authenticator.objects.get(pk=recovery.instance.pk)).validate_code(code)

    # Through the site: an error, never a signed-in session, with the TOTP code or a recovery
    # code.
    log_in(client, user)
    for attempt in (current_code(secret), code):
        with pytest.raises(MFASecretUnreadable):
            client.post(reverse("mfa_authenticate"), {"code": attempt})
        assert SESSION_KEY not in client.session

    with pytest.raises(CommandError, match=f"{totp.pk} \\(user {user.pk}, totp\\)"):
        encrypt_mfa_secrets()
    # All or nothing: the plain secret of another person was not converted either.
    assert stored(plain) == plain.data


def test_an_invalid_mfa_encryption_key_stops_the_site_from_starting(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key != "MFA_ENCRYPTION_KEY"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="production-like-secret-key-" + "k" * 40,
        SITE_URL="https://alongside.example.org",
        ALLOWED_HOSTS="alongside.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    script = "import django; django.setup(); from django.conf import settings; print(settings.MFA_ENCRYPTION_KEY)"
    ok = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "MFA_ENCRYPTION_KEY": f"{KEY_B},{KEY_A}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == str([KEY_B, KEY_A])
    bad = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**env, "MFA_ENCRYPTION_KEY": "not-a-fernet-key"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0
    assert "MFA_ENCRYPTION_KEY must hold Fernet keys" in bad.stderr
    assert "not-a-fernet-key" not in bad.stderr


def test_a_backup_reminds_to_keep_mfa_encryption_key(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ISSUER_KEYS = ""
    settings.ISSUER_KEYS_FILE = tmp_path / "keys" / "issuer-keys.json"
    target = tmp_path / "backups" / "never.tar.gz"
    for keys, reminded in (([], False), ([KEY_A], True)):
        settings.MFA_ENCRYPTION_KEY = keys
        out = StringIO()
        call_command("backup", "--dry-run", output=str(target), stdout=out)
        assert ("MFA_ENCRYPTION_KEY" in out.getvalue()) is reminded
