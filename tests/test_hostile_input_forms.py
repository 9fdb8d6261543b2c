"""Hostile input against the forms people and strangers fill in: the verification form and
``/verify/<code>/``, the hours entry, the profile, the attestation, the credential check
(``/verify/credential/``) and the organization's CSV check with its download.

Whatever is sent: no server error, a plain message where the input is refused, and anything
stored that holds markup is printed escaped on the page that shows it."""

import csv
import datetime
import io
import json
import re
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from certificates import services as certificate_services
from certificates.models import AttestationSignature, CertificateTemplate
from certificates.models.templates import PLACEHOLDERS, validate_placeholders
from courses.domains import ensure_icrc_domains
from courses.models import Domain
from hours import services as hour_services
from hours.models import HourEntry
from tests.factories import PASSWORD, QualificationFactory

from .certificates.builders import make_program

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("stored")</script>'
PAYLOADS = [
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "</textarea><script>alert(2)</script>",
    "' onmouseover='alert(3)",
    "\x00",
    "nul\x00inside",
    "\u202eevil\u202c",
    "\r\nSet-Cookie: injected=1",
    "\x1b[31m\x07\x08",
    "{{ request.user.password }}",
    "{% load static %}",
    "%(legal_name)s %s {0}",
    "'; DROP TABLE accounts_user; --",
    '=HYPERLINK("http://x")',
    "javascript:alert(1)",
    "\ufeff\u200b\u2028\u2029",
    "A" * 5_000,
    "ABCD-EFHJ-KMNP-QRTU-VWXY-3478-9ABC",
    "abcd efhj kmnp qrtu vwxy 3478 9abc",
]
# Text a browser can send: any Unicode except lone surrogates (UTF-8 cannot carry them).
form_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"])),
    st.builds(lambda a, b: a + SCRIPT + b, st.text(max_size=20), st.text(max_size=20)),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | form_text,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(form_text, children, max_size=5)
    ),
    max_leaves=30,
)
# Bounded so the file runs in well under a minute; no example database is written into the
# shared checkout (a failure prints its example, which is enough to reproduce it).
BOUNDED = settings(
    database=None,
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def browser(settings):
    """A client that returns a 500 page instead of raising, as a real browser would see it,
    with the verification rate limit out of the way."""
    settings.VERIFY_RATE_LIMIT = 1_000_000
    return Client(raise_request_exception=False)


def assert_answered(response, *allowed):
    assert response.status_code < 500, response.content[:500]
    if allowed:
        assert response.status_code in allowed, response.status_code


def assert_shown_escaped(page: str, value: str) -> None:
    """No planted tag runs, and a value that could open a tag is not printed raw. (Short
    values such as "<p" are left out: the page's own markup contains them.)"""
    assert not re.search(r"<script>alert\(", page)
    assert "<img src=x onerror" not in page
    if len(value) >= 8 and re.search(r"<[A-Za-z/!?]", value):
        assert value not in page


ERROR = re.compile(r'class="errorlist|role="alert"|class="[^"]*error')


# Verification ---------------------------------------------------------------------------------


@BOUNDED
@given(code=form_text)
def test_the_verification_form_answers_any_text(browser, code):
    response = browser.get(reverse("verify"), {"code": code})
    assert_answered(response, 200, 302)
    if response.status_code == 200:
        page = response.content.decode()
        assert ERROR.search(page)  # refused with a message
        assert_shown_escaped(page, code)
    else:  # well formed: sent to its record, which does not exist
        assert response.url.startswith("/verify/")
        assert_answered(browser.get(response.url), 404)


@BOUNDED
@given(code=form_text)
def test_a_verification_address_answers_any_code(browser, code):
    response = browser.get("/verify/" + quote(code, safe="") + "/")
    assert_answered(response, 301, 302, 404)
    if response.status_code == 404:
        assert_shown_escaped(response.content.decode(), code)
    status = browser.get("/verify/" + quote(code, safe="") + "/status.json")
    assert_answered(status, 301, 302, 404)


# Hours entry ----------------------------------------------------------------------------------


@pytest.fixture
def trainee_browser(browser, world):
    ensure_icrc_domains()
    browser.force_login(world.trainee)
    return browser


def entry_data(**changes) -> dict:
    data = {
        "ledger": "practice",
        "supervision_format": "",
        "date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "minutes": "60",
        "domain": str(Domain.objects.get(code="advocacy").pk),
        "activity": "one_to_one",
        "setting": "detox",
        "delivery": "in_person",
        "description": "Support after an admission.",
        "names_confirmed": "on",
    }
    data.update(changes)
    return data


@BOUNDED
@given(
    description=form_text,
    other=st.dictionaries(
        st.sampled_from(["ledger", "date", "minutes", "domain", "activity", "setting"]),
        form_text,
        max_size=2,
    ),
)
def test_the_hours_form_refuses_or_stores_and_shows_escaped(trainee_browser, description, other):
    before = HourEntry.objects.count()
    response = trainee_browser.post(
        reverse("hours_new"), entry_data(description=description, **other)
    )
    assert_answered(response, 200, 302)
    if response.status_code == 200:
        page = response.content.decode()
        assert ERROR.search(page)
        assert_shown_escaped(page, description)
        assert HourEntry.objects.count() == before
    else:
        entry = HourEntry.objects.latest("pk")
        assert entry.description == description.strip()
        edit = trainee_browser.get(reverse("hours_edit", args=[entry.pk]))
        assert_answered(edit, 200)
        assert_shown_escaped(edit.content.decode(), entry.description)


def test_a_description_with_a_script_is_stored_as_text_and_shown_escaped(trainee_browser, world):
    QualificationFactory(user=world.supervisor)
    response = trainee_browser.post(reverse("hours_new"), entry_data(description=SCRIPT))
    assert response.status_code == 302
    entry = HourEntry.objects.get()
    assert entry.description == SCRIPT
    escaped = "&lt;script&gt;alert(&quot;stored&quot;)&lt;/script&gt;"
    page = trainee_browser.get(reverse("hours_edit", args=[entry.pk])).content.decode()
    assert escaped in page
    assert_shown_escaped(page, SCRIPT)
    hour_services.entries_submit(
        trainee=world.trainee, entries=[entry], supervisor=world.supervisor
    )
    supervisor = Client()
    supervisor.post(
        reverse("account_login"), {"login": world.supervisor.email, "password": PASSWORD}
    )
    supervisor.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    queue = supervisor.get(reverse("hours_review")).content.decode()
    assert escaped in queue
    assert_shown_escaped(queue, SCRIPT)


# Profile --------------------------------------------------------------------------------------


@BOUNDED
@given(legal_name=form_text, preferred_name=form_text)
def test_the_profile_refuses_or_stores_and_shows_escaped(
    browser, world, legal_name, preferred_name
):
    browser.force_login(world.trainee)
    response = browser.post(
        reverse("profile"), {"legal_name": legal_name, "preferred_name": preferred_name}
    )
    assert_answered(response, 200, 302)
    user = User.objects.get(pk=world.trainee.pk)
    if response.status_code == 200:
        assert ERROR.search(response.content.decode())
        assert_shown_escaped(response.content.decode(), legal_name)
    else:
        assert user.legal_name == legal_name.strip()
    for url in (reverse("profile"), reverse("dashboard"), reverse("hours_index")):
        page = browser.get(url)
        assert_answered(page, 200)
        assert_shown_escaped(page.content.decode(), user.legal_name)
        assert_shown_escaped(page.content.decode(), user.preferred_name)


# Attestation ----------------------------------------------------------------------------------


@pytest.fixture
def attestation(world):
    version = make_program("hostile", attestations=[("pledge", "I will keep my boundaries.")])
    certificate_services.program_start(trainee=world.trainee, program=version.program)
    return reverse("attestation_sign", args=["hostile", "pledge"])


@BOUNDED
@given(legal_name=form_text, typed=form_text, same=st.booleans(), confirmed=st.booleans())
def test_the_attestation_refuses_or_signs_and_shows_escaped(
    browser, world, attestation, legal_name, typed, same, confirmed
):
    AttestationSignature.objects.filter(signer=world.trainee).delete()
    # A legal name as the profile form would have stored it (forms refuse NUL characters).
    legal_name = legal_name.replace("\x00", "")[:200]
    User.objects.filter(pk=world.trainee.pk).update(legal_name=legal_name)
    browser.force_login(User.objects.get(pk=world.trainee.pk))
    data = {"typed_name": legal_name if same else typed}
    if confirmed:
        data["confirmed"] = "on"
    response = browser.post(attestation, data)
    assert_answered(response, 200, 302)
    if response.status_code == 200:
        assert ERROR.search(response.content.decode())
        assert_shown_escaped(response.content.decode(), data["typed_name"])
    page = browser.get(attestation)
    assert_answered(page, 200)
    assert_shown_escaped(page.content.decode(), legal_name)
    program = browser.get(reverse("program_detail", args=["hostile"]))
    assert_answered(program, 200)
    assert_shown_escaped(program.content.decode(), legal_name)


# Credential check -----------------------------------------------------------------------------


def deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


pasted = st.one_of(
    form_text,
    json_values.map(json.dumps),
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False)),
    st.integers(min_value=50, max_value=20_000).map(deep),
    st.integers(min_value=50, max_value=20_000).map(lambda n: "[" * n + "]" * n),
    st.sampled_from(
        [
            '{"@context": ["https://www.w3.org/ns/credentials/v2"], "proof": {}}',
            '{"type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "\\ud800"}',
            '{"credentialStatus": {"statusListIndex": "-1"}}',
            '{"a": NaN}',
            "\ufeff{}",
        ]
    ),
)


