"""The issuer's Ed25519 signing keys, kept outside the database.

Keys come from the ``ISSUER_KEYS`` environment variable when it is set (read-only: the
deployment owns them), else from the file ``ISSUER_KEYS_FILE`` (default
``var/issuer-keys.json``). The file is JSON::

    {
      "format": "alongside-issuer-keys/1",
      "current": {
        "id": "key-2026-11-29",
        "created": "2026-11-29T14:03:00Z",
        "private_key": "-----BEGIN PRIVATE KEY-----\\n...PKCS#8 PEM...\\n-----END PRIVATE KEY-----\\n"
      },
      "previous": [
        {
          "id": "key-2025-06-02",
          "created": "2025-06-02T09:00:00Z",
          "retired": "2026-11-29T14:03:00Z",
          "public_key_multibase": "z6Mk..."
        }
      ]
    }

The current key signs; previous keys keep only their public half, so credentials they signed
stay verifiable (every key is published in the DID document) while nothing can sign with them
again. ``ISSUER_KEYS`` holds the same JSON.

When neither exists, the first signature creates the file with a new key: written to a
private temporary file (mode 0600, created with O_EXCL) and then hard-linked to its name,
which fails if the name exists. So two processes racing both end up with the one key that won,
and nobody ever reads a half-written file. A warning says the key must be backed up: losing it
means new credentials get a new key, and losing the file entirely also loses the record of
previous keys, whose credentials then no longer verify.
"""

import datetime
import fcntl
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import multibase
from .proofs import iso_utc

logger = logging.getLogger(__name__)

FORMAT = "alongside-issuer-keys/1"
FROM_ENVIRONMENT = "environment"
FROM_FILE = "file"


@dataclass(frozen=True)
class IssuerKey:
    id: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = field(default=None, repr=False)
    created: str = ""
    retired: str = ""

    @property
    def public_key_multibase(self) -> str:
        return multibase.encode_ed25519_public_key(
            self.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )


@dataclass(frozen=True)
class Keyring:
    current: IssuerKey
    previous: tuple[IssuerKey, ...]
    source: str
    location: str
    """The file's path, or the environment variable's name."""

    @property
    def keys(self) -> tuple[IssuerKey, ...]:
        return (self.current, *self.previous)


class KeysFromEnvironmentError(Exception):
    """The keys come from the environment, so the site cannot change them."""


def _text(data: dict, name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise ImproperlyConfigured(f"Issuer keys ({where}): {name!r} is missing.")
    return value


def parse(text: str, *, source: str, location: str) -> Keyring:
    """The keyring a keys file (or ``ISSUER_KEYS``) holds; ImproperlyConfigured, saying what
    is wrong but never quoting key material, when it is not one."""
    where = location
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"Issuer keys ({where}) are not valid JSON.") from error
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImproperlyConfigured(f"Issuer keys ({where}) are not in the {FORMAT} format.")
    current_data = data.get("current")
    if not isinstance(current_data, dict):
        raise ImproperlyConfigured(f"Issuer keys ({where}): there is no current key.")
    try:
        private_key = serialization.load_pem_private_key(
            _text(current_data, "private_key", where).encode("ascii"), password=None
        )
    except (ValueError, TypeError, UnicodeEncodeError) as error:
        raise ImproperlyConfigured(
            f"Issuer keys ({where}): the current private key cannot be read."
        ) from error
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"Issuer keys ({where}): the current key is not Ed25519.")
    current = IssuerKey(
        id=_text(current_data, "id", where),
        public_key=private_key.public_key(),
        private_key=private_key,
        created=str(current_data.get("created", "")),
    )
    previous = []
    for entry in data.get("previous") or []:
        if not isinstance(entry, dict):
            raise ImproperlyConfigured(f"Issuer keys ({where}): a previous key is not an object.")
        try:
            raw = multibase.decode_ed25519_public_key(_text(entry, "public_key_multibase", where))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"Issuer keys ({where}): the previous key {entry.get('id')!r} cannot be read."
            ) from error
        previous.append(
            IssuerKey(
                id=_text(entry, "id", where),
                public_key=Ed25519PublicKey.from_public_bytes(raw),
                created=str(entry.get("created", "")),
                retired=str(entry.get("retired", "")),
            )
        )
    ids = [key.id for key in (current, *previous)]
    if len(set(ids)) != len(ids):
        raise ImproperlyConfigured(f"Issuer keys ({where}): two keys have the same id.")
    return Keyring(current=current, previous=tuple(previous), source=source, location=location)


