"""Make certificate PDFs again: those missing from private storage, or every one.

    manage.py rerender_certificates [--missing | --all] [--number NUMBER ...]
                                    [--batch-size N] [--dry-run]

``--missing`` (the default) renders the certificates that have no PDF, or whose PDF file is no
longer in private storage: after a failed write (a full disk, a folder that was not writable),
or a restore of the database without its files. ``--all`` renders every certificate again, for
example after the certificate template changed. ``--number`` renders only the certificates with
these numbers (``AL-2025-17``), whatever their state, or with ``--missing`` only those of them
that are missing. ``--dry-run`` lists what would be rendered and changes nothing.

Each certificate is rendered by the background task's own code (``render_certificate``), which
signs the credential if it is not yet signed (never again once it is), and stores the PDF under
one fixed name per certificate under a row lock. So running this twice, or beside a worker,
never makes a second file, and a run that stops half-way keeps what it finished: the next run
does the rest. That is also why there is no single transaction around the run: a PDF is a file,
not a row, and holding one lock over hundreds of renders would block the site. Certificates are
read in batches of ``--batch-size`` (default 100) so memory stays bounded on a large site.

A storage error (the disk is still full, the folder still not writable) stops the run at once,
since every other certificate would fail the same way; certificates are left as they were.
Any other error is reported for that certificate and the run goes on; the command then fails
and lists them.
"""

import logging
from argparse import ArgumentTypeError
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certificates import tasks
from certificates.models import Certificate
from config.storage import STORAGE_ERRORS

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 100


def batch_size(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise ArgumentTypeError(_("--batch-size takes a whole number, 1 or more."))
    return number


def batches(queryset: QuerySet, size: int) -> Iterator[list[Certificate]]:
    """The queryset in primary-key order, ``size`` rows a query (keyset pagination, so rows
    that change while the run goes on are neither skipped nor read twice)."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def why_missing(certificate: Certificate) -> str | None:
    """Why the certificate needs its PDF made, or None if its file is there."""
    if not certificate.pdf:
        return _("no PDF yet")
    if not certificate.pdf.storage.exists(certificate.pdf.name):
        return _("its file is missing from storage")
    return None


class Command(BaseCommand):
    help = "Make certificate PDFs again: those missing from storage (default), or all of them."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--missing",
            action="store_true",
            help="Certificates without a PDF, or whose file is not in storage (the default).",
        )
        which.add_argument("--all", action="store_true", dest="every", help="Every certificate.")
        parser.add_argument(
            "--number",
            nargs="+",
            dest="numbers",
            metavar="NUMBER",
            help="Only the certificates with these numbers, e.g. AL-2025-17.",
        )
        parser.add_argument(
            "--batch-size",
            type=batch_size,
            default=DEFAULT_BATCH_SIZE,
            metavar="N",
            help="Certificates read at a time (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the certificates that would be rendered; change nothing.",
        )

    def handle(
        self,
        *args,
        missing=False,
        every=False,
        numbers=None,
        batch_size=DEFAULT_BATCH_SIZE,
        dry_run=False,
        **options,
    ):
        verbosity = options.get("verbosity", 1)
        if every and numbers:
            raise CommandError(_("Give either --all or --number, not both."))
        queryset = Certificate.objects.only("pk", "number", "title", "name_as_printed", "pdf")
        if numbers:
            queryset = queryset.filter(number__in=numbers)
            unknown = sorted(set(numbers) - set(queryset.values_list("number", flat=True)))
            if unknown:
                raise CommandError(
                    _("No certificate has the number %(numbers)s. Nothing was rendered.")
                    % {"numbers": ", ".join(unknown)}
                )
        only_missing = missing or not (every or numbers)

        rendered, failed = [], []
        for batch in batches(queryset, batch_size):
            for certificate in batch:
                reason = why_missing(certificate) if only_missing else _("as asked")
                if reason is None:
                    continue
                label = _("%(number)s (%(title)s, %(name)s): %(reason)s") % {
                    "number": certificate.number or certificate.pk,
                    "title": certificate.title,
                    "name": certificate.name_as_printed,
                    "reason": reason,
                }
                if dry_run:
                    rendered.append(certificate)
                    if verbosity:
                        self.stdout.write("  " + _("Would render %(label)s") % {"label": label})
                    continue
                try:
                    tasks.render_certificate.call(certificate.pk)
                except STORAGE_ERRORS as error:
                    raise CommandError(
                        _(
                            "Stopped at %(number)s: its PDF could not be written to private "
                            "storage (%(error)s). The certificate is unchanged. Make room or "
                            "make the folder writable, then run this command again; "
                            "%(count)s before it."
                        )
                        % {
                            "number": certificate.number or certificate.pk,
                            "error": error,
                            "count": ngettext(
                                "%(done)d certificate was rendered",
                                "%(done)d certificates were rendered",
                                len(rendered),
                            )
                            % {"done": len(rendered)},
                        }
                    ) from error
                except Exception:
                    logger.exception("Could not render certificate %s", certificate.number)
                    failed.append(certificate)
                    if verbosity:
                        self.stderr.write(
                            "  " + _("Failed %(label)s (see the log)") % {"label": label}
                        )
                    continue
                rendered.append(certificate)
                if verbosity:
                    self.stdout.write("  " + _("Rendered %(label)s") % {"label": label})

        if failed:
            raise CommandError(
                ngettext(
                    "%(count)d certificate could not be rendered: %(numbers)s.",
                    "%(count)d certificates could not be rendered: %(numbers)s.",
                    len(failed),
                )
                % {
                    "count": len(failed),
                    "numbers": ", ".join(str(c.number or c.pk) for c in failed),
                }
            )
        if not verbosity:
            return
        if not rendered:
            self.stdout.write(
                _("Every certificate has its PDF: nothing to do.")
                if only_missing
                else _("No certificate to render.")
            )
        elif dry_run:
            self.stdout.write(
                ngettext(
                    "Dry run: %(count)d certificate would be rendered. Nothing was changed.",
                    "Dry run: %(count)d certificates would be rendered. Nothing was changed.",
                    len(rendered),
                )
                % {"count": len(rendered)}
            )
        else:
            self.stdout.write(
                ngettext(
                    "%(count)d certificate rendered.",
                    "%(count)d certificates rendered.",
                    len(rendered),
                )
                % {"count": len(rendered)}
            )
