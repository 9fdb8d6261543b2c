"""The issuer's identity: a ``did:web`` DID derived from ``SITE_URL``, and its DID document.

``https://alongside.example.org`` is ``did:web:alongside.example.org``, whose document a
resolver fetches from ``https://alongside.example.org/.well-known/did.json``. A port is
percent-encoded (``did:web:localhost%3A8000``); a path becomes ``:`` segments
(``https://example.org/alongside`` is ``did:web:example.org:alongside``, resolved at
``https://example.org/alongside/did.json``, which the site serves too).

The document lists every key, current and previous, as a ``Multikey`` under
``verificationMethod`` and ``assertionMethod``: credentials signed with a retired key stay
verifiable for as long as the site publishes it.
"""

from urllib.parse import quote, urlsplit

from django.conf import settings

from .keys import Keyring

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def did_web(site_url: str) -> str:
    parts = urlsplit(site_url)
    if not parts.hostname:
        raise ValueError("SITE_URL has no host name.")
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    segments = [quote(host, safe="")]
    segments += [quote(segment, safe="") for segment in parts.path.split("/") if segment]
    return "did:web:" + ":".join(segments)


def issuer_did() -> str:
    return did_web(settings.SITE_URL)


def verification_method(key_id: str) -> str:
    """The absolute DID URL a proof names its key by: ``did:web:<host>#<key id>``."""
    return f"{issuer_did()}#{key_id}"


def public_keys(keyring: Keyring) -> dict:
    """Every key we have published, current and previous, by verification method id."""
    return {verification_method(key.id): key.public_key for key in keyring.keys}


def did_document(keyring: Keyring) -> dict:
    did = issuer_did()
    methods = [
        {
            "id": verification_method(key.id),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keyring.keys
    ]
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
