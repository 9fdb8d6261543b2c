"""A worker killed while it renders a certificate PDF: recovery puts the task back, the next
worker runs it again, and the certificate ends with its credential signed once and exactly one
PDF file.

Real processes on the test's own database: ``manage.py db_worker`` is started beside the test,
stopped with SIGSTOP part-way through the render (stepped forward until the credential is
signed and the PDF not yet stored), killed with SIGKILL, then ``recover_tasks`` and a second
worker run. Nothing in the product knows it is being tested."""

import io
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate

from .builders import make_program

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs POSIX signals"),
]

ROOT = Path(__file__).resolve().parents[2]
RENDER_TASK = "certificates.tasks.render_certificate"
DATABASE_BACKEND = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
}
DEADLINE = 90  # seconds at most for the whole scenario (about 12 on an idle machine)


def database_url() -> str:
    """The test database (not the configured one) as a DATABASE_URL for a child process."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    assert connection.vendor == "postgresql", connection.vendor
    credentials = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        credentials += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "localhost"
    port = f":{params['PORT']}" if params["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{params['NAME']}"


def worker_environment(tmp_path: Path) -> dict:
    """Settings pointing at this test's database, private storage and signing keys. Without
    PYTEST_VERSION the child is not in test mode, so it uses the database task backend and the
    folders given here. DEBUG is on only so the PDF's bundled fonts are found without a
    ``collectstatic`` run (production serves them from the collected manifest)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTEST_VERSION", "ISSUER_KEYS", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        DATABASE_URL=database_url(),
        DEBUG="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL=settings.SITE_URL,
        ALLOWED_HOSTS="testserver",
        PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        MEDIA_ROOT=str(tmp_path / "media"),
        ISSUER_KEYS_FILE=str(settings.ISSUER_KEYS_FILE),
        EMAIL_URL="consolemail://",
        LOG_LEVEL="WARNING",
    )
    return env


def start_worker(env: dict, worker_id: str, log: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.05",
            "--worker-id",
            worker_id,
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def is_stopped(process: subprocess.Popen) -> bool:
    """True once the process is in the stopped state (SIGSTOP is delivered asynchronously)."""
    stat = Path(f"/proc/{process.pid}/stat")
    if not stat.exists():
        time.sleep(0.02)
        return True
    return stat.read_text().rsplit(")", 1)[1].split()[0] == "T"


def pause(process: subprocess.Popen, deadline: float) -> None:
    process.send_signal(signal.SIGSTOP)
    while not is_stopped(process):
        assert time.monotonic() < deadline, "the worker did not stop"
        time.sleep(0.001)


def render_row() -> DBTaskResult | None:
    return DBTaskResult.objects.filter(task_path=RENDER_TASK).first()


def pdf_files(certificate: Certificate) -> list[str]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "certificates"
    if not folder.exists():
        return []
    return sorted(name for name in os.listdir(folder) if certificate.verification_code in name)


def describe(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no output)"


def test_a_worker_killed_mid_render_is_recovered_with_exactly_one_pdf(world, settings, tmp_path):
    settings.TASKS = DATABASE_BACKEND
    version = make_program("micro", title="Professional Boundaries in Peer Support")
    services.program_start(trainee=world.trainee, program=version.program)
    certificate = Certificate.objects.get(holder=world.trainee)
    row = render_row()
    assert row is not None and row.status == TaskResultStatus.READY
    assert not certificate.pdf and certificate.credential is None

    env = worker_environment(tmp_path)
    deadline = time.monotonic() + DEADLINE
    first_log, second_log = tmp_path / "worker-1.log", tmp_path / "worker-2.log"
    first = start_worker(env, "worker-killed", first_log)
    second = None
    try:
        # 1. Wait until the worker has claimed the render, and freeze it at once.
        while render_row().status != TaskResultStatus.RUNNING:
            assert first.poll() is None, f"the worker exited early:\n{describe(first_log)}"
            assert time.monotonic() < deadline, f"never claimed:\n{describe(first_log)}"
            time.sleep(0.005)
        pause(first, deadline)

        # 2. Step it forward a few milliseconds at a time until the credential is signed (the
        # render has begun) while the PDF is not stored yet: the middle of rendering.
        while True:
            certificate.refresh_from_db()
            assert not certificate.pdf, "the render finished before the worker could be stopped"
            if certificate.credential is not None:
                break
            assert time.monotonic() < deadline, f"never signed:\n{describe(first_log)}"
            first.send_signal(signal.SIGCONT)
            time.sleep(0.005)
            pause(first, deadline)
        signed = certificate.credential

        # 3. Kill it mid-render. The task is left RUNNING with nobody to finish it.
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        row = render_row()
        assert row.status == TaskResultStatus.RUNNING
        assert row.worker_ids == ["worker-killed"]

        # 4. Recovery puts it back in the queue (every worker is gone, so no age is needed).
        out = io.StringIO()
        call_command("recover_tasks", "--older-than", "0", stdout=out)
        assert f"Queued again: {RENDER_TASK} ({row.pk})" in out.getvalue()
        assert render_row().status == TaskResultStatus.READY

        # 5. A new worker runs everything waiting, then exits.
        second = start_worker(env, "worker-second", second_log, "--batch")
        second.wait(timeout=max(1, deadline - time.monotonic()))
        assert second.returncode == 0, describe(second_log)
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)

    row = render_row()
    assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback or describe(second_log)
    assert row.worker_ids == ["worker-killed", "worker-second"]
    certificate.refresh_from_db()
    assert certificate.pdf.name == f"certificates/{certificate.verification_code}.pdf"
    assert certificate.pdf_rendered_at is not None
    assert certificate.credential == signed  # signed once, by the killed worker, never again
    assert pdf_files(certificate) == [f"{certificate.verification_code}.pdf"]
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(handle)
        assert certificate.number in reader.pages[0].extract_text()
        assert "credential.json" in reader.attachments
    # The issue email waited behind the render and went out once, from the second worker.
    assert describe(second_log).count("Subject: You have earned") == 1
    assert "Subject:" not in describe(first_log)
