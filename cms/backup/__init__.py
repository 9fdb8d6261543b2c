"""Backups of the whole site in one archive, and restoring one.

An archive is a ``.tar.gz`` file holding:

- ``database.sqlite3`` (SQLite, copied with the online backup API, so it is consistent while
  the site runs) or ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``);
- ``media/...``: every file under ``MEDIA_ROOT`` (uploaded images and documents);
- ``private/...``: every file under ``PRIVATE_MEDIA_ROOT`` (certificate PDFs);
  with media in S3-compatible buckets (``MEDIA_STORAGE=s3``) neither part is in the archive:
  the manifest names the buckets under ``object_storage``, the backup says to keep them with
  the store's own versioning or replication, and a restore leaves media as they are;
- ``issuer-keys.json``: the issuer's signing keys (``ISSUER_KEYS_FILE``), when the file exists.
  Without it signed credentials cannot be verified after a restore, so an archive holds a
  secret and is written readable by its owner only (mode 0600);
- ``manifest.json``: the format version, when it was made, the site address, the database
  vendor, the latest applied migration of each app, row counts of the key tables (all read
  from the same snapshot as the dump), and the size and SHA-256 of every other member.

A backup is written to a temporary file beside the final name and renamed when complete, so a
failed backup never leaves a half archive under the final name.

A restore checks everything it can before changing anything: the manifest, every member's
checksum, the database vendor, that this code knows every migration the backup has applied,
and (unless told ``yes``) that it is not about to replace existing data. It then unpacks every
part into hidden staging places and restores in a fixed order: **the database first** (in one
transaction: if it fails, nothing has changed), then the media folder, the private folder and
the keys file (each swapped in by renames). A failure after the database names the part that
failed and what is left where, and running the same restore again finishes the job.

Modules: ``contents`` (what a backup holds, sizes), ``database`` (each vendor's copy, facts
and restore), ``archive`` (writing and checking archives), ``restoring`` (staging and swapping
files in). The commands are ``manage.py backup`` and ``manage.py restore``.
"""

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

FORMAT = "alongside-backup/1"
FORMAT_PREFIX = "alongside-backup/"
MANIFEST = "manifest.json"
KEYS_MEMBER = "issuer-keys.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
VENDOR_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MANIFEST_LIMIT = 16 * 1024 * 1024
CHUNK = 1024 * 1024

STAGING_PREFIX = ".alongside-restore-"
REPLACED_PREFIX = ".alongside-replaced-"
"""Hidden folders a restore makes inside a media folder; never backed up, never moved."""

KEY_TABLES = (
    "accounts_user",
    "organizations_organization",
    "organizations_membership",
    "courses_enrollment",
    "courses_modulecompletion",
    "assessments_attempt",
    "hours_hourentry",
    "hours_signoff",
    "certificates_programenrollment",
    "certificates_certificate",
    "wagtailcore_page",
    "wagtailimages_image",
    "wagtaildocs_document",
)
"""Tables whose row counts go into the manifest and are compared after a restore."""

Report = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore could not be done; the message says why in plain words."""


class ArchiveError(BackupError):
    """The archive was refused before anything was changed."""


class RestoreError(BackupError):
    """A restore failed part way; the message names the part."""


# Shared helpers ------------------------------------------------------------------------------


def size_text(size: int) -> str:
    return str(filesizeformat(size)).replace("\xa0", " ")


def files_text(count: int) -> str:
    return ngettext("%(count)s file", "%(count)s files", count) % {"count": count}


def utc_stamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Folder:
    key: str
    """``media`` or ``private``: the prefix of its members in the archive."""
    root: Path

    @property
    def label(self) -> str:
        if self.key == "media":
            return _("media files (MEDIA_ROOT)")
        return _("private files, the certificate PDFs (PRIVATE_MEDIA_ROOT)")


STORAGE_ALIASES = {"media": "default", "private": "private"}
"""The ``STORAGES`` entry whose files each folder holds."""


def _on_filesystem(key: str) -> bool:
    backend = import_string(settings.STORAGES[STORAGE_ALIASES[key]]["BACKEND"])
    return issubclass(backend, FileSystemStorage)


def folders() -> list[Folder]:
    """The media folders a backup holds: those whose storage is the filesystem."""
    found = [
        Folder("media", Path(settings.MEDIA_ROOT)),
        Folder("private", Path(settings.PRIVATE_MEDIA_ROOT)),
    ]
    return [folder for folder in found if _on_filesystem(folder.key)]


def object_storage() -> dict[str, str]:
    """The media kept outside the filesystem (``MEDIA_STORAGE=s3``), which no backup holds:
    ``media`` and ``private`` to their bucket's name."""
    return {
        key: str(settings.STORAGES[alias].get("OPTIONS", {}).get("bucket_name", alias))
        for key, alias in STORAGE_ALIASES.items()
        if not _on_filesystem(key)
    }


def object_storage_note(buckets: dict[str, str]) -> str:
    return _(
        "Uploaded media and certificate PDFs are kept in the object store (buckets: "
        "%(buckets)s), not in backup archives: keep them with the store's own versioning or "
        "replication."
    ) % {"buckets": ", ".join(sorted(set(buckets.values())))}


def keys_path() -> Path:
    return Path(settings.ISSUER_KEYS_FILE)


def database_vendor() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(
            _("Backups support SQLite and PostgreSQL databases, not %(vendor)s.")
            % {"vendor": vendor}
        )
    return vendor


def resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def sqlite_files() -> list[Path]:
    name = Path(str(connection.settings_dict["NAME"]))
    return [Path(f"{name}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
