"""The public check of a credential file someone pasted or uploaded: is it one of ours, is it
unchanged, and what is its status today. Nothing is stored.

We sign each credential once and keep it, so a genuine copy is exactly the stored credential.
The check therefore finds the certificate the credential names, compares the document with
the stored one, and verifies the proof of that document with our published keys. A document
that differs from what we signed has been changed, whatever it says; and no JSON from outside
ever reaches the RDF canonicalizer, whose cost on hostile graphs of blank nodes grows
factorially.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..codes import normalize_code
from ..models import Certificate
from . import contexts, did, keys, proofs

NOT_A_CREDENTIAL = "not_a_credential"
UNKNOWN_CONTEXT = "unknown_context"
NOT_SIGNED = "not_signed"
SOMEONE_ELSE = "someone_else"
UNKNOWN = "unknown"
CHANGED = "changed"


@dataclass(frozen=True)
class Outcome:
    """A genuine, unchanged credential and the certificate it stands for."""

    certificate: Certificate
    shown_status: str
    signed_with_current_key: bool


def _refusal(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _types(document: dict) -> set:
    value = document.get("type")
    values = value if isinstance(value, list) else [value]
    return {item for item in values if isinstance(item, str)}


def _code_of(credential_id) -> str | None:
    prefix, suffix = f"{settings.SITE_URL}/verify/", "/credential.json"
    if not isinstance(credential_id, str):
        return None
    if not (credential_id.startswith(prefix) and credential_id.endswith(suffix)):
        return None
    return normalize_code(credential_id[len(prefix) : -len(suffix)])


def _issuer_id(document: dict):
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def same_document(first, second) -> bool:
    """Equal as JSON values: the same members, strings, numbers and booleans (``true`` is not
    ``1``, as Python's ``==`` would have it), whatever the order of the keys."""

    def text(value) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    return text(first) == text(second)


def credential_check(*, document) -> Outcome:
    """Check a parsed credential file. Raises ValidationError with a plain message saying
    exactly why it is not a genuine, unchanged credential of ours."""
    issuer_name = settings.CREDENTIAL_ISSUER_NAME
    if not isinstance(document, dict) or not {
        "VerifiableCredential",
        "OpenBadgeCredential",
    } <= _types(document):
        raise _refusal(
            _(
                "This is not a digital credential. A credential file starts with "
                '"@context" and says it is a "VerifiableCredential".'
            ),
            NOT_A_CREDENTIAL,
        )
    context = document.get("@context")
    for url in context if isinstance(context, list) else [context]:
        if not contexts.is_known(url):
            raise _refusal(
                _(
                    "This credential uses a vocabulary (a JSON-LD context) that our "
                    "credentials never use, so it was not issued by %(issuer)s."
                )
                % {"issuer": issuer_name},
                UNKNOWN_CONTEXT,
            )
    try:
        proof = proofs.select_proof(document)
    except proofs.ProofError as error:
        raise _refusal(
            _("This credential has no digital signature, so there is no way to tell who made it."),
            NOT_SIGNED,
        ) from error
    keyring = keys.keyring()
    public_keys = did.public_keys(keyring)
    if proof["verificationMethod"] not in public_keys or _issuer_id(document) != did.issuer_did():
        raise _refusal(
            _(
                "This credential was signed by someone else, not by %(issuer)s. Ask whoever "
                "issued it how to check it."
            )
            % {"issuer": issuer_name},
            SOMEONE_ELSE,
        )
    code = _code_of(document.get("id"))
    certificate = (
        Certificate.objects.select_related("holder").filter(verification_code=code).first()
        if code
        else None
    )
    if certificate is None or certificate.credential is None:
        raise _refusal(
            _(
                "%(issuer)s has no record of this credential: it has been changed, or it "
                "was never issued."
            )
            % {"issuer": issuer_name},
            UNKNOWN,
        )
    changed = _(
        "This credential has been changed since it was signed, so it cannot be trusted. "
        "Ask the holder for the original file, or check the certificate with its "
        "verification code."
    )
    if not same_document(document, certificate.credential):
        raise _refusal(changed, CHANGED)
    try:
        verified = proofs.verify(certificate.credential, public_keys=public_keys)
    except proofs.ProofError as error:
        raise _refusal(changed, CHANGED) from error
    return Outcome(
        certificate=certificate,
        shown_status=certificate.shown_status(),
        signed_with_current_key=verified.verification_method
        == did.verification_method(keyring.current.id),
    )
