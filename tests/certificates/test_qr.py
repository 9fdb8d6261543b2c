"""The certificate's QR code: segno's code exactly, with the mask chosen faster, and an SVG that
draws every dark module once and no light one."""

import random
import re
from urllib.parse import unquote

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from segno import encoder

from certificates import qr

CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXY34789"
URL_TEXT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:.-_?=&%é",
    min_size=1,
    max_size=160,
)


def verification_address(code: str) -> list[str]:
    """As certificates.documents encodes it: the site part, then the code in its own segment."""
    return ["https://alongside.example.org/verify/", f"{code}/"]


def modules(code: segno.QRCode) -> list[bytes]:
    return [bytes(row) for row in code.matrix]


@settings(max_examples=150, deadline=None)
@given(content=URL_TEXT, error=st.sampled_from("lmqh"))
def test_the_code_is_segnos_own_for_any_content(content, error):
    reference = segno.make(content, error=error, micro=False)
    ours = qr.make(content, error=error)
    assert (ours.version, ours.error, ours.mask) == (
        reference.version,
        reference.error,
        reference.mask,
    )
    assert modules(ours) == modules(reference)


@pytest.mark.parametrize("seed", range(40))
def test_the_code_is_segnos_own_for_verification_addresses(seed):
    """Certificates' addresses (two segments), every mask turning up among them."""
    generator = random.Random(seed)
    code = "".join(generator.choice(CODE_ALPHABET) for _ in range(28))
    reference = segno.make(verification_address(code), error="m", micro=False)
    ours = qr.make(verification_address(code))
    assert ours.mask == reference.mask
    assert modules(ours) == modules(reference)


def test_every_mask_is_chosen_somewhere():
    """A mask choice that always said 0 would pass the comparisons above only by chance."""
    generator = random.Random(7)
    chosen = {
        qr.make(
            "".join(
                generator.choice("abcdefghijklmnop/:.") for _ in range(generator.randint(5, 120))
            )
        ).mask
        for _ in range(300)
    }
    assert chosen == set(range(8))


@settings(max_examples=200, deadline=None)
@given(
    width=st.sampled_from([21, 25, 29, 33, 45, 57]),
    seed=st.integers(min_value=0, max_value=2**32),
    dark_share=st.floats(min_value=0.0, max_value=1.0),
)
def test_the_penalty_is_segnos_for_any_matrix(width, seed, dark_share):
    """All four penalty rules, including the edges: all light, all dark, patterns at a line's
    ends."""
    generator = random.Random(seed)
    matrix = tuple(
        bytearray(int(generator.random() < dark_share) for _ in range(width)) for _ in range(width)
    )
    assert qr.penalty(matrix) == sum(encoder.mask_scores(matrix, width, width))


def drawn_modules(svg: str, border: int) -> dict[tuple[int, int], int]:
    """How many times each module (column, row) is painted by the SVG's lines."""
    painted: dict[tuple[int, int], int] = {}
    for thickness, commands in re.findall(r"stroke-width='(\d+)' d='([^']*)'", svg):
        half = int(thickness) / 2
        for x, y, direction, length in re.findall(r"M([\d.]+) ([\d.]+)([hv])(\d+)", commands):
            x, y, length = float(x), float(y), int(length)
            if direction == "h":
                columns, rows = (x, x + length), (y - half, y + half)
            else:
                columns, rows = (x - half, x + half), (y, y + length)
            for row in range(int(rows[0]), int(rows[1])):
                for column in range(int(columns[0]), int(columns[1])):
                    key = (column - border, row - border)
                    painted[key] = painted.get(key, 0) + 1
    return painted


@pytest.mark.parametrize("seed", range(20))
def test_the_svg_paints_each_dark_module_once_and_no_light_one(seed):
    generator = random.Random(seed)
    code = qr.make(
        verification_address("".join(generator.choice(CODE_ALPHABET) for _ in range(28)))
    )
    svg = unquote(qr.svg_data_uri(code, scale=4, border=2))
    dark = {
        (column, row)
        for row, line in enumerate(code.matrix)
        for column, module in enumerate(line)
        if module
    }
    painted = drawn_modules(svg, border=2)
    assert set(painted) == dark
    assert set(painted.values()) == {1}
    # Fewer lines than segno's one per horizontal run: that is what the merging is for.
    runs = sum(len(re.findall(b"\x01+", bytes(line))) for line in code.matrix)
    assert svg.count("M") < runs


def test_the_svg_has_segnos_size_and_a_margin():
    code = qr.make(verification_address("ABCDEFHJKMNPQRTUVWXY34789ABC"))
    svg = unquote(qr.svg_data_uri(code, scale=4, border=2))
    # 33 modules and 2 on each side, 4 units a module.
    assert "width='148' height='148' viewBox='0 0 37 37'" in svg
    # Percent-encoded, so the URL survives an HTML attribute and a data: URL parser.
    assert qr.svg_data_uri(code).startswith("data:image/svg+xml,%3Csvg")
