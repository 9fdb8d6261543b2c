"""Background tasks whose worker died: found, and run again.

The database task backend (``django_tasks_db``) marks a task RUNNING when a worker claims it and
records the outcome when the task returns. A worker killed in between (SIGKILL, out of memory, a
lost machine, a deploy that did not wait) leaves the task RUNNING for ever: the package neither
notices nor retries. This module does.

**How a dead worker is recognised: by age.** The package records when the current run started
(``started_at``) and the id of every worker that claimed the task (``worker_ids``), but no
heartbeat, so a live worker and a dead one look the same until the run takes too long. A task
RUNNING for longer than ``TASK_STALE_AFTER_SECONDS`` (default 600) is taken to have lost its
worker. Choose it well above the longest task (a certificate render takes seconds): a task that is
only slow would otherwise run twice at once. Every task is written to be safe to run twice, so
that is a waste, never a wrong record.

**How it runs again: the same row goes back to READY.** Rather than enqueueing a copy, the row's
status is set back to READY and its ``started_at`` cleared, so the next free worker claims it as
usual. The task keeps its id (anyone holding the result sees it finish), its arguments, priority
and queue, and its ``worker_ids`` keep one entry per attempt, so attempts are counted without a
column of our own. A task that has already been claimed ``TASK_MAX_ATTEMPTS`` times (default 3)
is not run again but marked FAILED with a ``WorkerLost`` error: a task that kills its worker
every time (a render that runs out of memory) must not loop for ever.

**Safe under concurrency.** Each change is one conditional UPDATE that matches the status *and*
the ``started_at`` that was read (compare and swap). Two recoverers at once: the first update
wins, the second matches no row. A recoverer that read a task, then lost the race to another
recoverer and to a worker that claimed the task again, finds a new ``started_at`` and leaves
that new run alone.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

REQUEUED = "requeued"
GAVE_UP = "gave_up"
ALREADY_HANDLED = "already_handled"


class WorkerLost(Exception):
    """Recorded as the error of a task whose worker died on every attempt."""


def stale_after() -> timedelta:
    """How long a task may be RUNNING before its worker is taken to be dead."""
    return timedelta(seconds=settings.TASK_STALE_AFTER_SECONDS)


def max_attempts() -> int:
    """How many times a task may be claimed before recovery gives up on it."""
    return max(1, settings.TASK_MAX_ATTEMPTS)


@dataclass(frozen=True)
class StaleTask:
    """A task seen RUNNING for too long, as it was read (the values the update must match)."""

    id: str
    task_path: str
    args_kwargs: dict
    started_at: datetime
    worker_ids: tuple[str, ...]

    @property
    def attempts(self) -> int:
        return len(self.worker_ids)

    @property
    def last_worker(self) -> str:
        return self.worker_ids[-1] if self.worker_ids else ""


@dataclass(frozen=True)
class Recovery:
    task: StaleTask
    outcome: str
    """``REQUEUED``, ``GAVE_UP``, or ``ALREADY_HANDLED`` (another recoverer or a worker changed
    the task after it was read); in a dry run, what would be done."""


def find_stale(*, older_than: timedelta | None = None, now: datetime | None = None):
    """Tasks RUNNING since before ``now - older_than`` (default: the setting), oldest first."""
    cutoff = (now or timezone.now()) - (stale_after() if older_than is None else older_than)
    rows = (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lte=cutoff)
        .order_by("started_at", "id")
        .values_list("id", "task_path", "args_kwargs", "started_at", "worker_ids")
    )
    return [
        StaleTask(
            id=str(pk),
            task_path=path,
            args_kwargs=args_kwargs,
            started_at=started_at,
            worker_ids=tuple(worker_ids or ()),
        )
        for pk, path, args_kwargs, started_at, worker_ids in rows
    ]


def _still_as_read(stale: StaleTask):
    return DBTaskResult.objects.filter(
        pk=stale.id, status=TaskResultStatus.RUNNING, started_at=stale.started_at
    )


def requeue(stale: StaleTask) -> bool:
    """Put the task back in the queue, unless it changed since it was read. True if it was."""
    return bool(_still_as_read(stale).update(status=TaskResultStatus.READY, started_at=None))


def give_up(stale: StaleTask, *, now: datetime | None = None) -> bool:
    """Mark the task failed because its worker died on every attempt, unless it changed since it
    was read. True if it was."""
    message = (
        f"{WorkerLost.__module__}.{WorkerLost.__qualname__}: the worker running this task "
        f"stopped without recording a result, {stale.attempts} times (last worker "
        f"{stale.last_worker or 'unknown'}, started {stale.started_at.isoformat()}). "
        "It is not run again automatically: check the worker's logs (out of memory?), fix the "
        "cause, then enqueue the task again.\n"
    )
    return bool(
        _still_as_read(stale).update(
            status=TaskResultStatus.FAILED,
            finished_at=now or timezone.now(),
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=message,
            return_value=None,
        )
    )


def recover_stale_tasks(
    *, older_than: timedelta | None = None, dry_run: bool = False, now: datetime | None = None
) -> list[Recovery]:
    """Run again every task whose worker is taken to be dead; give up on those out of attempts.

    One transaction; each change is conditional, so running this twice at once, or beside the
    workers, changes each task once."""
    now = now or timezone.now()
    limit = max_attempts()
    recoveries = []
    with transaction.atomic():
        for stale in find_stale(older_than=older_than, now=now):
            out_of_attempts = stale.attempts >= limit
            if dry_run:
                recoveries.append(Recovery(stale, GAVE_UP if out_of_attempts else REQUEUED))
                continue
            if out_of_attempts:
                changed = give_up(stale, now=now)
                outcome = GAVE_UP if changed else ALREADY_HANDLED
            else:
                changed = requeue(stale)
                outcome = REQUEUED if changed else ALREADY_HANDLED
            recoveries.append(Recovery(stale, outcome))
            _log(stale, outcome, limit)
    return recoveries


def _log(stale: StaleTask, outcome: str, limit: int) -> None:
    if outcome == REQUEUED:
        logger.warning(
            "Task %s (%s) was left running since %s by worker %s, which is taken to be dead: "
            "queued again (attempt %d of %d).",
            stale.task_path,
            stale.id,
            stale.started_at.isoformat(),
            stale.last_worker or "unknown",
            stale.attempts + 1,
            limit,
        )
    elif outcome == GAVE_UP:
        logger.error(
            "Task %s (%s) lost its worker on all %d attempts (last worker %s): marked failed, "
            "not run again.",
            stale.task_path,
            stale.id,
            stale.attempts,
            stale.last_worker or "unknown",
        )