@BOUNDED
@given(text=pasted, upload=st.one_of(st.none(), st.binary(max_size=3_000)))
def test_the_credential_check_answers_anything_pasted_or_uploaded(browser, text, upload):
    data = {"text": text}
    if upload is not None:
        data = {"upload": SimpleUploadedFile("credential.json", upload)}
    response = browser.post(reverse("credential_check"), data)
    assert_answered(response, 200)
    page = response.content.decode()
    assert_shown_escaped(page, text)


# Organization CSV check -----------------------------------------------------------------------


@pytest.fixture
def org_admin_browser(browser, world):
    browser.force_login(world.org_admin)
    return browser


def csv_bytes(rows, header) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


csv_files = st.one_of(
    st.binary(max_size=3_000),
    st.builds(
        csv_bytes,
        st.lists(st.lists(form_text, min_size=1, max_size=3), max_size=15),
        st.sampled_from([["code", "name"], ["CODE"], ["name"], ["<script>", "code"], []]),
    ),
)


@BOUNDED
@given(data=csv_files)
def test_the_organization_check_answers_any_file_and_shows_cells_escaped(
    org_admin_browser, world, data
):
    url = reverse("organization_credential_check", args=[world.org.slug])
    response = org_admin_browser.post(
        url, {"file": SimpleUploadedFile("codes.csv", data, content_type="text/csv")}
    )
    assert_answered(response, 200)
    page = response.content.decode()
    text = data.decode("utf-8", "replace")
    for cell in re.split(r"[\r\n,;\t]", text):
        assert_shown_escaped(page, cell)
    hidden = re.search(r'name="rows" value="([^"]*)"', page)
    if hidden:
        import html

        download = org_admin_browser.post(url, {"rows": html.unescape(hidden.group(1))})
        assert_answered(download, 200)
        assert download["Content-Type"].startswith("text/csv")


