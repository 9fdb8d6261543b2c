"""QR codes for certificates: segno encodes; the data mask is chosen here, faster.

A QR encoder tries all eight data masks and keeps the one with the lowest penalty score
(ISO/IEC 18004:2015, 7.8.3), so that a scanner meets no large blocks or finder-like patterns
in the data. segno scores the eight masks module by module in Python, which is most of the
cost of encoding a certificate's address (about 3 ms of 3.7). This module scores them by the
same rules on the whole symbol at once: all rows packed into one integer, all columns into
another, so that a handful of bitwise operations count every row's runs or every 2×2 block.
The mask chosen and the symbol made are exactly segno's for every input (tests compare them
module by module); they are only made sooner.

It uses segno's encoder functions (``encode`` with a given mask, the function-pattern layout,
``add_format_info``), so segno is pinned to the minor version it was checked against.
"""

import re
from functools import lru_cache
from urllib.parse import quote

import segno
from segno import encoder

# Dark, light, dark ×3, light, dark: the finder pattern's 1:1:3:1:1 (penalty N3).
FINDER_LIKE = "1011101"
DARK_RUN = re.compile("1+")
TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
FROM_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


class Geometry:
    """Masks for lines of ``width`` modules packed into one integer, line ``i`` in bits
    ``i * stride`` up to ``i * stride + width - 1`` and one light guard bit between lines.
    Within a line, module 0 is the highest bit, so a line reads left to right (or top to
    bottom) when formatted in binary."""

    def __init__(self, width: int):
        self.width = width
        self.stride = stride = width + 1
        line = (1 << width) - 1
        self.line = line
        self.row_format = f"0{width}b"

        def each_line(bits: int, lines: int = width) -> int:
            return sum(bits << (i * stride) for i in range(lines))

        # Positions p where modules p and p + 1 are in the same line.
        self.pairs = each_line(line >> 1)
        # The same, in every line but the last: where a 2×2 block can start.
        self.blocks = each_line(line >> 1, width - 1)
        # Positions p where modules p to p + 6 are in the same line.
        self.sevens = each_line(line >> 6)
        self.dark_total = width * width

    def pack(self, lines: list[int]) -> int:
        stride = self.stride
        return sum(value << (i * stride) for i, value in enumerate(lines))

    def columns(self, rows: list[int]) -> list[int]:
        texts = [format(row, self.row_format) for row in rows]
        return [int("".join(column), 2) for column in zip(*texts, strict=True)]


class Layout:
    """One QR version's matrix before data goes in (built once a version), packed by row
    and by column: ``region`` marks the modules that hold data and are masked; ``fixed``
    holds the others as the encoder scores them (finders, timing and alignment patterns
    drawn, format areas still light); ``flips[k]`` turns mask 0 into mask ``k``."""

    def __init__(self, version: int):
        width = encoder.calc_matrix_size(version)
        template = encoder.make_matrix(width, width)
        encoder.add_finder_patterns(template, width, width)
        encoder.add_alignment_patterns(template, width, width)
        self.geometry = geometry = Geometry(width)
        self.region_rows = [_as_int(bytes(cell == 0x2 for cell in row)) for row in template]
        fixed_rows = [_as_int(bytes(cell == 0x1 for cell in row)) for row in template]
        mask_rows = [
            [
                _as_int(bytes(cell == 0x2 and bool(mask(i, j)) for j, cell in enumerate(row)))
                for i, row in enumerate(template)
            ]
            for mask in encoder.get_data_mask_functions(is_micro=False)
        ]
        self.flip_rows = [
            [zero ^ other for zero, other in zip(mask_rows[0], rows, strict=True)]
            for rows in mask_rows
        ]
        self.fixed = (geometry.pack(fixed_rows), geometry.pack(geometry.columns(fixed_rows)))
        self.flips = [
            (geometry.pack(rows), geometry.pack(geometry.columns(rows))) for rows in self.flip_rows
        ]


def _as_int(modules: bytes) -> int:
    return int(modules.translate(TO_DIGITS), 2)


@lru_cache(maxsize=40)
def layout(version: int) -> Layout:
    return Layout(version)


@lru_cache(maxsize=40)
def geometry(width: int) -> Geometry:
    return Geometry(width)


def _runs(lines: int, shape: Geometry) -> int:
    """N1: 3 points for each run of five modules of one colour in a line, one more for
    each module beyond five."""
    same = ~(lines ^ (lines >> 1)) & shape.pairs
    # A run of n modules is n - 1 neighbouring "same" bits; four of those start a window
    # for each module beyond four: n - 4 windows, plus 2 for the run itself.
    windows = same & (same >> 1) & (same >> 2) & (same >> 3)
    return windows.bit_count() + 2 * (windows & ~(windows << 1)).bit_count()


def _blocks(rows: int, shape: Geometry) -> int:
    """N2: 3 points for each 2×2 block of one colour (blocks may overlap)."""
    same_below = ~(rows ^ (rows >> shape.stride))
    same_across = ~(rows ^ (rows >> 1))
    return 3 * (same_below & (same_below >> 1) & same_across & shape.blocks).bit_count()


def _finder_like(lines: int, shape: Geometry) -> int:
    """N3: 40 points for each finder-like pattern in a line with light modules before or
    after it, counted in the lines where a bitwise search finds the pattern."""
    found = (
        lines
        & ~(lines >> 1)
        & (lines >> 2)
        & (lines >> 3)
        & (lines >> 4)
        & ~(lines >> 5)
        & (lines >> 6)
        & shape.sevens
    )
    score = 0
    stride, width = shape.stride, shape.width
    seen = -1
    while found:
        lowest = found & -found
        index = (lowest.bit_length() - 1) // stride
        if index != seen:
            line = (lines >> (index * stride)) & shape.line
            score += _finder_like_in_line(format(line, shape.row_format), width)
            seen = index
        found ^= lowest
    return score


