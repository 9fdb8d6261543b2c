"""Writing a backup archive, and reading one back with every check a restore makes before
it changes anything."""

import datetime
import hashlib
import io
import json
import os
import sqlite3
import stat
import tarfile
import tempfile
import zlib
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import (
    CHUNK,
    DATABASE_MEMBERS,
    FORMAT,
    FORMAT_PREFIX,
    KEYS_MEMBER,
    MANIFEST,
    MANIFEST_LIMIT,
    ArchiveError,
    BackupError,
    Report,
    files_text,
    folders,
    object_storage,
    object_storage_note,
    size_text,
)
from .contents import Plan, plan
from .database import snapshot_database


class _HashingReader:
    """Reads a file for tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, file):
        self.file = file
        self.hash = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.hash.update(data)
        return data


def _add_file(archive: tarfile.TarFile, member: str, path: Path, *, mode: int | None = None):
    """Add one file; returns its size and SHA-256, or None when it vanished meanwhile."""
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed below, after tarfile has read it
    except FileNotFoundError:
        return None
    with file:
        info = os.fstat(file.fileno())
        entry = tarfile.TarInfo(member)
        entry.size = info.st_size
        entry.mtime = int(info.st_mtime)
        entry.mode = stat.S_IMODE(info.st_mode) if mode is None else mode
        reader = _HashingReader(file)
        try:
            archive.addfile(entry, reader)
        except OSError as error:
            if str(error) != "unexpected end of data":  # tarfile's words for a shrunk file
                raise
            raise BackupError(
                _("%(path)s changed while it was being saved (%(error)s). Run the backup again.")
                % {"path": path, "error": error}
            ) from error
    return {"size": entry.size, "sha256": reader.hash.hexdigest()}


def create(output: Path, *, now: datetime.datetime, report: Report) -> dict:
    """Write a backup archive at ``output`` (which must not exist); returns its manifest."""
    output = Path(output)
    if output.exists():
        raise BackupError(_("%(path)s already exists; choose another name.") % {"path": output})
    try:
        output.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(
            prefix=".alongside-backup-", suffix=".partial", dir=output.parent
        )
    except OSError as error:
        raise BackupError(
            _("The archive cannot be written in %(folder)s: %(error)s")
            % {"folder": output.parent, "error": error}
        ) from error
    raw = os.fdopen(handle, "wb")
    try:
        return _create(raw, temporary, output, now=now, report=report)
    except (OSError, sqlite3.Error, tarfile.TarError) as error:
        raise BackupError(_("Writing the archive failed: %(error)s") % {"error": error}) from error
    finally:
        raw.close()
        if os.path.exists(temporary):
            os.unlink(temporary)


def _create(raw, temporary: str, output: Path, *, now, report) -> dict:
    """Fill the open temporary file ``raw``, then rename it to ``output``."""
    # The database copy waits beside the archive, which needs that much room anyway.
    with tempfile.TemporaryDirectory(prefix=".alongside-backup-", dir=output.parent) as work:
        database_file, facts = snapshot_database(Path(work), report)
        contents = plan(output=output)
        with tarfile.open(
            fileobj=raw, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT
        ) as archive:
            manifest = _write_archive(archive, database_file, facts, contents, now, report)
    raw.flush()
    os.fsync(raw.fileno())
    raw.close()
    os.chmod(temporary, 0o600)
    if output.exists():
        raise BackupError(
            _("%(path)s appeared while the backup ran; choose another name.") % {"path": output}
        )
    os.replace(temporary, output)
    folder = os.open(output.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a crash
    finally:
        os.close(folder)
    return manifest


def _write_archive(archive, database_file: Path, facts: dict, contents: Plan, now, report):
    members: dict[str, dict] = {
        database_file.name: _add_file(archive, database_file.name, database_file, mode=0o600)
    }
    vanished = 0
    for folder in folders():
        entries = contents.folders[folder.key]
        report(
            _("Adding %(label)s: %(files)s, %(size)s...")
            % {
                "label": folder.label,
                "files": files_text(len(entries)),
                "size": size_text(sum(entry.size for entry in entries)),
            }
        )
        for entry in entries:
            added = _add_file(archive, entry.member, entry.path)
            if added is None:
                vanished += 1
            else:
                members[entry.member] = added
    buckets = object_storage()
    if buckets:
        report(object_storage_note(buckets))
    keys = None
    if contents.keys:
        report(_("Adding the issuer keys file..."))
        added = _add_file(archive, KEYS_MEMBER, contents.keys.path, mode=0o600)
        if added:
            members[KEYS_MEMBER] = added
            keys = KEYS_MEMBER
    if vanished:
        report(
            ngettext(
                "%(count)s file was deleted while the backup ran and is not in it.",
                "%(count)s files were deleted while the backup ran and are not in it.",
                vanished,
            )
            % {"count": vanished}
        )
    manifest = {
        "format": FORMAT,
        "created_at": now.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "site_url": settings.SITE_URL,
        "database": {"vendor": contents.vendor, "member": database_file.name, **facts},
        "folders": {
            folder.key: sum(1 for name in members if name.startswith(f"{folder.key}/"))
            for folder in folders()
        },
        "issuer_keys": keys,
        "members": members,
    }
    if buckets:
        manifest["object_storage"] = buckets
    data = json.dumps(manifest, indent=2, sort_keys=True).encode("utf-8")
    entry = tarfile.TarInfo(MANIFEST)
    entry.size = len(data)
    entry.mtime = int(now.timestamp())
    entry.mode = 0o600
    archive.addfile(entry, io.BytesIO(data))
    return manifest


def _safe_member_name(name: str) -> bool:
    if name in (MANIFEST, KEYS_MEMBER, *DATABASE_MEMBERS.values()):
        return True
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and len(path.parts) >= 2
        and path.parts[0] in ("media", "private")
        and all(part not in ("", ".", "..") for part in path.parts)
        and "\\" not in name
        and name == path.as_posix()
    )


def hash_member(archive: tarfile.TarFile, member: tarfile.TarInfo, sink=None) -> str:
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest()


def _unreadable(path: Path, error: Exception) -> ArchiveError:
    return ArchiveError(
        _(
            "%(path)s is not a readable backup archive (%(error)s). It may be damaged or "
            "incomplete. Nothing was changed."
        )
        % {"path": path, "error": error or _("unknown error")}
    )


def _check_manifest(manifest) -> None:
    """Raise ArchiveError unless the manifest has the shape this version writes."""
    if not isinstance(manifest, dict):
        raise ArchiveError(_("The archive's manifest is not valid. Nothing was changed."))
    found = manifest.get("format")
    if found != FORMAT:
        if isinstance(found, str) and found.startswith(FORMAT_PREFIX):
            raise ArchiveError(
                _(
                    "This backup uses the format %(found)s, which this version of Alongside "
                    "cannot read (it reads %(format)s). Nothing was changed."
                )
                % {"found": found, "format": FORMAT}
            )
        raise ArchiveError(_("This is not an Alongside backup archive. Nothing was changed."))
    database = manifest.get("database")
    members = manifest.get("members")
    valid = (
        isinstance(database, dict)
        and database.get("vendor") in DATABASE_MEMBERS
        and database.get("member") == DATABASE_MEMBERS[database["vendor"]]
        and isinstance(database.get("migrations"), dict)
        and isinstance(database.get("counts"), dict)
        and isinstance(database.get("tables"), list)
        and isinstance(members, dict)
        and all(
            isinstance(value, dict)
            and isinstance(value.get("sha256"), str)
            and isinstance(value.get("size"), int)
            for value in members.values()
        )
        and database["member"] in members
        and isinstance(manifest.get("folders"), dict)
        and all(isinstance(count, int) for count in manifest["folders"].values())
        and manifest.get("issuer_keys") in (None, KEYS_MEMBER)
        and (manifest.get("issuer_keys") is None or KEYS_MEMBER in members)
        and isinstance(manifest.get("created_at"), str)
    )
    if not valid:
        raise ArchiveError(
            _("The archive's manifest is incomplete or damaged. Nothing was changed.")
        )


def read_manifest(path: Path) -> dict:
    """Read the whole archive, check its manifest and every member's size and SHA-256, and
    return the manifest. Raises ArchiveError, having written nothing, when anything is off."""
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(_("There is no file at %(path)s.") % {"path": path})
    found: dict[str, dict] = {}
    manifest_data = None
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            for member in archive:
                if not member.isreg() or not _safe_member_name(member.name):
                    raise ArchiveError(
                        _(
                            "The archive holds %(name)s, which no Alongside backup holds. It "
                            "was refused; nothing was changed."
                        )
                        % {"name": member.name}
                    )
                if member.name in found or (member.name == MANIFEST and manifest_data is not None):
                    raise ArchiveError(
                        _("The archive holds %(name)s twice. Nothing was changed.")
                        % {"name": member.name}
                    )
                if member.name == MANIFEST:
                    if member.size > MANIFEST_LIMIT:
                        raise ArchiveError(
                            _("The archive's manifest is too large. Nothing was changed.")
                        )
                    manifest_data = archive.extractfile(member).read()
                    continue
                found[member.name] = {"size": member.size, "sha256": hash_member(archive, member)}
            # tarfile stops at a damaged header as if the archive ended there: read the rest,
            # so gzip checks the whole stream against its CRC.
            while archive.fileobj.read(CHUNK):
                pass
    except ArchiveError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise _unreadable(path, error) from error
    if manifest_data is None:
        raise ArchiveError(
            _(
                "The archive has no manifest.json: it is not an Alongside backup. Nothing was changed."
            )
        )
    try:
        manifest = json.loads(manifest_data)
    except ValueError as error:
        raise ArchiveError(
            _("The archive's manifest is not valid JSON. Nothing was changed.")
        ) from error
    _check_manifest(manifest)
    listed = manifest["members"]
    missing = sorted(set(listed) - set(found))
    if missing:
        raise ArchiveError(
            _("The archive is missing %(names)s, listed in its manifest. Nothing was changed.")
            % {"names": ", ".join(missing[:5])}
        )
    extra = sorted(set(found) - set(listed))
    if extra:
        raise ArchiveError(
            _("The archive holds %(names)s, which its manifest does not list. Nothing was changed.")
            % {"names": ", ".join(extra[:5])}
        )
    damaged = sorted(name for name in listed if listed[name] != found[name])
    if damaged:
        raise ArchiveError(
            _(
                "%(names)s in the archive does not match its checksum in the manifest: the "
                "archive is damaged or was changed. Nothing was changed."
            )
            % {"names": ", ".join(damaged[:5])}
        )
    return manifest
