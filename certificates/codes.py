"""Verification codes: what a holder gives an employer so they can check a credential.

28 characters from a 25-symbol alphabet without look-alike characters (no 0/O, 1/I/L, 2/Z,
5/S, 6/G): 28 × log2(25) ≈ 130 random bits, shown in seven groups of four for reading aloud. Stored
without separators; anything a person types is normalized before it is looked up.
"""

import re
import secrets

ALPHABET = "ABCDEFHJKMNPQRTUVWXY34789"
LENGTH = 28
GROUP = 4
_NOT_CODE = re.compile(r"[\s\-_.]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    """``ABCD-EFGH-...``, the way a code is printed and shown."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_code(text: str) -> str | None:
    """The stored form of a typed code (any case, spaces and dashes), or None when it cannot
    be one. Never raises, whatever the input."""
    if not isinstance(text, str) or len(text) > LENGTH * 3:
        return None
    code = _NOT_CODE.sub("", text).upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code
