"""Decisions for the organization pages, over plain values (no database, no clock).

An organization admin checks many verification codes at once by uploading a CSV file with a
header row: a ``code`` column and, optionally, a ``name`` column (header names in any case,
surrounding spaces ignored; other columns are ignored). This module reads such a file within
fixed bounds, decides each row's result from what the lookup found, compares names, and writes
the results as CSV rows. It also says how far away an expiry date is, in words, for
the credentials roster.

What a result shows is never more than the public verification page shows: the credential's
title, the name as printed, the expiry date and the status.
"""

import csv
import datetime
import io
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import lifecycle
from .codes import normalize_code

MAX_FILE_BYTES = 1_000_000
"""Largest file accepted (1 MB): about 25,000 short rows, far more than ``MAX_ROWS``."""
MAX_ROWS = 5_000
"""Most codes checked in one file; a longer file is refused whole, with a message."""
MAX_CODE_CHARS = 64
"""A code cell longer than this is "Not a valid code" without a lookup (a real code, typed with
dashes and spaces, is about 40)."""
MAX_NAME_CHARS = 200
"""Names are compared on their first 200 characters, the longest name a certificate prints."""
LOOKUP_CHUNK = 500
"""Codes looked up per query, so a file of ``MAX_ROWS`` rows needs at most ten queries."""
DELIMITERS = (",", ";", "\t")
"""Spreadsheets in some languages save "CSV" with semicolons or tabs; the header row decides."""

VALID, EXPIRING, EXPIRED = "valid", "expiring", "expired"
SUSPENDED, REVOKED, REPLACED = "suspended", "revoked", "replaced"
NOT_FOUND, INVALID = "not_found", "invalid"

RESULT_LABELS = {
    VALID: gettext_lazy("Valid"),
    EXPIRING: gettext_lazy("Expiring soon"),
    EXPIRED: gettext_lazy("Expired"),
    SUSPENDED: gettext_lazy("Suspended"),
    REVOKED: gettext_lazy("Revoked"),
    REPLACED: gettext_lazy("Replaced"),
    NOT_FOUND: gettext_lazy("Not found"),
    INVALID: gettext_lazy("Not a valid code"),
}
_RESULT_OF_STATUS = {
    lifecycle.ACTIVE: VALID,
    lifecycle.EXPIRING: EXPIRING,
    lifecycle.EXPIRED: EXPIRED,
    lifecycle.SUSPENDED: SUSPENDED,
    lifecycle.REVOKED: REVOKED,
    lifecycle.SUPERSEDED: REPLACED,
}

NAME_MATCHES, NAME_DIFFERS = "matches", "differs"


