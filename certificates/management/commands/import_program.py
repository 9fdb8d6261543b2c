"""Import credential programs (``credential-program/1`` JSON files) into the site.

    manage.py import_program FILE... [--dry-run]

Every file is checked before anything is written, and the whole batch is one transaction: if any
file is refused, nothing is imported and every problem is listed as ``file: path: message`` on
stderr, with a non-zero exit. A program is matched by slug: a new slug creates it, a changed file
adds a new version, and a file identical to the current version writes nothing. The courses a
program requires must be on the site already (import them first with ``import_course``).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certificates.program_files import import_programs
from cms.exchange import PackageError


class Command(BaseCommand):
    help = "Import credential programs (JSON files in the credential-program/1 format)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="credential program files")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and show what would change, then roll back.",
        )

    def handle(self, *args, files, dry_run=False, **options):
        try:
            report = import_programs(_read(files), dry_run=dry_run)
        except PackageError as error:
            raise CommandError(
                _("Nothing was imported. Fix these problems and try again:\n%(problems)s")
                % {"problems": error}
            ) from error
        for line in report.changes() or [_("Nothing changed.")]:
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was saved."))


def _read(names: list[str]) -> list[tuple[str, bytes]]:
    """The files' contents, or a ``CommandError`` naming every file that cannot be read."""
    files, problems = [], []
    for name in names:
        try:
            files.append((name, Path(name).read_bytes()))
        except OSError as error:
            problems.append(
                _("%(name)s: cannot be read (%(reason)s).")
                % {"name": name, "reason": error.strerror or error}
            )
    if problems:
        raise CommandError("\n".join([_("Nothing was imported."), *problems]))
    return files
