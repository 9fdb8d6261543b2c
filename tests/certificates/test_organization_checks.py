"""The bulk check's pure parts: reading a file within bounds, comparing names, deciding results
and saying how far an expiry is. No database."""

import datetime
import io
import json

import pytest

from certificates import organization_checks as checks
from certificates.codes import format_code

TODAY = datetime.date(2026, 6, 15)
CODE = "ABCDEFHJKMNPQRTUVWXY34789ABC"


def read(data: bytes) -> list[checks.Row]:
    return checks.read_rows(io.BytesIO(data), size=len(data))


def problem(data: bytes) -> checks.CheckFileProblem:
    with pytest.raises(checks.CheckFileProblem) as caught:
        read(data)
    return caught.value


# Names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "printed", "match"),
    [
        ("Jordan Rivera", "Jordan Rivera", True),
        ("jordan rivera", "Jordan Rivera", True),
        ("  Jordan   Rivera ", "Jordan Rivera", True),
        ("José Núñez", "Jose Nunez", True),
        ("JOSÉ NÚÑEZ", "josé núñez", True),
        ("Jose\u0301 Nun\u0303ez", "José Núñez", True),  # decomposed accents
        ("O'Brien", "OBrien", True),
        ("O’Brien, Mary-Jane", "obrien mary jane", True),
        ("Dr. J.R. Smith", "Dr JR Smith", True),
        ("Søren Ærø", "Soren Aero", True),
        ("Łukasz", "Lukasz", True),
        ("Straße", "Strasse", True),
        ("Ｊｏｒｄａｎ", "Jordan", True),  # full-width letters
        ("Jordan Rivera", "Jordan Riviera", False),
        ("Jordan", "Jordan Rivera", False),
        ("Casey Morgan", "Jordan Rivera", False),
        ("李小龍", "李小龍", True),
        ("李小龍", "李小龙", False),
        ("", "Jordan Rivera", False),
    ],
)
def test_names_match_ignoring_case_accents_spaces_and_punctuation(given, printed, match):
    assert checks.names_match(given, printed) is match


def test_normalize_name_keeps_letters_and_digits_only():
    assert checks.normalize_name("  José  O'Brien-Smith III ") == "joseobriensmithiii"
    assert checks.normalize_name('=HYPERLINK("x")') == "hyperlinkx"


# Reading files ---------------------------------------------------------------------------------


def test_reads_code_and_name_columns_with_any_case_and_spaces_in_the_header():
    rows = read(f" Name ,CODE ,notes\nJordan Rivera, {format_code(CODE)} ,x\n".encode())
    assert rows == [checks.Row(line=2, code=format_code(CODE), name="Jordan Rivera")]


def test_the_name_column_is_optional_and_blank_rows_are_skipped():
    rows = read(f"code\n\n{CODE}\n ,\n{CODE.lower()}\r\n".encode())
    assert [(row.line, row.code, row.name) for row in rows] == [
        (3, CODE, None),
        (5, CODE.lower(), None),
    ]


def test_a_byte_order_mark_and_semicolons_are_understood():
    rows = read(f"\ufeffcode;name\n{CODE};Núñez, José\n".encode())
    assert rows == [checks.Row(line=2, code=CODE, name="Núñez, José")]


def test_tabs_are_understood():
    assert read(f"code\tname\n{CODE}\tJordan\n".encode())[0].name == "Jordan"


def test_a_short_row_has_empty_cells():
    assert read(b"name,code\nJordan\n") == [checks.Row(line=2, code="", name="Jordan")]