posted_rows = st.one_of(
    form_text,
    json_values.map(json.dumps),
    st.lists(
        st.tuples(st.integers(), form_text, st.one_of(st.none(), form_text)).map(list),
        min_size=1,
        max_size=10,
    ).map(json.dumps),
    st.sampled_from(
        [
            '[[1, "\\ud800", null]]',
            '[[1, "ABCD", "\\udfff"]]',
            '[[1, "\\u0000", "\\u0000"]]',
            '[[99999999999999999999999, "ABCD", null]]',
            "[" * 10_000,
        ]
    ),
)


@BOUNDED
@given(rows=posted_rows)
def test_the_results_download_answers_any_posted_rows(org_admin_browser, world, rows):
    url = reverse("organization_credential_check", args=[world.org.slug])
    response = org_admin_browser.post(url, {"rows": rows})
    assert_answered(response, 200)
    if response["Content-Type"].startswith("text/html"):
        page = response.content.decode()
        assert "We could not read these results again" in page or ERROR.search(page)
        assert_shown_escaped(page, rows)


# Certificate template placeholders (registrars write them; the PDF task fills them) ----------


@BOUNDED
@given(
    body=st.one_of(
        form_text,
        st.text(alphabet="{}:!<>^=0123456789.[]_ srnametitleissuedexpires", max_size=60),
        st.sampled_from(["{}", "{name!r}", "{name:>5000}", "{name.__class__}", "{0}"]),
    )
)
def test_a_certificate_template_body_is_refused_or_fills_plainly(body):
    values = {name: f"<{name}>" for name in PLACEHOLDERS}
    try:
        validate_placeholders(body)
    except ValidationError as error:
        assert error.messages and all(message.strip() for message in error.messages)
        return
    filled = CertificateTemplate(body=body).fill(values)
    # Each placeholder became its value, and nothing else grew.
    assert len(filled) <= len(body) + sum(len(value) for value in values.values()) * len(body)
    assert len(filled) < 10 * len(body) + 100
