"""The public check of a credential file: anyone pastes or uploads credential.json and is told
in plain words whether it is ours, unchanged and current, or exactly why not. Nothing is
stored."""

import copy
import io
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from certificates import lifecycle_services as life
from certificates import services
from certificates.models import Certificate
from certificates.openbadges import keys, proofs
from certificates.openbadges import services as openbadges

from .builders import make_program

URL = "/verify/credential/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world):
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    version = make_program("micro", title="Professional Boundaries in Peer Support")
    services.program_start(trainee=world.trainee, program=version.program)
    return Certificate.objects.get(holder=world.trainee)


@pytest.fixture
def credential(issued) -> dict:
    return openbadges.credential_sign(certificate_id=issued.pk)


def check(client, document=None, *, text=None, upload=None):
    data = {
        "text": text if text is not None else json.dumps(document, indent=2) if document else ""
    }
    if upload is not None:
        data["upload"] = upload
    response = client.post(URL, data)
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_is_public_and_not_indexed(client):
    response = client.get(reverse("credential_check"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<meta name="robots" content="noindex">' in page
    assert 'enctype="multipart/form-data"' in page
    assert "Paste the credential" in page


def test_a_genuine_credential_is_genuine_unchanged_and_active(client, issued, credential):
    page = check(client, credential)
    assert "Genuine and unchanged" in page
    assert "Its status today: active." in page
    assert "Jordan Rivera" in page and "Professional Boundaries in Peer Support" in page
    assert f'href="/verify/{issued.verification_code}/"' in page
    assert credential["proof"]["proofValue"] not in page  # the form is ready for another file


def test_an_uploaded_file_works_the_same(client, credential):
    upload = SimpleUploadedFile(
        "credential.json", openbadges.as_bytes(credential), content_type="application/json"
    )
    assert "Genuine and unchanged" in check(client, upload=upload)


@pytest.mark.parametrize(
    ("action", "kwargs", "says"),
    [
        (
            life.certificate_revoke,
            {"reason": "ethics", "note": "x"},
            "revoked. It no longer counts",
        ),
        (life.certificate_suspend, {"reason": "ethics", "note": "x"}, "suspended."),
        (life.certificate_reissue, {"legal_name": "Jordan A. Rivera"}, "replaced."),
    ],
    ids=["revoked", "suspended", "replaced"],
)
def test_the_status_is_todays(client, world, issued, credential, action, kwargs, says):
    action(registrar=world.registrar, certificate=issued, **kwargs)
    page = check(client, credential)
    assert "Genuine and unchanged" in page
    assert f"Its status today: {says}" in page


def test_an_expired_credential_says_so(client, issued, credential):
    Certificate.objects.filter(pk=issued.pk).update(
        expires_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    assert "Its status today: expired." in check(client, credential)


def test_one_changed_field_is_caught(client, credential):
    tampered = copy.deepcopy(credential)
    tampered["credentialSubject"]["identifier"][1]["identityHash"] = "Someone Else"
    page = check(client, tampered)
    assert "has been changed since it was signed" in page
    assert "Genuine and unchanged" not in page


@pytest.fixture
def own_keys(settings, tmp_path):
    """Keys of this test's own, so rotating them changes no other test."""
    settings.ISSUER_KEYS_FILE = tmp_path / "issuer-keys.json"


def test_a_credential_signed_with_an_earlier_key_still_counts(client, own_keys, credential):
    call_command("rotate_issuer_key", stdout=io.StringIO())
    page = check(client, credential)
    assert "Genuine and unchanged" in page
    assert "signed with an earlier key of ours" in page


def _without_proof(document):
    return {key: value for key, value in document.items() if key != "proof"}


def _signed_elsewhere(document):
    stranger = keys.new_key(now=timezone.now())
    return proofs.sign(
        {
            **_without_proof(document),
            "issuer": {**document["issuer"], "id": "did:web:elsewhere.example"},
        },
        private_key=stranger.private_key,
        verification_method="did:web:elsewhere.example#key-1",
        created=timezone.now(),
    )


def _unknown_context(document):
    return {**document, "@context": [*document["@context"], "https://example.org/extra.json"]}


def _another_code(document):
    return {
        **document,
        "id": "http://testserver/verify/ABCDEFHJKMNPQRTUVWXY34789ABC/credential.json",
    }


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda document: {"hello": "world"}, "This is not a digital credential"),
        (lambda document: [document], "This is not a digital credential"),
        (_without_proof, "has no digital signature"),
        (_signed_elsewhere, "was signed by someone else, not by Alongside"),
        (_unknown_context, "uses a vocabulary (a JSON-LD context) that our credentials never use"),
        (_another_code, "Alongside has no record of this credential"),
    ],
    ids=["not-a-credential", "a-list", "unsigned", "someone-else", "unknown-context", "unknown-id"],
)
def test_what_is_not_ours_is_refused_with_the_reason(client, credential, make, says):
    page = check(client, make(credential))
    assert says in page
    assert "Genuine and unchanged" not in page


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("this is not json", "This is not JSON"),
        ('{"@context": ', "This is not JSON"),
        ("[" * 100_000, "too large"),
        ("x" * 100 * 1024, "too large"),
        ("", "Paste the credential, or choose its file."),
    ],
    ids=["words", "cut-short", "deep", "100-kb", "empty"],
)
def test_text_that_cannot_be_a_credential_gets_a_plain_answer(client, text, says):
    page = check(client, text=text)
    assert says in page


def test_deep_nesting_within_the_limit_is_not_json_rather_than_an_error(client):
    assert "This is not JSON" in check(client, text="[" * 30_000 + "]" * 30_000)


def test_binary_and_oversized_files_are_refused(client):
    binary = SimpleUploadedFile("photo.json", bytes(range(256)) * 8, content_type="image/jpeg")
    assert "This file is not text" in check(client, upload=binary)
    large = SimpleUploadedFile(
        "credential.json", b" " * (65 * 1024), content_type="application/json"
    )
    assert "too large" in check(client, upload=large)


def test_what_was_typed_is_kept_on_error(client):
    page = check(client, text='{"name": "my credential"')
    assert "This is not JSON" in page
    assert "{&quot;name&quot;: &quot;my credential&quot;" in page


def _row_counts() -> dict:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }


def test_nothing_is_stored(client, world, credential):
    client.get(URL)  # the site's settings row is made when the first page is ever served
    before = _row_counts()
    check(client, credential)
    tampered = copy.deepcopy(credential)
    tampered["name"] = "Changed"
    check(client, tampered)
    check(client, text="junk")
    assert _row_counts() == before