def test_quoted_cells_with_line_breaks_count_lines_of_the_file():
    rows = read(f'code,name\n{CODE},"Jordan\nRivera"\n{CODE},Casey\n'.encode())
    assert [(row.line, row.name) for row in rows] == [(3, "Jordan Rivera"), (4, "Casey")]


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "empty", "This file is empty"),
        (b"\n\n  \n", "empty", "This file is empty"),
        (b"code,name\n", "no_rows", "no codes below it"),
        (b"codes,person\nX,Y\n", "columns", "We found: \u201ccodes\u201d, \u201cperson\u201d."),
        (b"name\nJordan\n", "columns", "\u201ccode\u201d (needed) and \u201cname\u201d (optional)"),
        (b"code,Code\nX,Y\n", "duplicate_column", "appears more than once"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not_text", "could not read this file"),
        (bytes(range(256)) * 40, "not_text", "CSV UTF-8"),
        (b"code\nAB\x00CD\n", "not_text", "does not look like a CSV file"),
        ("code,name\nX,José\n".encode("cp1252"), "not_text", "CSV UTF-8"),
        (b'code\n"open quote\n' + b"x" * 200_000, "not_csv", "could not be read as CSV"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "wrong-columns",
        "no-code-column",
        "duplicate-column",
        "png",
        "binary-junk",
        "nul-bytes",
        "windows-1252",
        "runaway-quote",
    ],
)
def test_bad_files_are_refused_in_plain_words(data, code, words):
    refused = problem(data)
    assert refused.code == code
    assert words in refused.message


def test_a_huge_wrong_header_is_not_echoed_whole():
    refused = problem(("x" * 100_000 + "," + ",".join(f"c{n}" for n in range(20)) + "\n").encode())
    assert refused.code == "columns"
    assert len(refused.message) < 600
    assert "“" + "x" * 40 + "…”" in refused.message and refused.message.endswith(", ….")


def test_a_header_that_is_a_code_gets_a_hint():
    refused = problem(f"{format_code(CODE)}\n{CODE}\n".encode())
    assert refused.code == "columns"
    assert "The first row looks like a code." in refused.message


def test_a_file_over_the_size_cap_is_refused_before_reading():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read")

        read1 = readinto = read

    with pytest.raises(checks.CheckFileProblem, match="larger than 1 MB") as caught:
        checks.read_rows(Unreadable(), size=checks.MAX_FILE_BYTES + 1)
    assert caught.value.code == "too_large"


def test_reading_stops_at_the_first_row_over_the_cap():
    served = []

    class Counting(io.BytesIO):
        def read1(self, size=-1):
            chunk = super().read1(size)
            served.append(len(chunk))
            return chunk

    data = ("code\n" + f"{CODE}\n" * 20_000).encode()
    with pytest.raises(checks.CheckFileProblem, match="more than 5,000 rows") as caught:
        checks.read_rows(Counting(data), size=len(data))
    assert caught.value.code == "too_many_rows"
    assert sum(served) < len(data) / 2


def test_exactly_the_cap_is_accepted():
    data = ("code\n" + f"{CODE}\n" * checks.MAX_ROWS).encode()
    assert len(read(data)) == checks.MAX_ROWS


def test_long_cells_are_bounded():
    long_code = "A" * 100_000
    rows = read(f"code,name\n{long_code},{'N' * 500}\n".encode())
    assert len(rows[0].code) == checks.MAX_CODE_CHARS + 1
    assert rows[0].code_shown == "A" * checks.MAX_CODE_CHARS + "…"
    assert len(rows[0].name) == checks.MAX_NAME_CHARS


def test_control_characters_in_cells_become_spaces():
    rows = read(b'code,name\n"\tX\x07",Jordan\x0bRivera\n')
    assert rows[0].code == "X" and rows[0].name == "Jordan Rivera"


# Results ---------------------------------------------------------------------------------------


def found(status="active", expires_on=datetime.date(2027, 1, 1), name="Jordan Rivera"):
    return checks.Found(
        title="Peer credential", name_as_printed=name, expires_on=expires_on, status=status
    )


@pytest.mark.parametrize(
    ("hit", "code_ok", "result"),
    [
        (found(), True, checks.VALID),
        (found(expires_on=None), True, checks.VALID),
        (found(expires_on=TODAY + datetime.timedelta(days=90)), True, checks.EXPIRING),
        (found(expires_on=TODAY), True, checks.EXPIRING),
        (found(expires_on=TODAY - datetime.timedelta(days=1)), True, checks.EXPIRED),
        (found(status="suspended"), True, checks.SUSPENDED),
        (found(status="revoked"), True, checks.REVOKED),
        (found(status="superseded"), True, checks.REPLACED),
        (found(status="revoked", expires_on=datetime.date(2020, 1, 1)), True, checks.REVOKED),
        (None, True, checks.NOT_FOUND),
        (None, False, checks.INVALID),
    ],
)
def test_result_of(hit, code_ok, result):
    assert checks.result_of(hit, code_ok=code_ok, today=TODAY) == result


