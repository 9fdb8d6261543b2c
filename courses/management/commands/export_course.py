"""Write a course as a course package (``course-package/1`` JSON).

    manage.py export_course SLUG [-o FILE]

Writes to standard output unless ``-o`` names a file. Importing the result into a site that has
the course changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.models import CoursePage
from courses.packages import dump_package, export_course


class Command(BaseCommand):
    help = "Export a course as a course package (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("slug", metavar="SLUG", help="the course's slug")
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not to stdout")

    def handle(self, *args, slug, output=None, **options):
        course = CoursePage.objects.filter(slug=slug).first()
        if course is None:
            raise CommandError(f"No course with the slug '{slug}'.")
        text = dump_package(export_course(course))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror or error}.") from error
        self.stdout.write(f"Wrote {slug} to {output}.")
