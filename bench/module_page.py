"""Throughput of a module page for an enrolled, signed-in trainee, as a ratio to a trivial view
served by the same gunicorn through the same middleware in the same run.

Bounded: a fixed number of requests on loopback only; the server is stopped at the end.
"""

import argparse
import sys
import tempfile
from pathlib import Path

from gunicorn_site import demo_site, environment, free_port, gunicorn, manage, measure

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
from django.conf import settings
print(settings.SESSION_COOKIE_NAME, session.session_key, module.url)
"""


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
        demo_site(env)
        output = manage(env, "shell", "--no-imports", "-c", SETUP, capture=True).stdout
        cookie_name, session_key, module_url = output.strip().splitlines()[-1].split()
        cookie = f"{cookie_name}={session_key}"
        with gunicorn(env, port, options.workers):
            measure(port, "/healthz/", cookie, 40, 2)  # warm up both paths
            measure(port, module_url, cookie, 40, 2)
            base_rps, base_ms = measure(
                port, "/healthz/", cookie, options.requests, options.concurrency
            )
            page_rps, page_ms = measure(
                port, module_url, cookie, options.requests, options.concurrency
            )
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
