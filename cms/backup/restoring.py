"""Restoring an archive's files: what a restore would replace, unpacking every part where it
can be swapped in by renames, and swapping each folder and the keys file in."""

import hashlib
import os
import secrets
import shutil
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import (
    KEYS_MEMBER,
    MANIFEST,
    REPLACED_PREFIX,
    STAGING_PREFIX,
    ArchiveError,
    BackupError,
    Folder,
    RestoreError,
    files_text,
    folders,
    inside,
    keys_path,
    resolved,
    sqlite_files,
)
from .archive import hash_member
from .contents import excluded_paths, folder_files
from .database import check_staged, tables_with_rows


def restored_folders(manifest: dict) -> list[Folder]:
    """The folders a restore replaces: this site's media folders (none with
    ``MEDIA_STORAGE=s3``) that the backup holds (none when it was made with media in buckets).
    The others are left as they are."""
    return [folder for folder in folders() if folder.key in manifest["folders"]]


def existing_data(manifest: dict) -> list[str]:
    """What a restore would replace, in words; empty when the target holds nothing."""
    found = []
    with_rows = tables_with_rows()
    if with_rows:
        found.append(
            ngettext(
                "the database %(name)s, which has rows in %(count)s table",
                "the database %(name)s, which has rows in %(count)s tables",
                with_rows,
            )
            % {"name": connection.settings_dict["NAME"], "count": with_rows}
        )
    for folder in restored_folders(manifest):
        count = len(folder_files(folder, exclude=excluded_paths(), notes=[]))
        if count:
            found.append(
                _("%(files)s in %(root)s") % {"files": files_text(count), "root": folder.root}
            )
    path = keys_path()
    if (
        manifest.get("issuer_keys")
        and path.is_file()
        and (
            hashlib.sha256(path.read_bytes()).hexdigest()
            != manifest["members"][KEYS_MEMBER]["sha256"]
        )
    ):
        found.append(
            _("the issuer keys file %(path)s, which differs from the one in the backup")
            % {"path": path}
        )
    return found


def layout_problem() -> str | None:
    """Why this site's folders cannot be restored into, if they cannot: a restore replaces
    everything in each folder, so no folder may hold the other, the keys file or the
    database."""
    roots = [(folder, resolved(folder.root)) for folder in folders()]
    others = [(_("the issuer keys file"), resolved(keys_path()))]
    if connection.vendor == "sqlite":
        others.append((_("the database file"), resolved(sqlite_files()[0])))
    for folder, root in roots:
        for other, other_root in roots:
            if other is not folder and inside(other_root, root):
                others.append((other.label, other_root))
        for label, path in others:
            if inside(path, root):
                return _(
                    "%(root)s holds %(what)s (%(path)s). A restore replaces everything in "
                    "that folder, so it would remove it: keep them in separate places. "
                    "Nothing was changed."
                ) % {"root": root, "what": label, "path": path}
    return None


@dataclass
class Staged:
    work: Path
    database: Path
    folders: dict[str, Path] = field(default_factory=dict)
    keys: Path | None = None

    def discard(self, parts: set[str] | None = None) -> None:
        """Remove what was staged for ``parts`` (folder keys and ``keys``; default all)."""
        for key, staged in self.folders.items():
            if parts is None or key in parts:
                shutil.rmtree(staged, ignore_errors=True)
        if (parts is None or "keys" in parts) and self.keys is not None and self.keys.exists():
            self.keys.unlink()


