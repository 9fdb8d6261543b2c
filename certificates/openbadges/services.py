"""Signing a certificate's credential: once, and then never again.

``credential_sign`` is called by the render task before the PDF is made (the PDF carries the
signed credential), and by the credential views when someone asks before the task has run.
It locks the certificate row, so two callers at once sign once: the second finds the stored
credential. A certificate changes after issue only by its status, which the status lists
publish; a name correction makes a new certificate with its own credential.
"""

import json
import logging
import secrets

from django.db import transaction
from django.utils import timezone

from ..models import Certificate
from . import credential, did, keys, proofs, status

logger = logging.getLogger(__name__)

MEDIA_TYPE = "application/ld+json"


def new_salt() -> str:
    return secrets.token_hex(16)


FIRST_KEYS = ("@context", "id", "type")


def _ordered(value):
    """``value`` with every object's keys in one fixed order: ``@context``, ``id`` and
    ``type`` first, then the rest alphabetically (PostgreSQL keeps JSON in an order of its
    own, SQLite in the order written)."""
    if isinstance(value, dict):
        return {
            key: _ordered(value[key])
            for key in sorted(
                value,
                key=lambda k: (FIRST_KEYS.index(k) if k in FIRST_KEYS else len(FIRST_KEYS), k),
            )
        }
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def as_bytes(document: dict) -> bytes:
    """The credential (or any of our JSON documents) as a file, indented, with keys in a fixed
    order, so every copy of a stored credential (download, PDF attachment) is the same bytes
    whichever database kept it."""
    return (json.dumps(_ordered(document), ensure_ascii=False, indent=2) + "\n").encode()


def _give_status_entry(certificate: Certificate) -> None:
    """A status list bit for a certificate made before credentials were signed."""

    def write(entry: status.Entry) -> Certificate:
        Certificate.objects.filter(pk=certificate.pk).update(
            status_list=entry.list_number, status_index=entry.index
        )
        certificate.status_list, certificate.status_index = entry.list_number, entry.index
        return certificate

    status.with_free_entry(write)


def credential_sign(*, certificate_id: int) -> dict:
    """The certificate's signed Open Badges credential, signed now if it is not yet."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("holder", "program_version__program", "course")
            .get(pk=certificate_id)
        )
        if certificate.credential is not None:
            return certificate.credential
        if not certificate.identity_salt:
            certificate.identity_salt = new_salt()
        if certificate.status_list is None:
            _give_status_entry(certificate)
        keyring = keys.keyring()
        signed = proofs.sign(
            credential.build(credential.facts_of(certificate)),
            private_key=keyring.current.private_key,
            verification_method=did.verification_method(keyring.current.id),
            created=timezone.now(),
        )
        Certificate.objects.filter(pk=certificate.pk).update(
            credential=signed, identity_salt=certificate.identity_salt
        )
    logger.info("Signed the credential of certificate %s", certificate.number)
    return signed


def credential_of(certificate: Certificate) -> dict:
    """The stored credential, or the one signed now for a certificate still waiting for its
    render task."""
    if certificate.credential is not None:
        return certificate.credential
    return credential_sign(certificate_id=certificate.pk)