def serialize(keyring: Keyring) -> str:
    current = keyring.current
    return (
        json.dumps(
            {
                "format": FORMAT,
                "current": {
                    "id": current.id,
                    "created": current.created,
                    "private_key": current.private_key.private_bytes(
                        serialization.Encoding.PEM,
                        serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption(),
                    ).decode("ascii"),
                },
                "previous": [
                    {
                        "id": key.id,
                        "created": key.created,
                        "retired": key.retired,
                        "public_key_multibase": key.public_key_multibase,
                    }
                    for key in keyring.previous
                ],
            },
            indent=2,
        )
        + "\n"
    )


def new_key(*, now: datetime.datetime, taken: set[str] = frozenset()) -> IssuerKey:
    """A fresh Ed25519 key named after the day it was made (``key-2026-11-29``; a second one
    the same day gets ``-2``, and so on)."""
    base = f"key-{now.astimezone(datetime.UTC):%Y-%m-%d}"
    key_id, number = base, 1
    while key_id in taken:
        number += 1
        key_id = f"{base}-{number}"
    private_key = Ed25519PrivateKey.generate()
    return IssuerKey(
        id=key_id,
        public_key=private_key.public_key(),
        private_key=private_key,
        created=iso_utc(now),
    )


def _write_private(path: Path, text: str, *, replace: bool) -> None:
    """Write ``text`` to ``path`` readable by the owner only, all at once: into a temporary
    file of the same folder (O_EXCL, 0600), then linked to the name (fails if it exists) or,
    with ``replace``, renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".issuer-keys-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _create_file(path: Path) -> None:
    keyring = Keyring(
        current=new_key(now=timezone.now()),
        previous=(),
        source=FROM_FILE,
        location=str(path),
    )
    try:
        _write_private(path, serialize(keyring), replace=False)
    except FileExistsError:
        return  # another process made the key first; everyone uses that one
    logger.warning(
        "Generated a new issuer signing key %s in %s. Back this file up with the database: "
        "without it, credentials cannot be signed with this key again, and without its record "
        "of previous keys, credentials signed with those no longer verify.",
        keyring.current.id,
        path,
    )


_cache_lock = threading.Lock()
_cache: dict = {}


def keyring() -> Keyring:
    """The issuer's keys, read again only when their source changes."""
    environment = getattr(settings, "ISSUER_KEYS", "") or ""
    if environment.strip():
        signature = ("env", environment)
        with _cache_lock:
            if _cache.get("signature") != signature:
                _cache["keyring"] = parse(
                    environment, source=FROM_ENVIRONMENT, location="ISSUER_KEYS"
                )
                _cache["signature"] = signature
            return _cache["keyring"]
    path = Path(settings.ISSUER_KEYS_FILE)
    with _cache_lock:
        try:
            stat = path.stat()
        except FileNotFoundError:
            _create_file(path)
            stat = path.stat()
        signature = ("file", str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if _cache.get("signature") != signature:
            _cache["keyring"] = parse(
                path.read_text(encoding="utf-8"), source=FROM_FILE, location=str(path)
            )
            _cache["signature"] = signature
        return _cache["keyring"]


@dataclass(frozen=True)
class Rotation:
    retired: IssuerKey
    current: IssuerKey
    path: str


def rotate(*, now: datetime.datetime, dry_run: bool = False) -> Rotation:
    """Make a new current key; the old one becomes a previous key (its private half dropped,
    its public half still published). Refuses when the keys come from the environment.

    Holds an exclusive lock on ``<file>.lock`` while reading and replacing the file, so two
    rotations at once make two keys one after the other rather than losing one."""
    if (getattr(settings, "ISSUER_KEYS", "") or "").strip():
        raise KeysFromEnvironmentError
    path = Path(settings.ISSUER_KEYS_FILE)
    if dry_run:
        return _rotation(path, now=now, write=False)
    keyring()  # creates the file (and a first key) if there is none yet
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        return _rotation(path, now=now, write=True)


def _rotation(path: Path, *, now: datetime.datetime, write: bool) -> Rotation:
    if path.exists():
        old = parse(path.read_text(encoding="utf-8"), source=FROM_FILE, location=str(path))
    else:  # a dry run before the first key: the one the first signature would make
        old = Keyring(current=new_key(now=now), previous=(), source=FROM_FILE, location=str(path))
    retired = IssuerKey(
        id=old.current.id,
        public_key=old.current.public_key,
        created=old.current.created,
        retired=iso_utc(now),
    )
    current = new_key(now=now, taken={key.id for key in old.keys})
    if write:
        _write_private(
            path,
            serialize(
                Keyring(
                    current=current,
                    previous=(retired, *old.previous),
                    source=FROM_FILE,
                    location=str(path),
                )
            ),
            replace=True,
        )
    return Rotation(retired=retired, current=current, path=str(path))