def _finder_like_in_line(line: str, width: int) -> int:
    """segno's ``n3_pattern_occurrences`` on one line of 0s and 1s, to the letter: a pattern
    at either end counts, and so does one with no dark module in the (up to) four before it
    or in the (up to) four after it; after a pattern that does not count, the search goes on
    from its fourth module."""
    count = 0
    index = line.find(FINDER_LIKE)
    while index != -1:
        offset = index + 7
        if (
            index in (0, width - 7)
            or "1" not in line[max(index - 4, 0) : index]
            or "1" not in line[offset : offset + 4]
        ):
            count += 40
        else:
            offset = index + 4
        index = line.find(FINDER_LIKE, offset)
    return count


def _balance(rows: int, shape: Geometry) -> int:
    """N4: 10 points for each 5% the share of dark modules strays from half."""
    return 10 * int(abs(float(rows.bit_count()) / shape.dark_total * 100 - 50) / 5)


def _penalty(rows: int, columns: int, shape: Geometry) -> int:
    return (
        _runs(rows, shape)
        + _runs(columns, shape)
        + _blocks(rows, shape)
        + _finder_like(rows, shape)
        + _finder_like(columns, shape)
        + _balance(rows, shape)
    )


def penalty(matrix) -> int:
    """The mask penalty of a square matrix of 0 and 1 modules, as segno's
    ``evaluate_mask`` scores it."""
    shape = geometry(len(matrix))
    rows = [_as_int(bytes(row)) for row in matrix]
    return _penalty(shape.pack(rows), shape.pack(shape.columns(rows)), shape)


def best_mask(rows: list[int], layout: Layout) -> int:
    """The mask with the lowest penalty (the first of equals, as segno picks) for the rows
    of a QR code that carries mask 0."""
    shape = layout.geometry
    data = [row & region for row, region in zip(rows, layout.region_rows, strict=True)]
    data_rows, data_columns = shape.pack(data), shape.pack(shape.columns(data))
    fixed_rows, fixed_columns = layout.fixed
    scores = [
        _penalty(
            (data_rows ^ flip_rows) | fixed_rows,
            (data_columns ^ flip_columns) | fixed_columns,
            shape,
        )
        for flip_rows, flip_columns in layout.flips
    ]
    return scores.index(min(scores))


def make(content, *, error: str = "m") -> segno.QRCode:
    """A QR code (never a Micro QR code) for ``content``, as ``segno.make`` with
    ``micro=False`` makes it: content as one segment or a list of segments."""
    code = encoder.encode(content, error=error, micro=False, mask=0)
    shape = layout(code.version)
    rows = [_as_int(bytes(row)) for row in code.matrix]
    mask = best_mask(rows, shape)
    if mask:
        row_format = shape.geometry.row_format
        matrix = tuple(
            bytearray(format(row ^ flip, row_format).encode().translate(FROM_DIGITS))
            for row, flip in zip(rows, shape.flip_rows[mask], strict=True)
        )
        encoder.add_format_info(matrix, code.version, code.error, mask)
        code = code._replace(matrix=matrix, mask=mask)
    return segno.QRCode(code)


def svg_data_uri(code: segno.QRCode, *, scale: int = 4, border: int = 2) -> str:
    """The code as an SVG ``data:`` URL, drawn with as few lines as we cheaply can.

    WeasyPrint parses an SVG path command by command in Python, about 10 µs each, so the
    number of lines is the cost of drawing the code. segno draws one line per horizontal run
    of dark modules (about 290 for a certificate's code). Here, runs that repeat exactly in
    the rows below merge into one rectangle, drawn as a single line as thick as the
    rectangle's shorter side: the finder patterns' sides become one line each, and a
    certificate's code needs about 230. Lines of one thickness share a path. ``scale``
    and ``border`` mean what they mean to segno (units per module, modules of light margin).
    """
    open_rectangles: dict[tuple[int, int], list[int]] = {}
    rectangles: list[list[int]] = []
    for y, row in enumerate(code.matrix):
        for run in DARK_RUN.finditer(bytes(row).translate(TO_DIGITS).decode("ascii")):
            key = run.span()
            rectangle = open_rectangles.get(key)
            if rectangle is not None and rectangle[1] + rectangle[3] == y:
                rectangle[3] += 1
            else:
                rectangle = [key[0], y, key[1] - key[0], 1]
                open_rectangles[key] = rectangle
                rectangles.append(rectangle)
    lines: dict[int, list[str]] = {}
    for x, y, width, height in rectangles:
        x, y = x + border, y + border
        if height <= width:
            lines.setdefault(height, []).append(f"M{x} {y + height / 2:g}h{width}")
        else:
            lines.setdefault(width, []).append(f"M{x + width / 2:g} {y}v{height}")
    size = (len(code.matrix) + 2 * border) * scale
    paths = "".join(
        f"<path stroke='#000' stroke-width='{thickness}' d='{''.join(commands)}'/>"
        for thickness, commands in sorted(lines.items())
    )
    svg = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{size}' height='{size}' "
        f"viewBox='0 0 {size // scale} {size // scale}'>{paths}</svg>"
    )
    return "data:image/svg+xml," + quote(svg, safe=" :/='")
