"""Backups: a backup restored into a fresh database keeps every credential verifiable and every
file byte-identical; a restore refuses a damaged archive, another vendor's backup and an
unconfirmed overwrite, changing nothing; dry runs write nothing; a failed backup leaves no
half archive; a restore that fails part way names the part, and running it again finishes.

These tests run in transactions of their own (``transaction=True``): the backup reads the
database from outside the test's connection (pg_dump) or through the online backup API, and
a restore runs in another process, so the data must be committed."""

import io
import json
import os
import re
import secrets
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from certificates import services, tasks
from certificates.models import Certificate
from cms import backup as backups
from cms.backup import archive as archives
from cms.backup import database, restoring
from courses.domains import ensure_icrc_domains
from tests.certificates.builders import make_program
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_VENDOR = {"sqlite": "postgresql", "postgresql": "sqlite"}

CHECK = """
import json, sys
import django
django.setup()
from django.test import Client
from certificates.models import Certificate
from certificates.openbadges import did, keys, proofs
from certificates.verification import public_record

code = sys.argv[1]
record = public_record(code)
certificate = Certificate.objects.get(verification_code=code)
verified = proofs.verify(certificate.credential, public_keys=did.public_keys(keys.keyring()))
page = Client().get(f"/verify/{code}/")
print(json.dumps({
    "pk": record.certificate.pk,
    "valid": record.is_valid,
    "name": record.certificate.name_as_printed,
    "pdf": certificate.pdf.name,
    "method": verified.verification_method,
    "page": page.status_code,
    "page_shows_name": certificate.name_as_printed in page.content.decode(),
}))
"""


class Terminal(io.StringIO):
    """Standard input as a person at a terminal would give it."""

    def isatty(self):
        return True


@pytest.fixture
def site(settings, tmp_path):
    """This test's own media folder and keys file. Private files stay in the test process's
    throwaway folder: the certificate storage is bound to it when the models load."""
    settings.MEDIA_ROOT = tmp_path / "site" / "media"
    settings.ISSUER_KEYS = ""
    settings.ISSUER_KEYS_FILE = tmp_path / "site" / "keys" / "issuer-keys.json"
    return settings


@pytest.fixture
def state(site):
    """A trainee holding a credential with its rendered PDF and signed credential, and an
    uploaded media file."""
    ensure_icrc_domains()  # transactional tests flush the rows migrations made
    trainee = UserFactory(legal_name="Jordan Backup Rivera")
    version = make_program("backup-micro", title="Backup Test Credential")
    services.program_start(trainee=trainee, program=version.program)
    certificate = Certificate.objects.get(holder=trainee)
    tasks.render_certificate.call(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.credential
    media = default_storage.save("uploads/photo.bin", ContentFile(secrets.token_bytes(4096)))
    with certificate.pdf.open("rb") as pdf:
        pdf_bytes = pdf.read()
    return {
        "certificate": certificate,
        "pdf": pdf_bytes,
        "media_name": media,
        "media": (Path(site.MEDIA_ROOT) / media).read_bytes(),
        "keys": Path(site.ISSUER_KEYS_FILE).read_bytes(),
    }


def backup(tmp_path, name="site.tar.gz") -> Path:
    archive = tmp_path / "backups" / name
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile(backups.MANIFEST))


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with ``change(name, data, manifest)`` applied to each member; it
    returns the new name and data (the manifest is rewritten last, as changed)."""
    manifest = manifest_of(archive)
    members = []
    with tarfile.open(archive) as tar:
        for member in tar:
            if member.name != backups.MANIFEST:
                members.append(change(member.name, tar.extractfile(member).read(), manifest))
    with tarfile.open(target, "w:gz") as tar:
        for name, data in [
            *members,
            (backups.MANIFEST, json.dumps(manifest).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def change_after_backup(state):
    """Changes a restore would undo: a new account, and the media file's content."""
    UserFactory(email="after-the-backup@example.test")
    with open(Path(django_settings.MEDIA_ROOT) / state["media_name"], "wb") as file:
        file.write(b"changed after the backup")


