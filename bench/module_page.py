"""Throughput of a module page for an enrolled, signed-in trainee, as a ratio to a trivial view
served by the same gunicorn through the same middleware in the same run.

Bounded: a fixed number of requests on loopback only; the server is stopped at the end.
"""

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(port: int, workdir: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        LOG_LEVEL="WARNING",
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    return env


SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from courses.models import CoursePage
from courses import services
user = get_user_model().objects.get(email="trainee2@example.org")
course = CoursePage.objects.get(slug="professional-boundaries")
if not course.enrollments.filter(trainee=user).exists():
    services.enrollment_create(trainee=user, course=course)
module = course.modules().first()
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key, module.url)
"""


def manage(env, *args, capture=False):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    )


def measure(
    port: int, path: str, cookie: str, requests: int, concurrency: int
) -> tuple[float, float]:
    """Requests per second and median latency (ms) for ``requests`` GETs of ``path``."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = requests // concurrency

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(per_thread):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}: {body[:200]!r}")
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.median(latencies) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        port = free_port()
        env = environment(port, workdir)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "seed_demo", "--force", "-v", "0")
        manage(env, "collectstatic", "--no-input", "-v", "0")
        output = manage(env, "shell", "--no-imports", "-c", SETUP, capture=True).stdout
        session_key, module_url = output.strip().splitlines()[-1].split()
        cookie = f"sessionid={session_key}"
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            measure(port, "/healthz/", cookie, 40, 2)  # warm up both paths
            measure(port, module_url, cookie, 40, 2)
            base_rps, base_ms = measure(
                port, "/healthz/", cookie, options.requests, options.concurrency
            )
            page_rps, page_ms = measure(
                port, module_url, cookie, options.requests, options.concurrency
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(
        f"database: {env['DATABASE_URL'].split(':')[0]}, gunicorn workers: {options.workers}, "
        f"concurrency: {options.concurrency}, requests: {options.requests}"
    )
    print(f"baseline /healthz/      {base_rps:8.1f} req/s   median {base_ms:6.1f} ms")
    print(f"module page (enrolled)  {page_rps:8.1f} req/s   median {page_ms:6.1f} ms")
    print(f"ratio module page / baseline: {page_rps / base_rps:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
