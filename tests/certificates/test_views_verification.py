"""The public verification page and its JSON: every status, what is never shown, tolerant
codes, unknown codes, search engines kept out, rate limits and the query budget."""

import datetime
import json

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from certificates import lifecycle_services as life
from certificates import services
from certificates.codes import format_code
from certificates.models import Certificate

from .builders import make_program

START = datetime.datetime(2026, 1, 15, 10, tzinfo=datetime.UTC)
RECORD_SECRETS = ("Hours", "hours", "Complaint received", "score", "recovery", "@")


@pytest.fixture
def issued(world):
    world.trainee.legal_name = "Jordan Álvarez Rivera"
    world.trainee.save(update_fields=["legal_name"])
    with time_machine.travel(START, tick=False):
        version = make_program("micro", title="Professional Boundaries", validity_days=730)
        services.program_start(trainee=world.trainee, program=version.program)
    return Certificate.objects.get(holder=world.trainee)


def page(client, certificate, **kwargs):
    return client.get(reverse("verify_record", args=[certificate.verification_code]), **kwargs)


def status_json(client, certificate):
    response = client.get(reverse("verify_status", args=[certificate.verification_code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def visible_text(response) -> str:
    content = response.content.decode()
    return content[content.index("<main") : content.index("</main>")]


@time_machine.travel(START + datetime.timedelta(days=10), tick=False)
def test_an_active_credential_shows_as_valid_with_only_the_public_facts(client, issued):
    response = page(client, issued)
    assert response.status_code == 200
    text = visible_text(response)
    assert "Valid" in text and "Not valid" not in text
    for shown in (
        "Jordan Álvarez Rivera",
        "Professional Boundaries",
        issued.number,
        format_code(issued.verification_code),
        "Jan. 15, 2026",
        "Jan. 15, 2028",
    ):
        assert shown in text
    for secret in RECORD_SECRETS:
        assert secret not in text, secret
    assert issued.holder.email not in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "no-cache" in response["Cache-Control"] and "private" in response["Cache-Control"]

    data = status_json(client, issued)
    assert data["format"] == "alongside-verification/1"
    assert (data["valid"], data["status"], data["status_label"]) == (True, "active", "Active")
    assert data["holder_name"] == "Jordan Álvarez Rivera"
    assert data["credential"]["title"] == "Professional Boundaries"
    assert (data["issued_on"], data["expires_on"]) == ("2026-01-15", "2028-01-15")
    assert data["status_reason"] is None and data["replaced_by"] is None
    assert data["code"] == format_code(issued.verification_code)
    assert data["url"].endswith(f"/verify/{issued.verification_code}/")
    assert [row["issue"] for row in data["history"]] == ["initial"]
    flat = json.dumps(data)
    assert "snapshot" not in flat and issued.holder.email not in flat and "hours" not in flat


@pytest.mark.parametrize(
    ("days_later", "status", "valid", "words"),
    [
        (700, "expiring", True, "It expires soon, on Jan. 15, 2028."),
        (731, "expired", False, "This credential expired on Jan. 15, 2028."),
    ],
)
def test_the_calendar_decides_expiring_and_expired(
    client, issued, days_later, status, valid, words
):
    with time_machine.travel(START + datetime.timedelta(days=days_later), tick=False):
        response = page(client, issued)
        data = status_json(client, issued)
    assert words in visible_text(response)
    assert (data["status"], data["valid"]) == (status, valid)


def test_suspended_and_revoked_show_the_reason_category_never_the_note(client, world, issued):
    life.certificate_suspend(
        registrar=world.registrar, certificate=issued, reason="ethics", note="Complaint received"
    )
    text = visible_text(page(client, issued))
    assert "Not valid" in text and "has been suspended since" in text
    assert "Reason: Ethics or conduct review." in text and "Complaint received" not in text
    data = status_json(client, issued)
    assert (data["status"], data["valid"]) == ("suspended", False)
    assert data["status_reason"] == {"code": "ethics", "label": "Ethics or conduct review"}
    assert "Complaint received" not in json.dumps(data)

    issued.refresh_from_db()
    life.certificate_lift_suspension(registrar=world.registrar, certificate=issued, note="Cleared")
    assert status_json(client, issued)["status"] == "active"

    issued.refresh_from_db()
    life.certificate_revoke(
        registrar=world.registrar,
        certificate=issued,
        reason="issued_in_error",
        note="Wrong person",
    )
    text = visible_text(page(client, issued))
    assert "This credential was revoked on" in text and "Reason: Issued in error." in text
    data = status_json(client, issued)
    assert (data["status"], data["valid"]) == ("revoked", False)
    assert data["status_reason"]["code"] == "issued_in_error"


def test_a_replaced_certificate_links_to_the_current_one_with_its_history(client, world, issued):
    new = life.certificate_reissue(
        registrar=world.registrar, certificate=issued, legal_name="Jordan Alvarez-Rivera"
    )
    response = page(client, issued)
    text = visible_text(response)
    assert "This certificate was replaced by a newer one" in text
    assert reverse("verify_record", args=[new.verification_code]) in text
    assert "History of this credential" in text and "Re-issue" in text
    data = status_json(client, issued)
    assert (data["status"], data["valid"]) == ("superseded", False)
    assert data["replaced_by"]["code"] == format_code(new.verification_code)
    assert [(row["issue"], row["this_one"]) for row in data["history"]] == [
        ("initial", True),
        ("reissue", False),
    ]
    current = status_json(client, new)
    assert (current["valid"], current["holder_name"]) == (True, "Jordan Alvarez-Rivera")
    assert current["replaced_by"] is None
    assert [row["this_one"] for row in current["history"]] == [False, True]


@pytest.mark.parametrize(
    "typed",
    [
        "{code_display}",
        "{code_lower}",
        "  {code_spaced}  ",
    ],
    ids=["dashes", "lower-case", "spaces"],
)
def test_the_form_accepts_a_code_typed_any_way(client, issued, typed):
    code = issued.verification_code
    typed = typed.format(
        code_display=format_code(code),
        code_lower=code.lower(),
        code_spaced=format_code(code).replace("-", " "),
    )
    response = client.get(reverse("verify"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify_record", args=[code])


def test_a_code_typed_into_the_address_goes_to_the_canonical_address(client, issued):
    response = client.get(reverse("verify_record", args=[format_code(issued.verification_code)]))
    assert response.status_code == 302
    assert response["Location"] == reverse("verify_record", args=[issued.verification_code])


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Type the verification code from the certificate."),
        ("ABCD-1234", "That is not a verification code."),
        ("O" * 28, "That is not a verification code."),
        ("A" * 100_000, "That is longer than a verification code."),
        ("<script>alert(1)</script>", "That is not a verification code."),
    ],
    ids=["empty", "short", "look-alike", "100-KB", "script"],
)
def test_a_malformed_code_keeps_the_form_with_a_message(db, client, typed, message):
    response = client.get(reverse("verify"), {"code": typed})
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert "<script>alert(1)</script>" not in content
    if typed == "<script>alert(1)</script>":
        assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in content
    elif 0 < len(typed) < 50:
        assert f'value="{typed}"' in content


@pytest.mark.parametrize(
    "code",
    ["ABCDEFHJKMNPQRTUVWXY34789ABC", "not-a-code", "A" * 100_000],
    ids=["well-formed-unknown", "malformed", "100-KB"],
)
def test_an_unknown_code_is_a_404_with_help(db, client, code):
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    text = visible_text(response)
    assert "No credential has this code" in text
    assert "never uses the letters O, I, L, S, G or Z" in text
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    data = client.get(f"/verify/{code}/status.json")
    assert data.status_code == 404
    assert data.json()["error"] == "not_found"


def test_the_page_and_json_run_in_at_most_three_queries_however_long_the_history(
    client, world, issued, django_assert_max_num_queries
):
    certificate = issued
    for _ in range(5):
        certificate = life.certificate_reissue(
            registrar=world.registrar, certificate=certificate, legal_name="Jordan Rivera"
        )
    page(client, issued)  # the site's settings row is created on the first page ever served
    for target in (issued, certificate):
        with django_assert_max_num_queries(3):
            assert page(client, target).status_code == 200
        with django_assert_max_num_queries(2):
            assert len(status_json(client, target)["history"]) == 6


def test_a_credential_issued_once_is_read_in_one_query(
    client, issued, django_assert_max_num_queries
):
    page(client, issued)
    with django_assert_max_num_queries(1):
        assert status_json(client, issued)["valid"] is True
    with django_assert_max_num_queries(0):
        assert "Valid" in visible_text(page(client, issued))


def test_a_cached_page_changes_with_the_next_day(client, issued):
    with time_machine.travel(START + datetime.timedelta(days=639), tick=False):
        assert "It expires soon" not in visible_text(page(client, issued))
    with time_machine.travel(START + datetime.timedelta(days=640), tick=False):
        assert "It expires soon" in visible_text(page(client, issued))


@override_settings(VERIFY_RATE_LIMIT=3)
def test_a_client_over_the_limit_is_told_to_wait_and_others_are_not(client, issued):
    for _ in range(3):
        assert page(client, issued).status_code == 200
    refused = page(client, issued)
    assert refused.status_code == 429
    assert "Please wait a minute" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
    refused_json = client.get(reverse("verify_status", args=[issued.verification_code]))
    assert refused_json.status_code == 429 and refused_json.json()["error"] == "rate_limited"
    assert client.get(reverse("verify")).status_code == 429

    assert page(client, issued, REMOTE_ADDR="192.0.2.7").status_code == 200


@override_settings(VERIFY_RATE_LIMIT=2)
def test_the_limit_resets_the_next_minute(client, issued):
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 0, 5, tzinfo=datetime.UTC)):
        assert page(client, issued).status_code == 200
        assert page(client, issued).status_code == 200
        assert page(client, issued).status_code == 429
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, 1, 5, tzinfo=datetime.UTC)):
        assert page(client, issued).status_code == 200


def test_only_get_is_answered(client, issued):
    response = client.post(reverse("verify_record", args=[issued.verification_code]))
    assert response.status_code == 405


@override_settings(VERIFY_RATE_LIMIT=2)
def test_the_signed_credential_and_the_check_page_share_the_limit(client, issued):
    credential = reverse("credential_public", args=[issued.verification_code])
    assert client.get(credential).status_code == 200
    assert client.get(reverse("credential_check")).status_code == 200
    refused = client.get(credential)
    assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
    assert client.post(reverse("credential_check"), {"text": "{}"}).status_code == 429