def assert_unchanged_since(state):
    assert User.objects.filter(email="after-the-backup@example.test").exists()
    path = Path(django_settings.MEDIA_ROOT) / state["media_name"]
    assert path.read_bytes() == b"changed after the backup"
    leftovers = [
        entry.name
        for folder in backups.folders()
        for entry in folder.root.iterdir()
        if entry.name.startswith((backups.STAGING_PREFIX, backups.REPLACED_PREFIX))
    ]
    assert leftovers == []


# A fresh database for another process ---------------------------------------------------------


@pytest.fixture
def fresh_database(tmp_path):
    """``DATABASE_URL`` of an empty database of the same vendor, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored' / 'alongside.sqlite3'}"
        return
    import psycopg

    settings_dict = connection.settings_dict
    name = f"{settings_dict['NAME']}_restored_{secrets.token_hex(3)}"[:63]
    server = {
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        credentials = quote(server["user"] or "", safe="")
        if server["password"]:
            credentials += ":" + quote(server["password"], safe="")
        yield (
            f"postgres://{credentials}@{server['host'] or '127.0.0.1'}:"
            f"{server['port'] or 5432}/{name}"
        )
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def child_environment(database_url: str, restored: Path, **extra) -> dict:
    """The environment of a separate, non-test deployment: its own database, folders and
    keys file, the same SITE_URL (the issuer's did:web depends on it)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTEST_VERSION", "ISSUER_KEYS") and not key.startswith("PYTEST_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(restored / "media"),
        PRIVATE_MEDIA_ROOT=str(restored / "private"),
        ISSUER_KEYS_FILE=str(restored / "keys" / "issuer-keys.json"),
        SITE_URL=django_settings.SITE_URL,
        SECRET_KEY=secrets.token_urlsafe(50),
        DEBUG="0",
        **extra,
    )
    return env


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# The round trip -------------------------------------------------------------------------------


