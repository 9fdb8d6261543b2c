"""Run again the background tasks whose worker died.

    manage.py recover_tasks [--dry-run] [--older-than SECONDS]

A task left RUNNING for longer than ``TASK_STALE_AFTER_SECONDS`` (default 600) by a worker that
was killed is put back in the queue, and the next worker runs it again; one that has lost its
worker ``TASK_MAX_ATTEMPTS`` times (default 3) is marked failed instead. ``cms.tasks_recovery``
explains how a dead worker is recognised and why this is safe beside running workers and
another run of this command. ``make run`` runs it at start; in production run it from cron or a
systemd timer every few minutes. ``--older-than`` overrides the setting (``--older-than 0``
right after every worker has been stopped); ``--dry-run`` lists what would change and changes
nothing. One transaction.
"""

from argparse import ArgumentTypeError
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cms import tasks_recovery


def seconds(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ArgumentTypeError(_("--older-than takes a whole number of seconds, 0 or more."))
    return number


class Command(BaseCommand):
    help = "Run again the background tasks left running by a worker that died."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the tasks that would be run again or given up on; change nothing.",
        )
        parser.add_argument(
            "--older-than",
            type=seconds,
            metavar="SECONDS",
            help=(
                "Treat a task as abandoned once it has been running this long "
                "(default: the TASK_STALE_AFTER_SECONDS setting)."
            ),
        )

    def handle(self, *args, dry_run=False, older_than=None, **options):
        verbosity = options.get("verbosity", 1)
        recoveries = tasks_recovery.recover_stale_tasks(
            older_than=None if older_than is None else timedelta(seconds=older_than),
            dry_run=dry_run,
        )
        counts = {
            outcome: sum(1 for recovery in recoveries if recovery.outcome == outcome)
            for outcome in (
                tasks_recovery.REQUEUED,
                tasks_recovery.GAVE_UP,
                tasks_recovery.ALREADY_HANDLED,
            )
        }
        if verbosity == 0:
            return
        for recovery in recoveries:
            self.stdout.write("  " + self._line(recovery, dry_run))
        if not recoveries:
            self.stdout.write(_("No task is stuck: nothing to do."))
            return
        requeued, gave_up = counts[tasks_recovery.REQUEUED], counts[tasks_recovery.GAVE_UP]
        if dry_run:
            self.stdout.write(
                _("Dry run: %(requeued)s and %(gave_up)s. Nothing was changed.")
                % {
                    "requeued": ngettext(
                        "%(count)d task would be run again",
                        "%(count)d tasks would be run again",
                        requeued,
                    )
                    % {"count": requeued},
                    "gave_up": ngettext(
                        "%(count)d would be marked failed",
                        "%(count)d would be marked failed",
                        gave_up,
                    )
                    % {"count": gave_up},
                }
            )
            return
        self.stdout.write(
            _("%(requeued)s, %(gave_up)s, %(handled)s.")
            % {
                "requeued": ngettext(
                    "%(count)d task queued again", "%(count)d tasks queued again", requeued
                )
                % {"count": requeued},
                "gave_up": ngettext("%(count)d marked failed", "%(count)d marked failed", gave_up)
                % {"count": gave_up},
                "handled": ngettext(
                    "%(count)d already handled by another run",
                    "%(count)d already handled by another run",
                    counts[tasks_recovery.ALREADY_HANDLED],
                )
                % {"count": counts[tasks_recovery.ALREADY_HANDLED]},
            }
        )

    def _line(self, recovery, dry_run: bool) -> str:
        task = recovery.task
        values = {
            "task": task.task_path,
            "id": task.id,
            "started": task.started_at.isoformat(timespec="seconds"),
            "worker": task.last_worker or "?",
            "attempts": task.attempts,
        }
        if recovery.outcome == tasks_recovery.REQUEUED:
            message = (
                _(
                    "Would run again: %(task)s (%(id)s), running since %(started)s on worker "
                    "%(worker)s, attempts so far: %(attempts)d."
                )
                if dry_run
                else _(
                    "Queued again: %(task)s (%(id)s), running since %(started)s on worker "
                    "%(worker)s, attempts so far: %(attempts)d."
                )
            )
        elif recovery.outcome == tasks_recovery.GAVE_UP:
            message = (
                _(
                    "Would mark failed: %(task)s (%(id)s), its worker died on all %(attempts)d "
                    "attempts."
                )
                if dry_run
                else _(
                    "Marked failed: %(task)s (%(id)s), its worker died on all %(attempts)d "
                    "attempts."
                )
            )
        else:
            message = _(
                "Left alone: %(task)s (%(id)s) changed while this ran (another recovery or a "
                "worker got to it first)."
            )
        return message % values
