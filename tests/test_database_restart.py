"""The database restarts, or goes away for a while, under a running site: requests made while
it is down get the site's own error page (500, no stack trace, nothing about the database), and
once it is back requests succeed again by themselves, without restarting the site.

A throwaway PostgreSQL cluster made with ``initdb`` on a free loopback port (never the shared
server), the site migrated onto it and served by gunicorn with production settings: DEBUG off,
persistent connections (``CONN_MAX_AGE``) with ``CONN_HEALTH_CHECKS``, one worker so every
request reuses the same connection. Bounded: every step has a timeout, and the server and the
cluster are stopped and the folder removed whatever happens."""

import contextlib
import glob
import http.client
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEP_TIMEOUT = 300  # seconds for migrate and collectstatic, side by side (slow on a busy machine)
DATABASE = "alongside"


def postgres_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: from PATH, /usr/local/bin, or the newest
    /usr/lib/postgresql/<version>/bin."""
    candidates = [shutil.which("initdb"), "/usr/local/bin/initdb"]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
        reverse=True,
    )
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            folder = Path(candidate).resolve().parent
            if os.access(folder / "pg_ctl", os.X_OK):
                return folder
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited:\n{log.read_text()[-3000:]}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answered on port {port} within {timeout} s")


class Cluster:
    """A PostgreSQL cluster of its own in a temporary folder. initdb refuses to run as root,
    so as root the cluster belongs to the ``postgres`` system user and its commands run through
    ``runuser``."""

    def __init__(self, binaries: Path):
        self.binaries = binaries
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                owner = None
            if not runuser or owner is None:
                pytest.skip(
                    "running as root, and there is no postgres user and runuser to run initdb"
                )
            self.as_user = [runuser, "-u", "postgres", "--"]
        self.folder = Path(tempfile.mkdtemp(prefix="alongside-pg-"))
        if self.as_user:
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        self.started = False

    def run(self, program: str, *args: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [*self.as_user, str(self.binaries / program), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert result.returncode == 0, f"{program} {' '.join(args)} failed:\n{result.stderr}"

    def initdb(self) -> None:
        self.run(
            "initdb",
            "--pgdata",
            str(self.data),
            "--auth",
            "trust",
            "--username",
            "postgres",
            "--encoding",
            "UTF8",
            "--no-sync",
        )

    def pg_ctl(self, action: str, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl",
            action,
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "-o",
            options,
            "--wait",
            "--timeout",
            "30",
            *args,
        )
        self.started = action in {"start", "restart"}

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, params: tuple | None = None, database: str = "postgres"):
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=10) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def remove(self) -> None:
        try:
            if self.started or (self.data / "postmaster.pid").exists():
                self.run("pg_ctl", "stop", "--pgdata", str(self.data), "-m", "immediate", "--wait")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def site_environment(cluster: Cluster, port: int, workdir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(
        DATABASE_URL=cluster.url(DATABASE),
        CONN_MAX_AGE="600",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private"),
        ISSUER_KEYS_FILE=str(workdir / "issuer-keys.json"),
        LOG_LEVEL="WARNING",
    )
    return env


def get(port: int, path: str = "/") -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


LEAKS = ("Traceback", "OperationalError", "psycopg", 'File "', "connection", "postgres")


def assert_clean_error_page(response: tuple[int, str], cluster: Cluster) -> None:
    """The site's own 500 page: a server error, said calmly, with nothing of the cause."""
    status, body = response
    assert status == 500, body[:500]
    assert "Something went wrong on our side" in body
    for leak in (*LEAKS, f":{cluster.port}", str(cluster.folder)):
        assert leak.lower() not in body.lower(), f"the error page shows {leak!r}"


def test_requests_recover_by_themselves_after_the_database_restarts(tmp_path):
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("initdb and pg_ctl are not installed (apt-get install postgresql)")
    cluster = Cluster(binaries)
    server = None
    try:
        cluster.initdb()
        cluster.pg_ctl("start")
        cluster.execute(f"CREATE DATABASE {DATABASE}")

        port = free_port()
        env = site_environment(cluster, port, tmp_path)
        manage = [sys.executable, str(ROOT / "manage.py")]
        # Static files only for the site's own pages (the admin's would take longer to
        # compress than the rest of the test), beside the migration.
        steps = [
            subprocess.Popen(
                [*manage, "migrate", "--no-input", "-v", "0"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [
                    *manage,
                    "collectstatic",
                    "--no-input",
                    "-v",
                    "0",
                    "-i",
                    "wagtail*",
                    "-i",
                    "admin",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            ),
        ]
        try:
            for step in steps:
                output, _ = step.communicate(timeout=STEP_TIMEOUT)
                assert step.returncode == 0, output.decode(errors="replace")[-3000:]
        finally:
            for step in steps:
                if step.poll() is None:
                    step.kill()
                    step.wait(timeout=10)

        log = tmp_path / "gunicorn.log"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for_port(port, server, 30, log)

        status, body = get(port)
        assert status == 200, body[:500]
        # The worker keeps its connection open between requests (CONN_MAX_AGE), so a restart
        # really does cut a live connection under it.
        connections = cluster.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (DATABASE,)
        )
        assert connections[0][0] >= 1

        # A restart between two requests: the health check finds the dead connection and the
        # next request opens a new one.
        cluster.pg_ctl("restart", "--mode", "fast")
        status, body = get(port)
        assert status == 200, f"first request after a restart: {status}\n{body[:500]}"

        # Down for a while: the site's own error page, then back by itself.
        cluster.pg_ctl("stop", "--mode", "fast")
        assert_clean_error_page(get(port), cluster)
        assert_clean_error_page(get(port), cluster)
        cluster.pg_ctl("start")
        status, body = get(port)
        assert status == 200, f"first request after the database came back: {status}"
        assert get(port)[0] == 200

        assert server.poll() is None, "the site had to be restarted"
        # The failure was logged for whoever runs the site, where the visitor cannot see it.
        assert "OperationalError" in log.read_text(errors="replace")
    finally:
        if server is not None:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=10)
            if server.poll() is None:
                server.kill()
                server.wait(timeout=10)
        cluster.remove()
