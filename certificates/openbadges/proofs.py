"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C vc-di-eddsa), signed
and verified with Ed25519 keys.

What is signed is the RDF dataset a document expands to, canonicalized with RDFC-1.0 (pyld
calls it URDNA2015; its default is the older URGNA2012, so the algorithm is always named).
The proof configuration (the proof without ``proofValue``, with the document's ``@context``)
and the document without its proof are canonicalized separately; the signature covers
``SHA-256(canonical proof configuration) || SHA-256(canonical document)`` and travels as a
multibase base58btc ``proofValue`` (``z...``).

Contexts come only from ``contexts.load_document`` (bundled files, never the network).
pyld keeps resolved contexts in a cache; ours is private to this module, so contexts resolved
elsewhere with another loader can never stand in for ours, and a lock keeps two threads out
of pyld at once (its caches are not thread-safe).

Canonicalization costs grow steeply on hostile graphs of blank nodes, so nothing from outside
is canonicalized here without being screened first: the check page only verifies documents
equal to one we signed (see ``checking.py``).
"""

import copy
import datetime
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from . import contexts, multibase

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"

_LOCK = threading.Lock()


class _BoundedCache(dict):
    """pyld's resolved-context cache, ours alone. It only ever holds our two bundled contexts;
    the bound is there should a document bring inline ones."""

    LIMIT = 32

    def __setitem__(self, key, value):
        if len(self) >= self.LIMIT:
            self.clear()
        super().__setitem__(key, value)


_RESOLVED_CONTEXTS = _BoundedCache()


class ProofError(ValueError):
    """A document whose proof does not verify. ``reason`` is one of the constants below."""

    def __init__(self, reason: str, detail: str = ""):
        self.reason = reason
        super().__init__(detail or reason)


NO_PROOF = "no_proof"
"""No eddsa-rdfc-2022 DataIntegrityProof for assertions."""
UNKNOWN_KEY = "unknown_key"
"""Signed with a key that is not one of those we were given."""
UNKNOWN_CONTEXT = "unknown_context"
"""Names a JSON-LD context we do not bundle."""
MISMATCH = "mismatch"
"""The signature does not match the document: it changed after it was signed."""


@dataclass(frozen=True)
class Verified:
    verification_method: str
    created: str


def canonical(document: dict) -> str:
    """The RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document."""
    with _LOCK:
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": contexts.load_document,
                "contextResolver": ContextResolver(_RESOLVED_CONTEXTS, contexts.load_document),
            },
        )


def _hash_data(document: dict, proof_config: dict) -> bytes:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    config = {key: value for key, value in proof_config.items() if key != "proofValue"}
    config["@context"] = document.get("@context")
    return (
        hashlib.sha256(canonical(config).encode("utf-8")).digest()
        + hashlib.sha256(canonical(unsecured).encode("utf-8")).digest()
    )


def iso_utc(moment: datetime.datetime) -> str:
    """``2026-11-29T14:03:00Z``: UTC, whole seconds, as credentials write dates."""
    if moment.tzinfo is None:
        raise ValueError("A credential date must be timezone-aware.")
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime.datetime,
) -> dict:
    """A copy of ``document`` with an embedded eddsa-rdfc-2022 proof for assertions."""
    if "proof" in document:
        raise ValueError("The document is signed already.")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": iso_utc(created),
        "verificationMethod": verification_method,
        "proofPurpose": ASSERTION_METHOD,
    }
    signature = private_key.sign(_hash_data(document, proof))
    signed = copy.deepcopy(document)
    signed["proof"] = {**proof, "proofValue": multibase.encode_base58btc(signature)}
    return signed


def select_proof(document: Mapping) -> dict:
    """The document's single eddsa-rdfc-2022 proof for assertions, or ProofError(NO_PROOF)."""
    raw = document.get("proof")
    proofs = raw if isinstance(raw, list) else [raw]
    found = [
        proof
        for proof in proofs
        if isinstance(proof, dict)
        and proof.get("type") == PROOF_TYPE
        and proof.get("cryptosuite") == CRYPTOSUITE
        and proof.get("proofPurpose") == ASSERTION_METHOD
        and isinstance(proof.get("verificationMethod"), str)
    ]
    if len(found) != 1:
        raise ProofError(NO_PROOF, "The document carries no single eddsa-rdfc-2022 proof.")
    return found[0]


def verify(document: dict, *, public_keys: Mapping[str, Ed25519PublicKey]) -> Verified:
    """Check the document's proof against ``public_keys`` (verification method id -> key).

    Raises ProofError saying why it fails: no proof, a key not among ours, a context we do not
    bundle, or a signature that does not match (the document changed after it was signed).
    """
    proof = select_proof(document)
    method = proof["verificationMethod"]
    key = public_keys.get(method)
    if key is None:
        raise ProofError(UNKNOWN_KEY, f"The proof names the key {method[:200]!r}.")
    try:
        signature = multibase.decode_base58btc(proof.get("proofValue"))
    except ValueError as error:
        raise ProofError(MISMATCH, str(error)) from error
    for url in _context_urls(document):
        if not contexts.is_known(url):
            raise ProofError(UNKNOWN_CONTEXT, str(contexts.UnknownContextError(str(url))))
    try:
        data = _hash_data(document, proof)
    except Exception as error:
        unknown = contexts.unknown_context_in(error)
        if unknown is not None:
            raise ProofError(UNKNOWN_CONTEXT, str(unknown)) from error
        raise ProofError(MISMATCH, "The document cannot be read as JSON-LD.") from error
    try:
        key.verify(signature, data)
    except InvalidSignature as error:
        raise ProofError(MISMATCH, "The signature does not match the document.") from error
    return Verified(verification_method=method, created=str(proof.get("created", "")))


def _context_urls(document: Mapping) -> list:
    value = document.get("@context")
    return value if isinstance(value, list) else [value]
