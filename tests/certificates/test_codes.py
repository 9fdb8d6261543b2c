import math

import pytest

from certificates import codes


def test_a_code_carries_at_least_128_random_bits_without_look_alikes():
    code = codes.new_code()
    assert len(code) == codes.LENGTH
    assert set(code) <= set(codes.ALPHABET)
    assert codes.LENGTH * math.log2(len(codes.ALPHABET)) >= 128
    assert not set("0O1IL2Z5S6G") & set(codes.ALPHABET)
    assert len({codes.new_code() for _ in range(1000)}) == 1000


def test_codes_are_shown_in_groups_of_four():
    code = "ABCDEFHJKMNPQRTUVWXY34789ABC"
    assert codes.format_code(code) == "ABCD-EFHJ-KMNP-QRTU-VWXY-3478-9ABC"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD-EFHJ-KMNP-QRTU-VWXY-3478-9ABC", "ABCDEFHJKMNPQRTUVWXY34789ABC"),
        ("abcd efhj kmnp qrtu vwxy 3478 9abc", "ABCDEFHJKMNPQRTUVWXY34789ABC"),
        (" abcdefhjkmnpqrtuvwxy34789abc\n", "ABCDEFHJKMNPQRTUVWXY34789ABC"),
        ("ABCD-EFHJ-KMNP-QRTU-VWXY-3478-9AB", None),  # one short
        ("ABCD-EFHJ-KMNP-QRTU-VWXY-3478-9AB0", None),  # 0 is not in the alphabet
        ("A" * 100_000, None),
        ("", None),
        (None, None),
    ],
    ids=[
        "dashes",
        "spaces-lowercase",
        "whitespace",
        "short",
        "look-alike",
        "huge",
        "empty",
        "none",
    ],
)
def test_typed_codes_are_normalized_or_refused(typed, expected):
    assert codes.normalize_code(typed) == expected
