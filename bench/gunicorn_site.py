"""What the gunicorn benchmarks share: a throwaway site with the demo content, a server on a
loopback port with production settings, and a bounded, threaded measurement of one path.

Bounded and local: a fixed number of requests on 127.0.0.1 only; the server is stopped at the end
and the database, static and media folders live in a temporary folder.
"""

import contextlib
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(port: int, workdir: Path, **overrides: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(
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
        **overrides,
    )
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    return env


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
            headers = {"Host": "127.0.0.1"}
            if cookie:
                headers["Cookie"] = cookie
            connection.request("GET", path, headers=headers)
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


@contextlib.contextmanager
def gunicorn(env: dict, port: int, workers: int):
    """A gunicorn serving the site on ``port`` until the block ends."""
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
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
        yield server
    finally:
        server.terminate()
        server.wait(timeout=10)


def demo_site(env: dict) -> None:
    """Migrate, load the demo content and collect static files."""
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed_demo", "--force", "-v", "0")
    manage(env, "collectstatic", "--no-input", "-v", "0")
