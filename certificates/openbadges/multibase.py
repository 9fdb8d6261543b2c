"""Multibase encodings used by Data Integrity proofs, Multikey public keys and status lists.

``z`` + base58btc carries proof values and Ed25519 public keys (prefixed with the multicodec
``ed01``, so every key reads ``z6Mk...``); ``u`` + base64url without padding carries a status
list's compressed bitstring.
"""

import base64

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(_B58)}
ED25519_PUBLIC_KEY_PREFIX = b"\xed\x01"
"""The multicodec ``ed25519-pub`` (0xed) as an unsigned varint."""
_MAX_BASE58 = 200
"""Longer than any key or signature; decoding is quadratic in the length, so it is bounded."""


def encode_base58btc(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, remainder = divmod(number, 58)
        text = _B58[remainder] + text
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "z" + "1" * zeros + text


def decode_base58btc(value) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValueError("Not a multibase base58btc value.")
    text = value[1:]
    if not text or len(text) > _MAX_BASE58:
        raise ValueError("A multibase base58btc value of an impossible length.")
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError("Not a base58btc character.")
        number = number * 58 + _B58_INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def encode_ed25519_public_key(raw: bytes) -> str:
    """A Multikey ``publicKeyMultibase`` for a raw 32-byte Ed25519 public key."""
    if len(raw) != 32:
        raise ValueError("An Ed25519 public key has 32 bytes.")
    return encode_base58btc(ED25519_PUBLIC_KEY_PREFIX + raw)


def decode_ed25519_public_key(value: str) -> bytes:
    data = decode_base58btc(value)
    if not data.startswith(ED25519_PUBLIC_KEY_PREFIX) or len(data) != 34:
        raise ValueError("Not an Ed25519 Multikey.")
    return data[2:]


def encode_base64url(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_base64url(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("u"):
        raise ValueError("Not a multibase base64url value.")
    text = value[1:]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
