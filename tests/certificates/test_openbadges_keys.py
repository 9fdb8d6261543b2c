"""The issuer's keys and identity: did:web from SITE_URL, the DID document, one key however
many processes start at once, rotation that keeps old credentials verifiable, and keys from
the environment that the site never changes."""

import io
import json
import os
import stat
import subprocess
import sys
import time

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone
from openbadgeslib.ob3 import OB3LdpVerifier

from certificates import services
from certificates.models import Certificate
from certificates.openbadges import did, keys, proofs
from certificates.openbadges import services as openbadges

from .builders import make_program


@pytest.fixture
def key_file(settings, tmp_path):
    """A keys file of this test's own (none yet), so a rotation here changes no other test."""
    settings.ISSUER_KEYS = ""
    settings.ISSUER_KEYS_FILE = tmp_path / "keys" / "issuer-keys.json"
    return settings.ISSUER_KEYS_FILE


@pytest.fixture
def issued(world):
    version = make_program("micro", title="Micro credential")
    services.program_start(trainee=world.trainee, program=version.program)
    return Certificate.objects.get(holder=world.trainee)


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://alongside.example.org", "did:web:alongside.example.org"),
        ("https://Alongside.Example.org/", "did:web:alongside.example.org"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
        ("https://example.org/peer/alongside", "did:web:example.org:peer:alongside"),
        ("https://example.org:8443/alongside", "did:web:example.org%3A8443:alongside"),
    ],
)
def test_the_issuer_is_a_did_web_of_the_site_url(site_url, expected):
    assert did.did_web(site_url) == expected


def test_the_first_signature_makes_a_private_key_file_and_says_so(key_file, caplog):
    assert not key_file.exists()
    keyring = keys.keyring()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert keyring.current.id == f"key-{timezone.now():%Y-%m-%d}"
    assert "Back this file up" in caplog.text
    assert keys.keyring().current.id == keyring.current.id  # read, not made again
    assert os.listdir(key_file.parent) == ["issuer-keys.json"]  # no temporary file left


def test_a_key_another_process_made_meanwhile_is_the_one_used(key_file, monkeypatch, caplog):
    winner = keys.new_key(now=timezone.now())
    winner_text = keys.serialize(
        keys.Keyring(current=winner, previous=(), source=keys.FROM_FILE, location="")
    )
    link = os.link

    def another_process_links_first(source, target):
        with open(target, "x") as file:  # the other process's file appears just before ours
            file.write(winner_text)
        return link(source, target)

    monkeypatch.setattr(os, "link", another_process_links_first)
    assert keys.keyring().current.public_key_multibase == winner.public_key_multibase
    assert os.listdir(key_file.parent) == ["issuer-keys.json"]  # our attempt left nothing
    assert "Generated a new issuer signing key" not in caplog.text


CHILD = """
import sys, time, pathlib
import django
django.setup()
from django.conf import settings
settings.ISSUER_KEYS = ""
settings.ISSUER_KEYS_FILE = sys.argv[1]
from certificates.openbadges import keys
go = pathlib.Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
print(keys.keyring().current.public_key_multibase)
"""


def test_processes_starting_at_once_make_one_key(key_file, tmp_path):
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(key_file), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=django_settings.BASE_DIR,
        )
        for _ in range(4)
    ]
    time.sleep(3)  # every child has started Django and waits for the signal
    go.touch()
    outputs = [child.communicate(timeout=60) for child in children]
    assert [child.returncode for child in children] == [0, 0, 0, 0], outputs
    assert {out.strip() for out, _err in outputs} == {keys.keyring().current.public_key_multibase}
    assert sum("Generated a new issuer signing key" in err for _out, err in outputs) == 1
    assert os.listdir(key_file.parent) == ["issuer-keys.json"]


def test_the_did_document_lists_every_key_for_assertions(client, key_file):
    keys.keyring()
    call_command("rotate_issuer_key", stdout=io.StringIO())
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response["Content-Type"] in ("application/did+json", "application/json")
    assert "max-age=300" in response["Cache-Control"]
    document = response.json()
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == "did:web:testserver"
    keyring = keys.keyring()
    ids = [f"did:web:testserver#{key.id}" for key in keyring.keys]
    assert [method["id"] for method in document["verificationMethod"]] == ids
    assert document["assertionMethod"] == ids
    for method, key in zip(document["verificationMethod"], keyring.keys, strict=True):
        assert method["type"] == "Multikey"
        assert method["controller"] == "did:web:testserver"
        assert method["publicKeyMultibase"].startswith("z6Mk")
        assert method["publicKeyMultibase"] == key.public_key_multibase
    assert client.get("/did.json").json() == document


def test_after_a_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key(
    client, key_file, world, issued
):
    old_document = openbadges.credential_sign(certificate_id=issued.pk)
    old_key = keys.keyring().current.id
    out = io.StringIO()
    call_command("rotate_issuer_key", stdout=out)
    keyring = keys.keyring()
    assert keyring.current.id != old_key
    assert [key.id for key in keyring.previous] == [old_key]
    assert keyring.previous[0].private_key is None
    assert "PRIVATE KEY" in key_file.read_text()
    assert key_file.read_text().count("PRIVATE KEY") == 2  # BEGIN and END of the new key only

    def download(url):
        return client.get("/.well-known/did.json").content

    OB3LdpVerifier().verify(json.dumps(old_document), download=download)
    proofs.verify(old_document, public_keys=did.public_keys(keyring))

    version = make_program("second", title="Second credential")
    services.program_start(trainee=world.trainee, program=version.program)
    second = Certificate.objects.get(holder=world.trainee, program_version=version)
    new_document = openbadges.credential_sign(certificate_id=second.pk)
    assert new_document["proof"]["verificationMethod"] == (
        f"did:web:testserver#{keyring.current.id}"
    )
    OB3LdpVerifier().verify(json.dumps(new_document), download=download)


def test_a_dry_run_changes_nothing(key_file, capsys):
    keys.keyring()
    before = key_file.read_text()
    call_command("rotate_issuer_key", "--dry-run")
    assert key_file.read_text() == before
    assert "Dry run: nothing was changed." in capsys.readouterr().out


def test_keys_from_the_environment_are_used_and_never_rotated(settings, key_file):
    made = keys.new_key(now=timezone.now())
    environment = keys.serialize(
        keys.Keyring(current=made, previous=(), source=keys.FROM_ENVIRONMENT, location="")
    )
    settings.ISSUER_KEYS = environment
    assert keys.keyring().current.public_key_multibase == made.public_key_multibase
    assert keys.keyring().source == keys.FROM_ENVIRONMENT
    with pytest.raises(CommandError, match="come from the ISSUER_KEYS environment variable"):
        call_command("rotate_issuer_key")
    assert not key_file.exists()
    assert keys.keyring().current.id == made.id


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"format": "something-else"}', "format"),
        ('{"format": "alongside-issuer-keys/1"}', "no current key"),
        (
            '{"format": "alongside-issuer-keys/1", "current": {"id": "k", "private_key": "x"}}',
            "cannot be read",
        ),
    ],
)
def test_a_broken_keys_file_says_what_is_wrong(key_file, text, message):
    key_file.parent.mkdir(parents=True)
    key_file.write_text(text)
    with pytest.raises(ImproperlyConfigured, match=message):
        keys.keyring()