def _write_member(archive, member, target: Path, *, mode: int, expected: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as sink:
        digest = hash_member(archive, member, sink)
        sink.flush()
        os.fsync(sink.fileno())
    if digest != expected:
        raise ArchiveError(
            _("%(name)s changed while it was being unpacked. Nothing was changed.")
            % {"name": member.name}
        )
    os.chmod(target, mode)
    os.utime(target, (member.mtime, member.mtime))


def stage(path: Path, manifest: dict, work: Path) -> Staged:
    """Unpack every part where it can be swapped in by renames: the database into ``work``,
    each folder's files into a hidden folder inside it, the keys file beside its final name.
    Nothing visible changes; on failure everything staged is removed."""
    members = manifest["members"]
    staged = Staged(work=work, database=work / manifest["database"]["member"])
    token = secrets.token_hex(4)
    clear_stale_staging()
    try:
        for folder in restored_folders(manifest):
            # Private files are the site's alone; media may be served by another user.
            folder.root.mkdir(
                parents=True, exist_ok=True, mode=0o700 if folder.key == "private" else 0o777
            )
            staged.folders[folder.key] = folder.root / f"{STAGING_PREFIX}{token}"
            staged.folders[folder.key].mkdir(mode=0o700)
        if manifest.get("issuer_keys"):
            keys_path().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            staged.keys = keys_path().parent / f".issuer-keys-restore-{token}"
        with tarfile.open(path, mode="r:gz") as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                if member.name not in members:
                    raise ArchiveError(
                        _("The archive changed while it was being unpacked. Nothing was changed.")
                    )
                expected = members[member.name]["sha256"]
                if member.name == manifest["database"]["member"]:
                    target, mode = staged.database, 0o600
                elif member.name == KEYS_MEMBER:
                    target, mode = staged.keys, 0o600
                else:
                    key, relative = member.name.split("/", 1)
                    if key not in staged.folders:
                        continue  # this site keeps those files in an object store
                    target, mode = staged.folders[key] / relative, member.mode & 0o777
                _write_member(archive, member, target, mode=mode, expected=expected)
        check_staged(staged.database, manifest["database"]["vendor"])
    except BaseException as error:
        staged.discard()
        if isinstance(error, BackupError | KeyboardInterrupt):
            raise
        if isinstance(error, tarfile.TarError | OSError | EOFError | zlib.error):
            raise ArchiveError(
                _("The archive could not be unpacked (%(error)s). Nothing was changed.")
                % {"error": error}
            ) from error
        raise
    return staged


def clear_stale_staging() -> None:
    """Remove what an earlier, interrupted restore unpacked and never moved in: copies of an
    archive's files, so nothing is lost. Files it set aside are kept (see ``set_aside``)."""
    for folder in folders():
        if folder.root.is_dir():
            for entry in folder.root.glob(f"{STAGING_PREFIX}*"):
                shutil.rmtree(entry, ignore_errors=True)
    if keys_path().parent.is_dir():
        for entry in keys_path().parent.glob(".issuer-keys-restore-*"):
            entry.unlink(missing_ok=True)


def set_aside() -> list[Path]:
    """Folders where an interrupted restore set aside the files it was replacing."""
    return sorted(
        entry
        for folder in folders()
        if folder.root.is_dir()
        for entry in folder.root.glob(f"{REPLACED_PREFIX}*")
    )


def swap_folder(root: Path, staged: Path) -> None:
    """Make ``root`` hold exactly what ``staged`` (a folder inside it) holds, by renames.
    Leftovers of an earlier failed restore (hidden ``.alongside-*`` folders) are left alone."""
    token = secrets.token_hex(4)
    replaced = root / f"{REPLACED_PREFIX}{token}"
    try:
        replaced.mkdir(mode=0o700)
        for entry in sorted(root.iterdir()):
            if entry.name.startswith((STAGING_PREFIX, REPLACED_PREFIX)):
                continue
            entry.rename(replaced / entry.name)
        for entry in sorted(staged.iterdir()):
            entry.rename(root / entry.name)
    except OSError as error:
        raise RestoreError(
            _(
                "Moving files into %(root)s failed (%(error)s). The files that were there "
                "before are in %(replaced)s, the restored ones not yet moved in %(staged)s."
            )
            % {"root": root, "error": error, "replaced": replaced, "staged": staged}
        ) from error
    staged.rmdir()
    shutil.rmtree(replaced)


def restore_keys(staged: Path) -> None:
    try:
        os.replace(staged, keys_path())
    except OSError as error:
        raise RestoreError(
            _("Replacing %(path)s failed (%(error)s). The restored keys are in %(staged)s.")
            % {"path": keys_path(), "error": error, "staged": staged}
        ) from error