class CheckFileProblem(ValueError):
    """A file (or posted results) that cannot be checked, with the reason in plain words."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Row:
    """One row of the uploaded file, as typed (trimmed and bounded)."""

    line: int
    """The line of the file the row ends on, counting the header as line 1."""
    code: str
    name: str | None
    """The name cell, or None when the file has no ``name`` column."""

    @property
    def code_shown(self) -> str:
        if len(self.code) > MAX_CODE_CHARS:
            return self.code[:MAX_CODE_CHARS] + "…"
        return self.code


@dataclass(frozen=True)
class Found:
    """What the lookup found for a code: exactly what the public verification page shows."""

    title: str
    name_as_printed: str
    expires_on: datetime.date | None
    status: str
    """The stored status (active, suspended, revoked, superseded)."""


@dataclass(frozen=True)
class Checked:
    row: Row
    result: str
    found: Found | None
    name_check: str | None
    """``NAME_MATCHES``, ``NAME_DIFFERS``, or None when no name was given or nothing was found."""

    @property
    def result_label(self) -> str:
        return str(RESULT_LABELS[self.result])

    @property
    def name_differs(self) -> bool:
        return self.name_check == NAME_DIFFERS


# Reading a file ---------------------------------------------------------------------------------


def _clean_cell(text: str) -> str:
    """A cell without control characters (a tab or line break inside a cell becomes a space)
    and without surrounding spaces."""
    if any(unicodedata.category(char) == "Cc" for char in text):
        text = "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)
    return text.strip()


def _expected_columns_message(found: list[str]) -> str:
    """What was expected and what was found (the first few names, each cut short: the "header"
    of a wrong file can be anything, of any length)."""
    names = [name if len(name) <= 40 else name[:40] + "…" for name in found if name]
    shown = ", ".join(f"“{name}”" for name in names[:10]) or _("no column names")
    if len(names) > 10:
        shown += ", …"
    return _(
        "The first row of the file must name the columns: “code” (needed) and “name” "
        "(optional). We found: %(found)s."
    ) % {"found": shown}


def _columns(header: list[str]) -> tuple[int, int | None]:
    """The positions of the code and name columns, or a problem naming what was expected."""
    names = [_clean_cell(cell).casefold() for cell in header]
    for wanted in ("code", "name"):
        if names.count(wanted) > 1:
            raise CheckFileProblem(
                _("The column “%(name)s” appears more than once. Keep only one.")
                % {"name": wanted},
                code="duplicate_column",
            )
    if "code" not in names:
        message = _expected_columns_message([_clean_cell(cell) for cell in header])
        if any(normalize_code(_clean_cell(cell)) for cell in header):
            message += " " + _(
                "The first row looks like a code. Add a row above it with the word “code”."
            )
        raise CheckFileProblem(message, code="columns")
    return names.index("code"), (names.index("name") if "name" in names else None)


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    if counts[","]:
        return ","
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def read_rows(stream, *, size: int | None = None) -> list[Row]:
    """The rows of an uploaded CSV file (a binary file object), read as a stream.

    Refuses, with ``CheckFileProblem``, a file over ``MAX_FILE_BYTES``, an empty file, one that
    is not UTF-8 text (a byte-order mark is fine), one without a ``code`` column, and one with
    more than ``MAX_ROWS`` rows (reading stops at the first row over). Blank rows are skipped.
    Cells are trimmed; a code cell is kept up to one character past ``MAX_CODE_CHARS`` (enough to
    know it is too long) and a name cell up to ``MAX_NAME_CHARS``."""
    if size is not None and size > MAX_FILE_BYTES:
        raise CheckFileProblem(
            _(
                "This file is larger than %(megabytes)s MB. Split it into smaller files of at "
                "most %(rows)s rows and check each one."
            )
            % {
                "megabytes": MAX_FILE_BYTES // 1_000_000,
                "rows": number_format(MAX_ROWS, force_grouping=True),
            },
            code="too_large",
        )
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        return list(_rows_of(text))
    except UnicodeDecodeError as error:
        raise CheckFileProblem(
            _(
                "We could not read this file as text. Please save it from your spreadsheet as "
                "“CSV UTF-8 (comma delimited)” and upload it again."
            ),
            code="not_text",
        ) from error
    finally:
        text.detach()


def _not_csv() -> CheckFileProblem:
    return CheckFileProblem(
        _(
            "This does not look like a CSV file. Please save it from your spreadsheet as "
            "“CSV UTF-8 (comma delimited)” and upload it again."
        ),
        code="not_text",
    )


def _rows_of(text: io.TextIOBase) -> Iterator[Row]:
    first_line = text.readline(MAX_FILE_BYTES + 1)
    if "\x00" in first_line:
        raise _not_csv()
    # ``chain``, not a generator with ``yield from``: closing that would close the file too.
    reader = csv.reader(chain([first_line], text), delimiter=_delimiter(first_line))
    header = None
    count = 0
    try:
        for cells in reader:
            if any("\x00" in cell for cell in cells):
                raise _not_csv()
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _columns(cells)
                continue
            count += 1
            if count > MAX_ROWS:
                raise CheckFileProblem(
                    _(
                        "This file has more than %(rows)s rows of codes. Split it into files of "
                        "at most %(rows)s rows and check each one."
                    )
                    % {"rows": number_format(MAX_ROWS, force_grouping=True)},
                    code="too_many_rows",
                )
            code_at, name_at = header
            code = _clean_cell(cells[code_at]) if code_at < len(cells) else ""
            name = None
            if name_at is not None:
                name = _clean_cell(cells[name_at])[:MAX_NAME_CHARS] if name_at < len(cells) else ""
            yield Row(line=reader.line_num, code=code[: MAX_CODE_CHARS + 1], name=name)
    except csv.Error as error:
        raise CheckFileProblem(
            _(
                "Line %(line)s of the file could not be read as CSV (a cell may be far too long "
                "or a quote left open). Please check the file and upload it again."
            )
            % {"line": reader.line_num},
            code="not_csv",
        ) from error
    if header is None:
        raise CheckFileProblem(
            _("This file is empty. Add a first row with “code” and one code on each row below."),
            code="empty",
        )
    if count == 0:
        raise CheckFileProblem(
            _("This file has a header row but no codes below it. Add one code on each row."),
            code="no_rows",
        )


# Carrying rows to the download ------------------------------------------------------------------


def rows_to_text(rows: Iterable[Row]) -> str:
    """Rows as compact JSON, to post back for the CSV download (see the check view)."""
    return json.dumps(
        [[row.line, row.code, row.name] for row in rows], ensure_ascii=False, separators=(",", ":")
    )


def _is_text(value) -> bool:
    """A string that can be written out as UTF-8: a JSON escape such as "\\ud800" can carry
    half of a surrogate pair, which no page or CSV file can hold."""
    return isinstance(value, str) and not any("\ud800" <= char <= "\udfff" for char in value)


def rows_from_text(text: str) -> list[Row]:
    """The rows posted back by the results page, checked again against every bound (the text
    comes from the browser, so it is treated like any upload)."""
    problem = CheckFileProblem(
        _("We could not read these results again. Please upload your file again."),
        code="bad_rows",
    )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError: "[[[[..." nested deep
        raise problem from error
    if not isinstance(data, list) or not 0 < len(data) <= MAX_ROWS:
        raise problem
    rows = []
    for item in data:
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], int)
            and _is_text(item[1])
            and len(item[1]) <= MAX_CODE_CHARS + 1
            and (item[2] is None or (_is_text(item[2]) and len(item[2]) <= MAX_NAME_CHARS))
        ):
            raise problem
        name = None if item[2] is None else _clean_cell(item[2])
        rows.append(Row(line=item[0], code=_clean_cell(item[1]), name=name))
    return rows


# Deciding results -------------------------------------------------------------------------------


def code_of(text: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one (too long to look at)."""
    if len(text) > MAX_CODE_CHARS:
        return None
    return normalize_code(text)