def test_check_decides_each_row_and_compares_names_only_when_given_and_found():
    other = "HJKMNPQRTUVWXY34789ABCDEFHJK"
    rows = [
        checks.Row(line=2, code=format_code(CODE).lower(), name="JORDAN  rivera"),
        checks.Row(line=3, code=CODE, name="Casey Morgan"),
        checks.Row(line=4, code=CODE, name=""),
        checks.Row(line=5, code=CODE, name=None),
        checks.Row(line=6, code=other, name="Casey Morgan"),
        checks.Row(line=7, code="hello", name="Casey Morgan"),
        checks.Row(line=8, code="A" * 65, name=None),
    ]
    results = checks.check(rows, {CODE: found()}, today=TODAY)
    assert [(item.result, item.name_check) for item in results] == [
        (checks.VALID, checks.NAME_MATCHES),
        (checks.VALID, checks.NAME_DIFFERS),
        (checks.VALID, None),
        (checks.VALID, None),
        (checks.NOT_FOUND, None),
        (checks.INVALID, None),
        (checks.INVALID, None),
    ]
    assert results[1].name_differs and results[1].result_label == "Valid"
    assert checks.summary(results) == [("Valid", 4), ("Not found", 1), ("Not a valid code", 2)]


def test_only_codes_that_can_exist_are_looked_up_once_each():
    rows = [
        checks.Row(line=2, code=CODE, name=None),
        checks.Row(line=3, code=format_code(CODE), name=None),
        checks.Row(line=4, code="nonsense", name=None),
        checks.Row(line=5, code=" " * 30 + CODE + " " * 30, name=None),
    ]
    assert checks.codes_to_look_up(rows) == [CODE]
    assert checks.code_of("-".join([CODE[:14], CODE[14:]]) + " " * 40) is None  # over 64


def test_lookups_come_in_chunks_of_500():
    codes = [str(n) for n in range(1201)]
    assert [len(chunk) for chunk in checks.chunks(codes)] == [500, 500, 201]


def test_csv_rows_are_plain_text_with_iso_dates():
    rows = [
        checks.Row(line=2, code='=HYPERLINK("http://x")', name="Jordan"),
        checks.Row(line=3, code=CODE, name="Casey"),
    ]
    results = checks.check(rows, {CODE: found()}, today=TODAY)
    assert list(checks.csv_rows(results)) == [
        ["2", '=HYPERLINK("http://x")', "Not a valid code", "", "", "", "Jordan", ""],
        [
            "3",
            CODE,
            "Valid",
            "Peer credential",
            "Jordan Rivera",
            "2027-01-01",
            "Casey",
            "Name does not match",
        ],
    ]


# Carrying rows to the download -----------------------------------------------------------------


def test_rows_survive_the_round_trip():
    rows = [
        checks.Row(line=2, code=CODE, name='José "Joe" Núñez'),
        checks.Row(line=9, code="A" * 65, name=None),
    ]
    assert checks.rows_from_text(checks.rows_to_text(rows)) == rows


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "{}",
        "[]",
        json.dumps([[1, "x"]]),
        json.dumps([["1", "x", None]]),
        json.dumps([[1, "x" * 66, None]]),
        json.dumps([[1, "x", "n" * 201]]),
        json.dumps([[1, "x", 3]]),
        json.dumps([[1, "x", None]] * (checks.MAX_ROWS + 1)),
    ],
)
def test_tampered_rows_are_refused(text):
    with pytest.raises(checks.CheckFileProblem, match="upload your file again"):
        checks.rows_from_text(text)


# Expiry in words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (90, "Expires in 90 days"),
        (1, "Expires in 1 day"),
        (0, "Expires today"),
        (-1, "Expired 1 day ago"),
        (-400, "Expired 400 days ago"),
    ],
)
def test_expiry_in_words(days, words):
    expires_on = TODAY + datetime.timedelta(days=days)
    assert checks.expiry_in_words(expires_on=expires_on, today=TODAY) == words
