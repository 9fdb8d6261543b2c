"""Throughput of the public verification page, as a ratio to a trivial view (``/healthz/``,
which touches no database but passes through all of our middleware) served by the same gunicorn
in the same run. Target: at least 0.35.

Anonymous requests, as an employer scanning a QR code makes them, for the demo trainee's
certificate. The rate limit is raised for the run (``VERIFY_RATE_LIMIT``), since every request
comes from one address. Bounded: a fixed number of requests on loopback only.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from gunicorn_site import demo_site, environment, free_port, gunicorn, manage, measure

TARGET = 0.35
CODE = """
from certificates.models import Certificate
print(Certificate.objects.filter(holder__email="trainee@example.org").first().verification_code)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        port = free_port()
        env = environment(port, workdir, VERIFY_RATE_LIMIT=str(10**9))
        demo_site(env)
        code = manage(env, "shell", "--no-imports", "-c", CODE, capture=True).stdout.split()[-1]
        page = f"/verify/{code}/"
        with gunicorn(env, port, options.workers):
            measure(port, "/healthz/", "", 40, 2)  # warm up both paths
            measure(port, page, "", 40, 2)
            base_rps, base_ms = measure(
                port, "/healthz/", "", options.requests, options.concurrency
            )
            page_rps, page_ms = measure(port, page, "", options.requests, options.concurrency)
    ratio = page_rps / base_rps
    print(
        f"database: {env['DATABASE_URL'].split(':')[0]}, gunicorn workers: {options.workers}, "
        f"concurrency: {options.concurrency}, requests: {options.requests}"
    )
    print(f"baseline /healthz/      {base_rps:8.1f} req/s   median {base_ms:6.1f} ms")
    print(f"verification page       {page_rps:8.1f} req/s   median {page_ms:6.1f} ms")
    verdict = "PASS" if ratio >= TARGET else "BELOW TARGET"
    print(f"ratio verification page / baseline: {ratio:.3f} (target at least {TARGET}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