def test_a_restore_into_a_fresh_database_keeps_every_credential_verifiable(
    state, tmp_path, fresh_database
):
    certificate = state["certificate"]
    archive = backup(tmp_path)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert [path.name for path in archive.parent.iterdir()] == ["site.tar.gz"]
    manifest = manifest_of(archive)
    assert manifest["format"] == "alongside-backup/1"
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["counts"]["certificates_certificate"] == 1
    assert manifest["database"]["counts"]["accounts_user"] == User.objects.count()
    assert manifest["database"]["migrations"]["certificates"].startswith("0")
    assert manifest["issuer_keys"] == "issuer-keys.json"
    assert f"private/{certificate.pdf.name}" in manifest["members"]
    assert f"media/{state['media_name']}" in manifest["members"]

    restored = tmp_path / "restored"
    env = child_environment(fresh_database, restored)
    # A fresh database and empty folders: no --yes needed.
    result = run(["manage.py", "restore", str(archive)], env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Restore complete" in result.stdout
    assert re.search(r"certificates_certificate +1 +\(backup: 1\)", result.stdout)

    assert (restored / "private" / certificate.pdf.name).read_bytes() == state["pdf"]
    assert (restored / "keys" / "issuer-keys.json").read_bytes() == state["keys"]
    assert stat.S_IMODE((restored / "keys" / "issuer-keys.json").stat().st_mode) == 0o600
    assert (restored / "media" / state["media_name"]).read_bytes() == state["media"]

    check = run(
        ["-c", CHECK, certificate.verification_code],
        {**env, "DEBUG": "1", "ALLOWED_HOSTS": "testserver"},
    )
    assert check.returncode == 0, check.stderr
    assert json.loads(check.stdout) == {
        "pk": certificate.pk,
        "valid": True,
        "name": "Jordan Backup Rivera",
        "pdf": certificate.pdf.name,
        "method": certificate.credential["proof"]["verificationMethod"],
        "page": 200,
        "page_shows_name": True,
    }


def test_a_confirmed_restore_over_a_changed_site_brings_the_backup_back(state, tmp_path):
    archive = backup(tmp_path)
    change_after_backup(state)
    out = io.StringIO()
    call_command("restore", str(archive), stdin=Terminal("yes\n"), stdout=out, stderr=out)
    assert "Restoring replaces:" in out.getvalue()
    assert "Restore complete" in out.getvalue()
    assert not User.objects.filter(email="after-the-backup@example.test").exists()
    assert Certificate.objects.get().verification_code == state["certificate"].verification_code
    path = Path(django_settings.MEDIA_ROOT) / state["media_name"]
    assert path.read_bytes() == state["media"]


# Refusals and dry runs that change nothing ----------------------------------------------------


def flip_bytes(archive: Path, target: Path) -> Path:
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(byte ^ 0xFF for byte in data[middle : middle + 16])
    target.write_bytes(bytes(data))
    return target


def swap_media(archive: Path, target: Path) -> Path:
    def change(name, data, manifest):
        return name, (b"not what was backed up" if name.startswith("media/") else data)

    return rewrite(archive, target, change)


def other_vendor(archive: Path, target: Path) -> Path:
    """The same backup, claiming to hold the other vendor's database."""
    other = OTHER_VENDOR[connection.vendor]
    ours, theirs = backups.DATABASE_MEMBERS[connection.vendor], backups.DATABASE_MEMBERS[other]

    def change(name, data, manifest):
        if name != ours:
            return name, data
        manifest["database"].update(vendor=other, member=theirs)
        manifest["members"][theirs] = manifest["members"].pop(ours)
        return theirs, data

    return rewrite(archive, target, change)


def test_refused_restores_and_a_dry_run_change_nothing(state, tmp_path, site):
    """One backup, then every way a restore stops before changing anything. (One test rather
    than several: each transactional test empties the whole database afterwards.)"""
    archive = backup(tmp_path)
    change_after_backup(state)
    ours = backups.VENDOR_NAMES[connection.vendor]
    theirs = backups.VENDOR_NAMES[OTHER_VENDOR[connection.vendor]]
    refusals = [
        (
            "damaged bytes",
            flip_bytes(archive, tmp_path / "flipped.tar.gz"),
            ["--yes"],
            None,
            "is not a readable backup archive",
        ),
        (
            "changed member",
            swap_media(archive, tmp_path / "swapped.tar.gz"),
            ["--yes"],
            None,
            "media/uploads/photo.bin in the archive does not match its checksum",
        ),
        (
            "other vendor",
            other_vendor(archive, tmp_path / "other.tar.gz"),
            ["--yes"],
            None,
            f"This backup holds a {theirs} database, but this site is set up for {ours}",
        ),
        (
            "no terminal, no --yes",
            archive,
            [],
            io.StringIO(""),
            "(?s)which has rows in .* Run again with --yes",
        ),
        ("answered no", archive, [], Terminal("no\n"), "Restore cancelled"),
    ]
    for case, path, options, stdin, message in refusals:
        extra = {"stdin": stdin} if stdin is not None else {}
        with pytest.raises(CommandError, match=message) as refused:
            call_command("restore", str(path), *options, stdout=io.StringIO(), **extra)
        assert "Nothing was changed." in str(refused.value), case
        assert_unchanged_since(state)

    # A folder holding the keys file: replacing the folder's contents would remove it.
    keys_file = site.ISSUER_KEYS_FILE
    site.ISSUER_KEYS_FILE = Path(site.MEDIA_ROOT) / "issuer-keys.json"
    with pytest.raises(CommandError, match="holds the issuer keys file") as refused:
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert "Nothing was changed." in str(refused.value)
    site.ISSUER_KEYS_FILE = keys_file
    assert_unchanged_since(state)

    out = io.StringIO()
    call_command("restore", str(archive), "--dry-run", stdout=out)
    assert "Every checksum matches." in out.getvalue()
    assert "A restore would replace:" in out.getvalue()
    assert "which has rows in" in out.getvalue()
    assert "Dry run: nothing was changed." in out.getvalue()
    assert_unchanged_since(state)


@pytest.mark.django_db  # writes nothing, so the test's own transaction is enough
def test_a_dry_run_backup_says_what_it_would_save_and_writes_nothing(state, tmp_path, site):
    target = tmp_path / "backups" / "never.tar.gz"
    out = io.StringIO()
    call_command("backup", "--dry-run", output=str(target), stdout=out)
    text = out.getvalue()
    assert f"would be written to {target}" in text
    assert f"in {site.MEDIA_ROOT}: 1 file, 4.0 KB" in text
    assert f"the issuer keys file {site.ISSUER_KEYS_FILE}" in text
    assert "Nothing was written." in text
    assert not target.parent.exists()


# Failures -------------------------------------------------------------------------------------


def test_a_failed_backup_leaves_no_half_archive(state, tmp_path, monkeypatch):
    add_file = archives._add_file

    def disk_full_at_the_keys(archive, member, path, **options):
        if member == backups.KEYS_MEMBER:
            raise OSError(28, "No space left on device")
        return add_file(archive, member, path, **options)

    monkeypatch.setattr(archives, "_add_file", disk_full_at_the_keys)
    target = tmp_path / "backups" / "site.tar.gz"
    with pytest.raises(CommandError, match="No space left on device") as failed:
        call_command("backup", output=str(target), stdout=io.StringIO())
    assert "No archive was written" in str(failed.value)
    assert list(target.parent.iterdir()) == []


def test_a_restore_that_fails_part_way_names_the_part_and_can_be_run_again(
    state, tmp_path, monkeypatch
):
    archive = backup(tmp_path)
    change_after_backup(state)
    private_root = Path(django_settings.PRIVATE_MEDIA_ROOT)
    pdf = private_root / state["certificate"].pdf.name
    pdf.unlink()
    swap_folder = restoring.swap_folder

    def private_folder_fails(root, staged):
        if root == private_root:
            raise OSError(28, "No space left on device")
        swap_folder(root, staged)

    monkeypatch.setattr(restoring, "swap_folder", private_folder_fails)
    with pytest.raises(CommandError) as failed:
        call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert str(failed.value).startswith(
        "The database was restored, but restoring private files, the certificate PDFs "
        "(PRIVATE_MEDIA_ROOT) failed: [Errno 28] No space left on device"
    )
    assert "Run the same restore again with --yes to finish." in str(failed.value)
    assert not User.objects.filter(email="after-the-backup@example.test").exists()
    assert not pdf.exists()

    monkeypatch.setattr(restoring, "swap_folder", swap_folder)
    out = io.StringIO()
    call_command("restore", str(archive), "--yes", stdout=out)
    assert "Restore complete" in out.getvalue()
    assert pdf.read_bytes() == state["pdf"]
    assert storages["private"].exists(state["certificate"].pdf.name)


@pytest.mark.skipif(
    not django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="pg_dump and pg_restore are for PostgreSQL",
)
def test_the_postgresql_password_goes_by_environment_never_on_a_command_line(
    state, tmp_path, monkeypatch
):
    # The test server trusts local connections, so any password works.
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "not-on-the-command-line")
    calls = []
    run_tool = database._run

    def recording(command, *, env, what):
        calls.append((command, env))
        run_tool(command, env=env, what=what)

    monkeypatch.setattr(database, "_run", recording)
    archive = backup(tmp_path)
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    tools = [Path(command[0]).name for command, _env in calls]
    assert tools == ["pg_dump", "pg_restore", "pg_restore"]  # dump, --list, restore
    for command, env in calls:
        assert not any("not-on-the-command-line" in part for part in command)
        assert env["PGPASSWORD"] == "not-on-the-command-line"
    assert "-c alongside.maintenance=on" in calls[-1][1]["PGOPTIONS"]
    assert {"--clean", "--if-exists", "--no-owner", "--single-transaction"} <= set(calls[-1][0])
