"""What a backup holds: the files of each folder (with what is left out) and the sizes a dry
run shows, and where the archive goes."""

import datetime
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import (
    KEYS_MEMBER,
    REPLACED_PREFIX,
    STAGING_PREFIX,
    Folder,
    database_vendor,
    folders,
    inside,
    keys_path,
    object_storage,
    object_storage_note,
    resolved,
    sqlite_files,
    utc_stamp,
)


def default_directory() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups"


def output_path(output: str | None, *, now: datetime.datetime) -> Path:
    """Where the archive goes: ``var/backups/alongside-<UTC time>.tar.gz`` by default; given
    an existing folder (or a path ending in a slash), that name inside it; else the path."""
    name = f"alongside-{utc_stamp(now)}.tar.gz"
    if not output:
        return default_directory() / name
    path = Path(output).expanduser()
    if path.is_dir() or output.endswith(("/", os.sep)):
        return path / name
    return path


@dataclass(frozen=True)
class FileEntry:
    member: str
    path: Path
    size: int


@dataclass
class Plan:
    vendor: str
    database: str
    """The database file, or the PostgreSQL database's name."""
    database_size: int
    folders: dict[str, list[FileEntry]]
    keys: FileEntry | None
    notes: list[str] = field(default_factory=list)

    @property
    def total_size(self) -> int:
        files = [entry for entries in self.folders.values() for entry in entries]
        if self.keys:
            files.append(self.keys)
        return self.database_size + sum(entry.size for entry in files)


def excluded_paths(extra: tuple[Path, ...] = ()) -> list[Path]:
    """What never goes into a folder's part even when it lies inside the folder: the other
    folder, the keys file, the database files and the backup being written."""
    paths = [folder.root for folder in folders()] + [keys_path(), *extra]
    if connection.vendor == "sqlite":
        paths += sqlite_files()
    return [resolved(path) for path in paths]


def folder_files(folder: Folder, *, exclude: list[Path], notes: list[str]) -> list[FileEntry]:
    """The regular files under ``folder.root``, sorted; links and special files are skipped
    (and counted in ``notes``), as is anything in ``exclude``."""
    root = resolved(folder.root)
    if not root.is_dir():
        return []
    excluded = [path for path in exclude if path != root]
    entries, skipped = [], 0
    for current, directories, files in os.walk(root):
        here = Path(current)
        kept = []
        for name in sorted(directories):
            if here == root and name.startswith((STAGING_PREFIX, REPLACED_PREFIX)):
                continue
            if any(inside(here / name, path) for path in excluded):
                continue
            if (here / name).is_symlink():
                skipped += 1
                continue
            kept.append(name)
        directories[:] = kept
        for name in sorted(files):
            path = here / name
            if any(inside(path, item) for item in excluded):
                continue
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                skipped += 1
                continue
            relative = path.relative_to(root).as_posix()
            entries.append(FileEntry(f"{folder.key}/{relative}", path, info.st_size))
    if skipped:
        notes.append(
            ngettext(
                "%(count)s link or special file in %(root)s was skipped: only files are saved.",
                "%(count)s links or special files in %(root)s were skipped: only files are saved.",
                skipped,
            )
            % {"count": skipped, "root": root}
        )
    return entries


def plan(*, output: Path | None = None) -> Plan:
    """What a backup made now would hold, with sizes."""
    vendor = database_vendor()
    notes: list[str] = []
    buckets = object_storage()
    if buckets:
        notes.append(object_storage_note(buckets))
    extra = (output.parent,) if output else ()
    exclude = excluded_paths(extra)
    found = {folder.key: folder_files(folder, exclude=exclude, notes=notes) for folder in folders()}
    keys = None
    path = keys_path()
    if path.is_file():
        keys = FileEntry(KEYS_MEMBER, path, path.stat().st_size)
    else:
        notes.append(
            _(
                "There is no issuer keys file at %(path)s, so the backup holds no signing key "
                "(no credential has been signed yet, or the keys are kept elsewhere)."
            )
            % {"path": path}
        )
    if (getattr(settings, "ISSUER_KEYS", "") or "").strip():
        notes.append(
            _(
                "The issuer keys in use come from the ISSUER_KEYS environment variable, which "
                "no backup holds: keep a copy of its value, as safely as the backup."
            )
        )
    if getattr(settings, "MFA_ENCRYPTION_KEY", None):
        notes.append(
            _(
                "Two-step verification secrets are encrypted with the MFA_ENCRYPTION_KEY "
                "environment variable, which no backup holds: keep a copy of its value, as "
                "safely as the backup, or nobody who uses two-step verification can sign in "
                "after a restore."
            )
        )
    if vendor == "sqlite":
        database = str(connection.settings_dict["NAME"])
        size = sum(path.stat().st_size for path in sqlite_files()[:2] if path.exists())
    else:
        database = str(connection.settings_dict["NAME"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0]
    return Plan(
        vendor=vendor,
        database=database,
        database_size=size,
        folders=found,
        keys=keys,
        notes=notes,
    )
