"""Back up the whole site into one archive: the database, media files, private files
(certificate PDFs) and the issuer's signing keys.

    manage.py backup [--output PATH] [--dry-run]

The archive is ``var/backups/alongside-<UTC time>.tar.gz`` unless ``--output`` names a file
(or a folder to put it in). It is safe to run while the site runs: SQLite is copied with its
online backup API and PostgreSQL dumped with ``pg_dump`` from one snapshot, then the files are
added. It is written to a temporary file and renamed when complete, so a failed backup never
leaves a half archive under the final name.

The archive holds the private signing key of the credentials the site issues: it is written
readable by its owner only (mode 0600); store it like a password. ``cms/backup/`` describes
the archive; ``manage.py restore`` puts one back. ``--dry-run`` lists what would be saved, with
sizes, and writes nothing.

With media in S3-compatible buckets (``MEDIA_STORAGE=s3``) the archive holds no media: it says
so, and the buckets are kept with the object store's own versioning or replication.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from cms import backup
from cms.backup import archive, contents


class Command(BaseCommand):
    help = "Back up the database, media files, certificate PDFs and issuer keys into one archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            metavar="PATH",
            help="Archive to write, or a folder to write it in "
            "(default: var/backups/alongside-<UTC time>.tar.gz).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be saved, with sizes, and write nothing.",
        )

    def handle(self, *args, output=None, dry_run=False, **options):
        self.verbosity = options.get("verbosity", 1)
        now = timezone.now()
        path = contents.output_path(output, now=now)
        try:
            if dry_run:
                self.show_plan(contents.plan(output=path), path)
                return
            manifest = archive.create(path, now=now, report=self.progress)
        except backup.BackupError as error:
            raise CommandError(
                _("The backup failed: %(error)s No archive was written.") % {"error": error}
            ) from error
        if self.verbosity == 0:
            return
        buckets = manifest.get("object_storage")
        if buckets:
            self.report_without_media(path, manifest, buckets)
        else:
            if manifest["issuer_keys"]:
                message = _(
                    "Backup written to %(path)s (%(size)s): the database, media (%(media)s), "
                    "private files (%(private)s) and the issuer keys file."
                )
            else:
                message = _(
                    "Backup written to %(path)s (%(size)s): the database, media (%(media)s) and "
                    "private files (%(private)s)."
                )
            values = {
                "path": path,
                "size": backup.size_text(path.stat().st_size),
                "media": backup.files_text(manifest["folders"]["media"]),
                "private": backup.files_text(manifest["folders"]["private"]),
            }
            self.stdout.write(self.style.SUCCESS(message % values))
        if manifest["issuer_keys"]:
            self.stdout.write(
                _(
                    "It holds the private key that signs credentials: keep it as safely as a "
                    "password, where only the people who run the site can read it."
                )
            )

    def report_without_media(self, path, manifest: dict, buckets: dict[str, str]) -> None:
        """The result when media are in an object store (MEDIA_STORAGE=s3): what the archive
        holds, and that the buckets are not in it."""
        held = [_("the database")]
        held += [
            _("%(label)s (%(files)s)")
            % {"label": folder.label, "files": backup.files_text(manifest["folders"][folder.key])}
            for folder in backup.folders()
            if folder.key in manifest["folders"]
        ]
        if manifest["issuer_keys"]:
            held.append(_("the issuer keys file"))
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s (%(size)s): %(held)s.")
                % {
                    "path": path,
                    "size": backup.size_text(path.stat().st_size),
                    "held": ", ".join(held),
                }
            )
        )
        self.stdout.write(self.style.WARNING(backup.object_storage_note(buckets)))

    def progress(self, message: str) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"  {message}")

    def show_plan(self, plan: contents.Plan, path) -> None:
        self.stdout.write(
            _("Dry run: a backup made now would be written to %(path)s and hold:") % {"path": path}
        )
        vendor = backup.VENDOR_NAMES[plan.vendor]
        self.stdout.write(
            "  "
            + _("the %(vendor)s database %(name)s: %(size)s")
            % {
                "vendor": vendor,
                "name": plan.database,
                "size": backup.size_text(plan.database_size),
            }
        )
        for folder in backup.folders():
            entries = plan.folders[folder.key]
            self.stdout.write(
                "  "
                + _("%(label)s in %(root)s: %(files)s, %(size)s")
                % {
                    "label": folder.label,
                    "root": folder.root,
                    "files": backup.files_text(len(entries)),
                    "size": backup.size_text(sum(entry.size for entry in entries)),
                }
            )
        if plan.keys:
            self.stdout.write(
                "  "
                + _("the issuer keys file %(path)s: %(size)s")
                % {"path": plan.keys.path, "size": backup.size_text(plan.keys.size)}
            )
        for note in plan.notes:
            self.stdout.write("  " + note)
        self.stdout.write(
            _("About %(size)s before compression. Nothing was written.")
            % {"size": backup.size_text(plan.total_size)}
        )
