"""Email holders whose credentials expire soon (90, 30 and 0 days before) or expired lately.

    manage.py send_reminders [--dry-run] [--date YYYY-MM-DD]

Meant to run once a day (a cron job or a systemd timer). Safe to run repeatedly, and two runs
at the same time: every reminder sent is recorded as an ``ExpiryReminder`` row, and the unique
constraint on (certificate, days before) decides which run sends it. Each reminder is recorded
in its own short transaction and its email goes out only after that commits, so a run that
stops half-way leaves every reminder either recorded and sent or neither. A run that missed
some days sends only the most urgent reminder due (``certificates.lifecycle.reminder_due``),
and nothing more than a week after expiry. ``--date`` runs as if on another day, for tests and
for catching up; ``--dry-run`` lists what would be sent and writes and sends nothing.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from certificates import lifecycle, selectors, tasks, wording
from certificates.models import Certificate, CertificateStatus, ExpiryReminder

CHUNK_SIZE = 500
TEMPLATE = "certificates/email/expiry_reminder.txt"


class Command(BaseCommand):
    help = "Email holders whose credentials expire soon (run once a day; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the reminders that would be sent; write and send nothing.",
        )
        parser.add_argument(
            "--date",
            metavar="YYYY-MM-DD",
            help="Run as if today were this date (default: today).",
        )

    def handle(self, *args, dry_run=False, date=None, **options):
        today = _parse_date(date)
        verbosity = options.get("verbosity", 1)
        sent = skipped = 0
        for certificate, thresholds in _due(today):
            subject, context = _message(certificate, today)
            line = _("%(number)s to %(email)s: %(subject)s") % {
                "number": certificate.number or certificate.pk,
                "email": certificate.holder.email,
                "subject": subject,
            }
            if dry_run:
                sent += 1
                self.stdout.write(f"  {line}")
                continue
            with transaction.atomic():
                if not _record(certificate, thresholds):
                    skipped += 1
                    continue
                transaction.on_commit(
                    partial(tasks.send_email, subject, TEMPLATE, context, certificate.holder.email)
                )
            sent += 1
            if verbosity > 1:
                self.stdout.write(f"  {line}")
        if verbosity == 0:
            return
        if skipped:
            self.stdout.write(
                ngettext(
                    "Skipped %(count)d reminder another run had already sent.",
                    "Skipped %(count)d reminders another run had already sent.",
                    skipped,
                )
                % {"count": skipped}
            )
        if not sent:
            self.stdout.write(_("Nothing to send."))
        elif dry_run:
            self.stdout.write(
                ngettext(
                    "Dry run: %(count)d reminder would be sent; nothing was saved or sent.",
                    "Dry run: %(count)d reminders would be sent; nothing was saved or sent.",
                    sent,
                )
                % {"count": sent}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext("Sent %(count)d reminder.", "Sent %(count)d reminders.", sent)
                    % {"count": sent}
                )
            )


def _parse_date(value) -> datetime.date:
    if value is None:
        return timezone.localdate()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("--date must be a date written YYYY-MM-DD, such as 2026-03-01 (got %(value)r).")
            % {"value": value}
        ) from error


def _candidates(today: datetime.date):
    """Active certificates whose expiry date is in the reminder window, filtered in the
    database: up to 90 days ahead and up to a week past."""
    return (
        Certificate.objects.filter(
            status=CertificateStatus.ACTIVE,
            expires_on__gte=today - datetime.timedelta(days=lifecycle.LATEST_REMINDER_DAYS_AFTER),
            expires_on__lte=today + datetime.timedelta(days=max(lifecycle.REMINDER_DAYS)),
        )
        .select_related("holder", "program_version")
        .defer("snapshot", "program_version__document", "program_version__requirements")
        .order_by("pk")
    )


def _chunks(queryset, size: int) -> Iterator[list[Certificate]]:
    """The queryset in primary-key order, ``size`` rows at a time (bounded in memory)."""
    last = 0
    while chunk := list(queryset.filter(pk__gt=last)[:size]):
        yield chunk
        last = chunk[-1].pk


def _due(today: datetime.date) -> Iterator[tuple[Certificate, set[int]]]:
    """Each certificate with a reminder due today, with every threshold to record with it (the
    one sent and any passed while the job did not run). The thresholds already recorded come
    in one query per chunk of certificates."""
    for chunk in _chunks(_candidates(today), CHUNK_SIZE):
        already_sent = defaultdict(set)
        for certificate_id, days in ExpiryReminder.objects.filter(
            certificate_id__in=[certificate.pk for certificate in chunk]
        ).values_list("certificate_id", "days_before"):
            already_sent[certificate_id].add(days)
        for certificate in chunk:
            days, thresholds = lifecycle.reminder_due(
                stored=certificate.status,
                expires_on=certificate.expires_on,
                already_sent=already_sent[certificate.pk],
                today=today,
            )
            if days is not None:
                yield certificate, thresholds


def _record(certificate: Certificate, thresholds: set[int]) -> bool:
    """Record the reminder; False if another run recorded any of these thresholds first (then
    that run sends the email, not this one)."""
    now = timezone.now()
    try:
        with transaction.atomic():
            ExpiryReminder.objects.bulk_create(
                [
                    ExpiryReminder(certificate=certificate, days_before=days, sent_at=now)
                    for days in sorted(thresholds)
                ],
                ignore_conflicts=False,
            )
    except IntegrityError:
        return False
    return True


def _plural_number(value: Decimal) -> int:
    """The number a plural form is chosen by: the value when whole, else 2 (as in
    ``certificates.wording``: only exactly 1 is singular in English)."""
    return int(value) if value == value.to_integral_value() else 2


def _message(certificate: Certificate, today: datetime.date) -> tuple[str, dict]:
    """The subject and the template context of the reminder about ``certificate``."""
    expires_on = certificate.expires_on
    days_left = (expires_on - today).days
    expires = formats.date_format(expires_on, "DATE_FORMAT")
    if days_left > 0:
        subject = _("Your %(title)s credential expires on %(date)s")
    elif days_left == 0:
        subject = _("Your %(title)s credential expires today")
    else:
        subject = _("Your %(title)s credential has expired")
    subject = subject % {"title": certificate.title, "date": expires}
    version = certificate.program_version
    renewal = (version.renewal if version else None) or {}
    rule = selectors.hours_rule_of(renewal.get("training"))
    grace_days = renewal.get("grace_days") or 0
    context = {
        "name": certificate.holder.display_name,
        "title": certificate.title,
        "number": certificate.number,
        "expires": expires,
        "days_left": days_left,
        "url": settings.SITE_URL + reverse("credentials"),
        "hours": wording.format_hours(rule.total) if rule else "",
        "hours_count": _plural_number(rule.total) if rule else 0,
        "can_renew": lifecycle.can_renew(
            stored=certificate.status,
            expires_on=expires_on,
            grace_days=grace_days,
            today=today,
        ),
        "renew_until": formats.date_format(
            expires_on + datetime.timedelta(days=grace_days), "DATE_FORMAT"
        )
        if grace_days and days_left <= 0
        else "",
    }
    return subject, context
