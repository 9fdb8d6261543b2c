"""Restore the site from an archive made by ``manage.py backup``.

    manage.py restore PATH [--yes] [--dry-run]

Stop the web server and the task worker first. The restore goes into the configured database
(``DATABASE_URL``), ``MEDIA_ROOT``, ``PRIVATE_MEDIA_ROOT`` and ``ISSUER_KEYS_FILE``.

Before changing anything it reads the whole archive and refuses, with nothing changed: a
damaged archive or one whose checksums do not match its manifest, a backup of another database
vendor (SQLite into PostgreSQL or the reverse), and a backup made by a newer version of the
code. When the database has rows, the media folders have files or the keys file differs, it
asks before replacing them; ``--yes`` answers for you, and without a terminal it refuses unless
given ``--yes``.

Then it unpacks everything to hidden staging places and restores the database first, in one
transaction (SQLite: the online backup API into the database file; PostgreSQL: ``pg_restore
--clean --if-exists --no-owner --single-transaction`` with the sign-off maintenance switch on),
so a failure there changes nothing. The media folder, the private folder and the keys file
follow, each swapped in by renames; a failure names the part, and running the same restore
again finishes it. Last, the row counts of key tables are compared with the manifest's.

With media in S3-compatible buckets (``MEDIA_STORAGE=s3``, here or where the backup was made)
the media folders are left alone: such a backup holds none, and a restore never writes into a
bucket (it says how to copy the files in by hand).

A folder ends up holding exactly the files in the backup. A keys file is never deleted: when
the backup holds none, the current file stays. ``--dry-run`` checks the archive and says what
would be replaced, and changes nothing.
"""

import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from cms import backup
from cms.backup import archive, database, restoring