_LETTERS_NFKD_KEEPS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def normalize_name(text: str) -> str:
    """A name reduced to what makes it a name: letters and digits only, without case or
    accents. ``"  José  O'Brien-Smith "`` and ``"jose obriensmith"`` are the same."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in without_marks.translate(_LETTERS_NFKD_KEEPS) if char.isalnum())


def names_match(given: str, printed: str) -> bool:
    return normalize_name(given) == normalize_name(printed)


def result_of(found: Found | None, *, code_ok: bool, today: datetime.date) -> str:
    if not code_ok:
        return INVALID
    if found is None:
        return NOT_FOUND
    shown = lifecycle.shown_status(stored=found.status, expires_on=found.expires_on, today=today)
    return _RESULT_OF_STATUS[shown]


def check(rows: list[Row], found: dict[str, Found], *, today: datetime.date) -> list[Checked]:
    """Each row's result, given what the lookup found by stored code."""
    checked = []
    for row in rows:
        code = code_of(row.code)
        hit = found.get(code) if code else None
        name_check = None
        if hit is not None and row.name:
            name_check = (
                NAME_MATCHES if names_match(row.name, hit.name_as_printed) else NAME_DIFFERS
            )
        checked.append(
            Checked(
                row=row,
                result=result_of(hit, code_ok=code is not None, today=today),
                found=hit,
                name_check=name_check,
            )
        )
    return checked


def codes_to_look_up(rows: Iterable[Row]) -> list[str]:
    """The distinct stored codes worth a lookup, in first-seen order."""
    return list(dict.fromkeys(code for row in rows if (code := code_of(row.code))))


def chunks(items: list[str], size: int = LOOKUP_CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def summary(checked: list[Checked]) -> list[tuple[str, int]]:
    """How many rows had each result, in the order of ``RESULT_LABELS``, leaving out zeros."""
    counts = Counter(item.result for item in checked)
    return [(str(label), counts[kind]) for kind, label in RESULT_LABELS.items() if counts[kind]]


# Writing results ------------------------------------------------------------------------------


def csv_header() -> list[str]:
    return [
        _("Row"),
        _("Code as typed"),
        _("Result"),
        _("Credential"),
        _("Name as printed"),
        _("Expires"),
        _("Name given"),
        _("Name check"),
    ]


def csv_rows(checked: list[Checked]) -> Iterator[list[str]]:
    """One line per row checked, as plain text; dates are ISO (YYYY-MM-DD). The writer must
    still make each cell safe for spreadsheets, since codes and names are as typed."""
    for item in checked:
        found = item.found
        if item.name_differs:
            name_check = _("Name does not match")
        elif item.name_check == NAME_MATCHES:
            name_check = _("Matches")
        else:
            name_check = ""
        yield [
            str(item.row.line),
            item.row.code_shown,
            item.result_label,
            found.title if found else "",
            found.name_as_printed if found else "",
            found.expires_on.isoformat() if found and found.expires_on else "",
            item.row.name or "",
            name_check,
        ]


# The roster -----------------------------------------------------------------------------------


def expiry_in_words(*, expires_on: datetime.date, today: datetime.date) -> str:
    days = (expires_on - today).days
    if days > 0:
        return ngettext("Expires in %(days)d day", "Expires in %(days)d days", days) % {
            "days": days
        }
    if days == 0:
        return _("Expires today")
    return ngettext("Expired %(days)d day ago", "Expired %(days)d days ago", -days) % {
        "days": -days
    }
