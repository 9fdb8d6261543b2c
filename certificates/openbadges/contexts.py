"""The JSON-LD contexts our credentials name, bundled as files and never fetched.

Signing and verifying canonicalize a credential as RDF, which needs every ``@context`` it
names. Fetching them at run time would make every signature depend on a third-party server
(and its availability, and what it serves today), and would let anyone who posts a credential
to the check page make the site open connections. So the published documents are kept in
``contexts/`` and the loader serves those and nothing else: any other URL raises
:class:`UnknownContextError` without a socket being opened.

Provenance (SHA-256 of the bundled file, identical to the published document):

* ``https://www.w3.org/ns/credentials/v2`` - ``credentials-v2.json``,
  ``59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734``
* ``https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json`` -
  ``ob-v3p0-context-3.0.3.json``,
  ``3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84``
"""

import functools
import json
from pathlib import Path
from types import MappingProxyType

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

CREDENTIAL_CONTEXT = (VC_V2, OB_V3)
"""The ``@context`` of every Open Badges credential we issue, in this order."""

STATUS_LIST_CONTEXT = (VC_V2,)
"""The ``@context`` of our status list credentials (the VC 2.0 context defines them)."""

_FOLDER = Path(__file__).resolve().parent / "contexts"
_FILES = MappingProxyType(
    {
        VC_V2: "credentials-v2.json",
        OB_V3: "ob-v3p0-context-3.0.3.json",
    }
)


class UnknownContextError(ValueError):
    """A document names a JSON-LD context we do not bundle."""

    def __init__(self, url: str):
        self.url = url
        super().__init__(
            f"The JSON-LD context {url[:200]!r} is not one of the bundled contexts; "
            "contexts are never fetched from the network."
        )


def is_known(url) -> bool:
    return isinstance(url, str) and url in _FILES


@functools.cache
def _document(url: str) -> dict:
    return json.loads((_FOLDER / _FILES[url]).read_text(encoding="utf-8"))


def load_document(url: str, options=None) -> dict:
    """A pyld ``documentLoader``: the bundled context for ``url``, or UnknownContextError.

    Each call returns a fresh copy, so nothing pyld does to a document can change the one we
    keep."""
    if not is_known(url):
        raise UnknownContextError(str(url))
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(json.dumps(_document(url))),
    }


def unknown_context_in(error: BaseException) -> UnknownContextError | None:
    """The UnknownContextError behind an exception pyld raised, if that was the cause (pyld
    wraps a loader's error in its own, sometimes twice)."""
    seen = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, UnknownContextError):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__ or getattr(cause, "cause", None)
    return None
