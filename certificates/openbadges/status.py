"""Revocation and suspension, published as W3C Bitstring Status Lists.

Every certificate has a bit in a list: ``status_list`` (the list's number) and
``status_index`` (its position), the same position in the revocation list and in the
suspension list. The position is random, so a list says nothing about the order in which
people earned their credentials, and the database refuses two certificates on one bit.

Picking a random free bit is cheap while a list is mostly empty: at most half full, a pick is
free at least half the time, so a new list number starts once the latest list is half full.

The lists are not stored. A request reads the set bits from the certificates' stored status
(revoked or replaced: the revocation bit; suspended: the suspension bit) as one query of
integers, so a change shows the moment it commits. The signed list credential is cached
under a digest of those bits (and the signing key), so an unchanged list is not signed again
for every request.
"""

import gzip
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Subquery
from django.utils import timezone

from ..models import Certificate, CertificateStatus
from . import contexts, credential, did, keys, multibase, proofs

LIST_SIZE = 131_072
"""Bits in each list: the Bitstring Status List minimum (16 KiB), a large enough crowd that one
set bit says little about whose it is."""
MAX_PICKS = 8
"""Random picks in the latest list before starting a new one (each is free with chance at
least one half, so this is almost never reached)."""

CACHE_SECONDS = 24 * 60 * 60
"""How long a signed list is reused while its bits stay the same (a change never waits: it
has another digest)."""

BITS_FOR = {
    credential.REVOCATION: (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED),
    credential.SUSPENSION: (CertificateStatus.SUSPENDED,),
}
"""Which stored statuses set a certificate's bit in each list. A replaced certificate (after a
name correction) is revoked: its successor is the credential to use."""


T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    list_number: int
    index: int


def _latest_list() -> tuple[int, int]:
    """The latest list number and how many certificates it holds (1 and 0 before the first),
    in one query."""
    latest = (
        Certificate.objects.filter(status_list__isnull=False)
        .order_by("-status_list")
        .values("status_list")[:1]
    )
    rows = list(
        Certificate.objects.filter(status_list=Subquery(latest))
        .values("status_list")
        .annotate(used=Count("pk"))
        .order_by("status_list")
    )
    if not rows:
        return 1, 0
    return rows[0]["status_list"], rows[0]["used"]


def random_index(size: int) -> int:
    return secrets.randbelow(size)


def with_free_entry(write: Callable[[Entry], T]) -> T:
    """Save a certificate on a random free bit of the latest list: ``write(entry)`` inserts
    (or updates) the row with that entry and returns what it made.

    A pick that lands on a taken bit fails on the unique constraint, inside a savepoint, and
    another is picked; after ``MAX_PICKS`` the certificate goes to a new list. Any other
    integrity error (a credential issued twice) is raised as it is."""
    size = LIST_SIZE
    list_number, used = _latest_list()
    if used >= size // 2:
        list_number += 1
    for attempt in range(MAX_PICKS + 1):
        if attempt == MAX_PICKS:
            list_number += 1
        entry = Entry(list_number=list_number, index=random_index(size))
        try:
            with transaction.atomic():
                return write(entry)
        except IntegrityError:
            taken = Certificate.objects.filter(
                status_list=entry.list_number, status_index=entry.index
            ).exists()
            if not taken:
                raise
    raise IntegrityError("No free status list entry was found.")


def set_bits(list_number: int, purpose: str) -> list[int]:
    """The set bits of one list, from the stored statuses: integers only, however many
    certificates there are."""
    return sorted(
        Certificate.objects.filter(
            status_list=list_number, status__in=BITS_FOR[purpose]
        ).values_list("status_index", flat=True)
    )


def list_exists(list_number: int) -> bool:
    return Certificate.objects.filter(status_list=list_number).exists()


def encode(indexes: Iterable[int], size: int = LIST_SIZE) -> str:
    """``encodedList``: multibase base64url (``u``, no padding) of the GZIP of the bitstring,
    most significant bit first (index 0 is the left-most bit of the first byte)."""
    bits = bytearray(size // 8)
    for index in indexes:
        if not 0 <= index < size:
            raise ValueError(f"Status list index {index} is outside the list.")
        bits[index // 8] |= 0x80 >> (index % 8)
    return multibase.encode_base64url(gzip.compress(bytes(bits), mtime=0))


def decode(encoded: str) -> bytes:
    return gzip.decompress(multibase.decode_base64url(encoded))


def is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def build_list(*, list_number: int, purpose: str, indexes: Iterable[int], issuer: str) -> dict:
    """The unsigned BitstringStatusListCredential for one list and purpose."""
    url = credential.status_list_url(list_number, purpose)
    return {
        "@context": list(contexts.STATUS_LIST_CONTEXT),
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": proofs.iso_utc(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(indexes),
        },
    }


@dataclass(frozen=True)
class SignedList:
    document: dict
    etag: str


def signed_list(list_number: int, purpose: str) -> SignedList | None:
    """The signed status list credential as of now, or None for a list no certificate uses.

    One query for the bits (and one more only when none is set, to tell an empty list from one
    that does not exist); a signature only when the bits or the key changed."""
    indexes = set_bits(list_number, purpose)
    if not indexes and not list_exists(list_number):
        return None
    keyring = keys.keyring()
    issuer = did.issuer_did()
    digest = hashlib.sha256(
        f"{issuer}|{keyring.current.id}|{list_number}|{purpose}|{LIST_SIZE}|".encode()
        + b",".join(str(index).encode() for index in indexes)
    ).hexdigest()
    cache_key = f"openbadges:status-list:{list_number}:{purpose}:{digest}"
    document = cache.get(cache_key)
    if document is None:
        document = proofs.sign(
            build_list(list_number=list_number, purpose=purpose, indexes=indexes, issuer=issuer),
            private_key=keyring.current.private_key,
            verification_method=did.verification_method(keyring.current.id),
            created=timezone.now(),
        )
        cache.set(cache_key, document, timeout=CACHE_SECONDS)
    return SignedList(document=document, etag=digest)
