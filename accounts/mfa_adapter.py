"""Two-step verification secrets, encrypted at rest (ASVS 6.5.2, 13.3.1).

allauth keeps each person's TOTP secret (``Authenticator.data["secret"]``) and recovery-code
seed (``data["seed"]``, and ``data["migrated_codes"]`` for codes imported from django-otp) in
the database, and passes every one of them through its MFA adapter's ``encrypt`` and
``decrypt``, which do nothing by default. This adapter makes them Fernet tokens (AES-128-CBC,
then HMAC-SHA256 over it) under keys that are not in the database:

1. ``MFA_ENCRYPTION_KEY``: Fernet keys, comma separated, newest first. New secrets use the
   first; any of them decrypts. Rotate by putting a new key in front, running
   ``manage.py encrypt_mfa_secrets``, then removing the old key.
2. A key derived from ``SECRET_KEY`` (HKDF-SHA256 with a label of its own, so it equals no
   other key), then one from each of ``SECRET_KEY_FALLBACKS``. When ``MFA_ENCRYPTION_KEY`` is
   unset, the default in development, tests and production alike, new secrets use the first;
   otherwise they only decrypt what was encrypted before ``MFA_ENCRYPTION_KEY`` was set. So
   ``SECRET_KEY`` is rotated the documented way (the old one in ``SECRET_KEY_FALLBACKS``) and
   ``encrypt_mfa_secrets`` is run before the old key is dropped; a ``SECRET_KEY`` changed
   without that leaves every two-step verification unreadable.

Secrets stored before this adapter was added are plain text (a base32 TOTP secret, a hex seed:
neither can start like a Fernet token) and are read as they are until ``encrypt_mfa_secrets``
converts them. A Fernet token that no key opens raises :class:`MFASecretUnreadable`: the sign-in
fails with a server error and a clear message in the log, and nobody is let in.
"""

import base64
from functools import lru_cache

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Every Fernet token starts with the version byte 0x80 and a 64-bit timestamp whose high bytes
# are zero until the year 2106: base64 "gAAAA".
FERNET_PREFIX = "gAAAA"
# The keys of Authenticator.data that allauth passes through encrypt(): text, or lists of text.
ENCRYPTED_FIELDS = ("secret", "seed", "migrated_codes")
_DERIVATION_LABEL = b"alongside.mfa.encryption-key.v1"


class MFASecretUnreadable(ImproperlyConfigured):
    """A stored two-step verification secret is encrypted with a key the site does not have."""


def derive_key(secret_key: str) -> bytes:
    """The Fernet key that ``secret_key`` stands for when MFA_ENCRYPTION_KEY is unset."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_LABEL).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def configured_keys() -> list[str]:
    """MFA_ENCRYPTION_KEY as a list, newest first (a comma-separated string is accepted too)."""
    value = getattr(settings, "MFA_ENCRYPTION_KEY", None) or []
    if isinstance(value, str):
        value = value.split(",")
    return [key.strip() for key in value if key.strip()]


@lru_cache(maxsize=8)
def _ciphers(explicit: tuple[str, ...], secret_keys: tuple[str, ...]) -> tuple[Fernet, MultiFernet]:
    try:
        fernets = [Fernet(key) for key in explicit]
    except ValueError:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64-encoded bytes), comma "
            "separated. Make one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from None
    fernets += [Fernet(derive_key(secret)) for secret in secret_keys]
    return fernets[0], MultiFernet(fernets)


def ciphers() -> tuple[Fernet, MultiFernet]:
    """The key new secrets are encrypted with, and every key that may decrypt one."""
    secret_keys = (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))
    return _ciphers(tuple(configured_keys()), tuple(key for key in secret_keys if key))


def is_token(value: str) -> bool:
    return value.startswith(FERNET_PREFIX)


def _unreadable() -> MFASecretUnreadable:
    return MFASecretUnreadable(
        "A two-step verification secret cannot be decrypted: it was encrypted with a key that "
        "is neither in MFA_ENCRYPTION_KEY nor derived from SECRET_KEY or SECRET_KEY_FALLBACKS. "
        "Put the key it was encrypted with back (README, Backups)."
    )


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter with encryption at rest; see the module's description."""

    def encrypt(self, text: str) -> str:
        current, _ = ciphers()
        return current.encrypt(text.encode()).decode("ascii")

    def decrypt(self, encrypted_text: str) -> str:
        if not is_token(encrypted_text):
            return encrypted_text  # stored in plain text before encryption was added
        _, every = ciphers()
        try:
            return every.decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            raise _unreadable() from None

    def reencrypt(self, value: str) -> str | None:
        """``value`` encrypted with the current key, or None when it already is."""
        if not is_token(value):
            return self.encrypt(value)
        current, every = ciphers()
        token = value.encode()
        try:
            current.decrypt(token)
            return None
        except InvalidToken:
            pass
        try:
            return every.rotate(token).decode("ascii")
        except InvalidToken:
            raise _unreadable() from None
