"""Tasks left RUNNING by a worker that died: found by age, put back in the queue once (however
many recoverers run at once), run again by the next worker, and given up on after too many
attempts. Real task rows, made by the database backend and claimed the way its workers claim."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from cms import tasks_recovery
from hours.tasks import notify_supervisor_of_batch

from ..concurrency import run_together

DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database, as in production, instead of running at once."""
    settings.TASKS = DATABASE_BACKEND
    settings.TASK_STALE_AFTER_SECONDS = 600
    settings.TASK_MAX_ATTEMPTS = 3


def enqueue_and_claim(world, *, worker="worker-a", running_for=datetime.timedelta(minutes=15)):
    """A task a worker claimed ``running_for`` ago and never finished."""
    result = notify_supervisor_of_batch.enqueue(world.supervisor.pk, world.trainee.pk, [])
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(started_at=timezone.now() - running_for)
    return DBTaskResult.objects.get(pk=row.pk)


def run_worker(worker_id="worker-b"):
    """The package's own worker loop, in this process, until the queue is empty. It closes
    database connections between tasks, so tests using it run outside a test transaction."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()


def recover(*args) -> str:
    out = StringIO()
    call_command("recover_tasks", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_runs_again_once(
    world, database_tasks, mailoutbox, caplog
):
    stuck = enqueue_and_claim(world)
    output = recover()
    assert "Queued again: hours.tasks.notify_supervisor_of_batch" in output
    assert "1 task queued again" in output
    assert "queued again (attempt 2 of 3)" in caplog.text
    row = DBTaskResult.objects.get(pk=stuck.pk)
    assert row.status == TaskResultStatus.READY
    assert row.started_at is None
    assert row.args_kwargs == stuck.args_kwargs

    run_worker("worker-b")
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["worker-a", "worker-b"]
    assert len(mailoutbox) == 1
    assert "nothing to do" in recover()


def test_a_task_running_for_less_than_the_setting_is_left_alone(world, database_tasks, settings):
    young = enqueue_and_claim(world, running_for=datetime.timedelta(minutes=5))
    assert "nothing to do" in recover()
    assert DBTaskResult.objects.get(pk=young.pk).status == TaskResultStatus.RUNNING

    settings.TASK_STALE_AFTER_SECONDS = 240
    assert "1 task queued again" in recover()
    assert DBTaskResult.objects.get(pk=young.pk).status == TaskResultStatus.READY


def test_older_than_overrides_the_setting(world, database_tasks):
    young = enqueue_and_claim(world, running_for=datetime.timedelta(seconds=30))
    assert "nothing to do" in recover("--older-than", "60")
    assert "1 task queued again" in recover("--older-than", "20")
    assert DBTaskResult.objects.get(pk=young.pk).status == TaskResultStatus.READY


def test_older_than_must_be_seconds(world, database_tasks):
    with pytest.raises(CommandError, match="whole number of seconds"):
        recover("--older-than", "-5")


def test_finished_and_waiting_tasks_are_never_touched(world, database_tasks):
    done = enqueue_and_claim(world)
    done.set_successful(None)
    failed = enqueue_and_claim(world)
    failed.set_failed(RuntimeError("boom"))
    waiting = DBTaskResult.objects.get(
        pk=notify_supervisor_of_batch.enqueue(world.supervisor.pk, world.trainee.pk, []).id
    )
    assert "nothing to do" in recover("--older-than", "0")
    assert DBTaskResult.objects.get(pk=done.pk).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=failed.pk).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=waiting.pk).status == TaskResultStatus.READY


def test_a_dry_run_lists_and_changes_nothing(world, database_tasks):
    stuck = enqueue_and_claim(world)
    output = recover("--dry-run")
    assert f"Would run again: hours.tasks.notify_supervisor_of_batch ({stuck.pk})" in output
    assert "Nothing was changed" in output
    row = DBTaskResult.objects.get(pk=stuck.pk)
    assert (row.status, row.started_at) == (TaskResultStatus.RUNNING, stuck.started_at)


@pytest.mark.django_db(transaction=True)
def test_a_task_that_loses_its_worker_every_time_is_given_up(world, database_tasks, caplog):
    stuck = enqueue_and_claim(world, worker="worker-a")
    for worker in ("worker-b", "worker-c"):
        recover()
        row = DBTaskResult.objects.get(pk=stuck.pk)
        row.claim(worker)
        DBTaskResult.objects.filter(pk=row.pk).update(
            started_at=timezone.now() - datetime.timedelta(hours=1)
        )

    output = recover()
    assert "Marked failed: hours.tasks.notify_supervisor_of_batch" in output
    assert "died on all 3 attempts" in output
    assert "lost its worker on all 3 attempts" in caplog.text
    row = DBTaskResult.objects.get(pk=stuck.pk)
    assert row.status == TaskResultStatus.FAILED
    assert row.finished_at is not None
    error = row.task_result.errors[0]
    assert error.exception_class is tasks_recovery.WorkerLost
    assert "worker-c" in error.traceback
    run_worker()  # a failed task is not picked up again
    assert DBTaskResult.objects.get(pk=stuck.pk).status == TaskResultStatus.FAILED


def test_a_recoverer_that_read_too_early_leaves_the_new_run_alone(world, database_tasks):
    """Recoverer A reads the stuck task; recoverer B puts it back first and a worker claims it
    again. A's stale view must not reset that new run."""
    stuck = enqueue_and_claim(world)
    seen_by_a = tasks_recovery.find_stale()
    assert [task.id for task in seen_by_a] == [str(stuck.pk)]

    assert [r.outcome for r in tasks_recovery.recover_stale_tasks()] == [tasks_recovery.REQUEUED]
    DBTaskResult.objects.get(pk=stuck.pk).claim("worker-b")

    assert tasks_recovery.requeue(seen_by_a[0]) is False
    assert tasks_recovery.give_up(seen_by_a[0]) is False
    row = DBTaskResult.objects.get(pk=stuck.pk)
    assert row.status == TaskResultStatus.RUNNING
    assert row.worker_ids == ["worker-a", "worker-b"]


@pytest.mark.django_db(transaction=True)
def test_two_recoverers_at_once_queue_each_task_once(world, database_tasks):
    stuck = [enqueue_and_claim(world) for _ in range(4)]
    results, errors = run_together(tasks_recovery.recover_stale_tasks, count=2)
    assert errors == []
    requeued = [
        recovery.task.id
        for recoveries in results
        for recovery in recoveries
        if recovery.outcome == tasks_recovery.REQUEUED
    ]
    assert sorted(requeued) == sorted(str(row.pk) for row in stuck)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {TaskResultStatus.READY}
