"""Import course packages (``course-package/1`` JSON files) into the site.

    manage.py import_course FILE... [--dry-run]

Every file is checked before anything is written, and the whole batch is one transaction: if any
file is refused, nothing is imported and every problem is listed as ``file: path: message``.
Courses are imported in prerequisite order; a course already on the site (same slug) is
updated, and one whose content already matches its file is left untouched.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.packages import PackageError, import_packages


class Command(BaseCommand):
    help = "Import course packages (JSON files in the course-package/1 format)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="course package files")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and show what would change, then roll back.",
        )

    def handle(self, *args, files, dry_run=False, **options):
        try:
            report = import_packages(_read(files), dry_run=dry_run)
        except PackageError as error:
            raise CommandError(
                f"Nothing was imported. Fix these problems and try again:\n{error}"
            ) from error
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was saved.")


def _read(names: list[str]) -> list[tuple[str, bytes]]:
    """The files' contents, or a ``CommandError`` naming every file that cannot be read."""
    files, problems = [], []
    for name in names:
        try:
            files.append((name, Path(name).read_bytes()))
        except OSError as error:
            problems.append(f"{name}: cannot be read ({error.strerror or error}).")
    if problems:
        raise CommandError("Nothing was imported.\n" + "\n".join(problems))
    return files