class Command(BaseCommand):
    help = "Restore the database, media files, certificate PDFs and issuer keys from a backup."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="Archive made by manage.py backup.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace the existing database and files without asking.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the archive and show what would be replaced; change nothing.",
        )

    def handle(self, *args, path, yes=False, dry_run=False, **options):
        self.stdin = options.get("stdin", sys.stdin)
        source = Path(path)
        try:
            manifest = archive.read_manifest(source)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        if manifest["issuer_keys"]:
            message = _(
                "Checked %(path)s, made %(created)s: a %(vendor)s database, media (%(media)s), "
                "private files (%(private)s) and the issuer keys file. Every checksum matches."
            )
        else:
            message = _(
                "Checked %(path)s, made %(created)s: a %(vendor)s database, media (%(media)s) "
                "and private files (%(private)s), no issuer keys file. Every checksum matches."
            )
        self.stdout.write(
            message
            % {
                "path": source,
                "created": manifest["created_at"],
                "vendor": backup.VENDOR_NAMES[manifest["database"]["vendor"]],
                "media": backup.files_text(manifest["folders"].get("media", 0)),
                "private": backup.files_text(manifest["folders"].get("private", 0)),
            }
        )
        self.check_target(manifest)
        self.note_object_storage(manifest, source)
        existing = restoring.existing_data(manifest)
        if dry_run:
            self.stdout.write(_("A restore would replace:"))
            for item in existing or [_("nothing: the database and folders are empty")]:
                self.stdout.write(f"  {item}")
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        if existing and not yes:
            self.confirm(existing)
        self.restore(source, manifest)

    def check_target(self, manifest: dict) -> None:
        problem = restoring.layout_problem()
        if problem:
            raise CommandError(problem)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise CommandError(
                _(
                    "This backup holds a %(backup)s database, but this site is set up for "
                    "%(site)s (DATABASE_URL). A backup can only be restored into the same kind "
                    "of database. Nothing was changed."
                )
                % {
                    "backup": backup.VENDOR_NAMES[vendor],
                    "site": backup.VENDOR_NAMES.get(connection.vendor, connection.vendor),
                }
            )
        unknown, self.needs_migrate = database.migration_problems(manifest)
        if unknown:
            raise CommandError(
                _(
                    "This backup was made by a newer version of Alongside: this code does not "
                    "have the migrations %(names)s. Update the code, then restore. Nothing was "
                    "changed."
                )
                % {"names": ", ".join(unknown[:5])}
            )
        if manifest.get("site_url") and manifest["site_url"] != settings.SITE_URL:
            self.stderr.write(
                _(
                    "Warning: the backup was made with SITE_URL %(backup)s, and this site has "
                    "%(site)s. Signed credentials name the issuer by its address (did:web:%(host)s), "
                    "so they verify only once SITE_URL is set back to %(backup)s."
                )
                % {
                    "backup": manifest["site_url"],
                    "site": settings.SITE_URL,
                    "host": urlsplit(manifest["site_url"]).netloc,
                }
            )

    def note_object_storage(self, manifest: dict, source: Path) -> None:
        """Say which media a restore leaves alone because an object store holds them."""
        if manifest.get("object_storage"):
            self.stdout.write(
                _(
                    "The backup was made with media in an object store (buckets: %(buckets)s), "
                    "so it holds none: this site's media are left as they are."
                )
                % {"buckets": ", ".join(sorted(set(manifest["object_storage"].values())))}
            )
        buckets = backup.object_storage()
        left_out = {key: bucket for key, bucket in buckets.items() if manifest["folders"].get(key)}
        if left_out:
            self.stderr.write(
                _(
                    "Warning: the backup holds media files (%(files)s), but this site keeps "
                    "media in an object store (MEDIA_STORAGE=s3), and a restore does not copy "
                    "files into it. To put them back, unpack them (tar -xzf %(path)s %(parts)s) and upload "
                    "each folder into its bucket (%(buckets)s) with the store's own tools."
                )
                % {
                    "files": backup.files_text(sum(manifest["folders"][key] for key in left_out)),
                    "path": source,
                    "parts": " ".join(sorted(left_out)),
                    "buckets": ", ".join(
                        f"{key}/ into {left_out[key]}" for key in sorted(left_out)
                    ),
                }
            )

    def confirm(self, existing: list[str]) -> None:
        lines = [_("Restoring replaces:")] + [f"  {item}" for item in existing]
        if not self.stdin.isatty():
            raise CommandError(
                "\n".join(
                    [
                        *lines,
                        _(
                            "Nothing was changed. Run again with --yes to replace them, or "
                            "point DATABASE_URL and the folders at empty places."
                        ),
                    ]
                )
            )
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(_("Type yes to replace them: "), ending="")
        self.stdout.flush()
        if self.stdin.readline().strip().lower() != "yes":
            raise CommandError(_("Restore cancelled. Nothing was changed."))

    def restore(self, source: Path, manifest: dict) -> None:
        vendor = manifest["database"]["vendor"]
        folders = restoring.restored_folders(manifest)
        with tempfile.TemporaryDirectory(prefix="alongside-restore-") as work:
            try:
                staged = restoring.stage(source, manifest, Path(work))
            except backup.BackupError as error:
                raise CommandError(str(error)) from error
            pending = {folder.key for folder in folders} | {"keys"}
            try:
                self.stdout.write(_("Restoring the database..."))
                try:
                    database.restore_database(staged.database, vendor)
                except backup.BackupError as error:
                    raise CommandError(
                        _(
                            "Restoring the database failed, and it is as it was: %(error)s "
                            "No files were changed."
                        )
                        % {"error": error}
                    ) from error
                for folder in folders:
                    self.stdout.write(
                        _("Restoring %(label)s into %(root)s...")
                        % {"label": folder.label, "root": folder.root}
                    )
                    pending.discard(folder.key)
                    self.run_part(
                        folder.label,
                        lambda folder=folder: restoring.swap_folder(
                            folder.root, staged.folders[folder.key]
                        ),
                    )
                pending.discard("keys")
                if staged.keys is not None:
                    self.stdout.write(
                        _("Restoring the issuer keys file %(path)s...")
                        % {"path": backup.keys_path()}
                    )
                    self.run_part(
                        _("the issuer keys file"), lambda: restoring.restore_keys(staged.keys)
                    )
                else:
                    self.stdout.write(
                        _("The backup holds no issuer keys file; %(path)s was left as it was.")
                        % {"path": backup.keys_path()}
                    )
            finally:
                # Parts never reached are discarded; a part that failed keeps what its
                # message points to.
                staged.discard(pending)
        self.report(manifest)

    def run_part(self, label: str, action) -> None:
        try:
            action()
        except (backup.BackupError, OSError) as error:
            raise CommandError(
                _(
                    "The database was restored, but restoring %(part)s failed: %(error)s "
                    "Run the same restore again with --yes to finish."
                )
                % {"part": label, "error": error}
            ) from error

    def report(self, manifest: dict) -> None:
        rows, extra = database.compare_counts(manifest)
        self.stdout.write(_("Rows in the restored database, compared with the backup:"))
        width = max((len(row.table) for row in rows), default=0)
        for row in rows:
            restored = "-" if row.restored is None else row.restored
            self.stdout.write(
                f"  {row.table:<{width}}  {restored:>7}  "
                + (_("(backup: %(count)s)") % {"count": row.backup})
            )
        if extra:
            self.stderr.write(
                _(
                    "Warning: these tables were not in the backup and were left as they were: "
                    "%(tables)s. Drop them if the database should match the backup exactly."
                )
                % {"tables": ", ".join(extra)}
            )
        different = [row.table for row in rows if row.restored != row.backup]
        if different:
            raise CommandError(
                _(
                    "The restored database does not match the backup: the counts of %(tables)s "
                    "differ. Check the messages above before starting the site."
                )
                % {"tables": ", ".join(different)}
            )
        for folder in restoring.set_aside():
            self.stderr.write(
                _(
                    "Note: %(folder)s holds the files an interrupted restore set aside. Delete "
                    "it once you are sure you do not need them."
                )
                % {"folder": folder}
            )
        if self.needs_migrate:
            self.stdout.write(
                _(
                    "The backup was made by an older version: run manage.py migrate before "
                    "starting the site."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Restore complete. Start the web server and the task worker again, and "
                    "check a credential at /verify/<code>/."
                )
            )
        )
