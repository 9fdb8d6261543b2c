"""Query counts and latency of the busiest pages at realistic size, each against the query
budget its test asserts (``django_assert_max_num_queries``), printing PASS or ABOVE BUDGET.

Against a database built by ``manage.py seed_scale`` (given by ``DATABASE_URL``), or, without
``DATABASE_URL``, a throwaway SQLite database that this script builds first (migrate,
``seed_demo``, ``seed_scale --trainees N``) in a temporary folder.

In one process, with the Django test client and production-like settings: DEBUG off, a random
secret key, HTTPS requests, the manifest static files storage (static files are collected into
the temporary folder), the local-memory cache, every middleware. The verification rate limit
is raised for the run, since every request comes from one address. For each page: one request
to warm up, one counted with ``CaptureQueriesContext``, then ``--runs`` timed requests (the
median is reported). The program gap computation is timed as a call, not a request:
``selectors.record_of`` and ``eligibility.evaluate`` for the trainee with the most entries,
against the Certified Peer Recovery Specialist program.

Bounded: a fixed number of requests, in process, nothing listening on the network; the
temporary folder is removed at the end. A PostgreSQL database given by ``DATABASE_URL`` is
only read (a few sessions and rate-limit counters are written, as by any visit).
"""

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CPRS = "certified-peer-recovery-specialist"

BUDGETS = {
    # page: (queries, where the budget is asserted)
    "trainee dashboard": (
        24,
        "tests/courses/test_views_course_pages.py::test_dashboard_shows_my_courses_next_step_and_hours",
    ),
    "trainee hours page": (
        18,
        "tests/hours/test_views_hours.py::test_lists_stay_within_a_fixed_query_budget",
    ),
    "program page (CPRS)": (
        24,
        "tests/certificates/test_views_programs.py::test_program_page_queries_do_not_grow_with_the_record",
    ),
    "supervisor dashboard": (
        16,
        "tests/cms/test_views_shell.py::test_dashboard_query_count_is_fixed",
    ),
    "supervisor review queue": (
        18,
        "tests/hours/test_views_hours.py::test_lists_stay_within_a_fixed_query_budget",
    ),
    "course catalog": (
        18,
        "tests/courses/test_views_course_pages.py::TestCatalog::test_catalog_query_count_is_fixed",
    ),
    "verification page, uncached": (
        3,
        "tests/certificates/test_views_verification.py::test_the_page_and_json_run_in_at_most_three_queries_however_long_the_history",
    ),
    "verification page, cached": (
        0,
        "tests/certificates/test_views_verification.py::test_a_credential_issued_once_is_read_in_one_query",
    ),
    "program gap computation": (
        4,
        "certificates/selectors.py: record_of docstring (four queries; no test asserts it)",
    ),
}


def configure(workdir: Path) -> None:
    """Production-like settings, before Django is imported."""
    for key in ("PYTEST_VERSION", "DEBUG"):
        os.environ.pop(key, None)
    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SITE_URL="https://testserver",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private"),
        ISSUER_KEYS_FILE=str(workdir / "issuer-keys.json"),
        VERIFY_RATE_LIMIT=str(10**9),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'scale.sqlite3'}")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(trainees: int, entries: int) -> float:
    """A fresh SQLite database with the demo and ``trainees`` seeded trainees; seconds taken
    by ``seed_scale``."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)
    started = time.perf_counter()
    call_command(
        "seed_scale",
        trainees=trainees,
        entries_per_trainee=entries,
        force=True,
        verbosity=1,
    )
    return time.perf_counter() - started


def dataset() -> dict:
    from django.contrib.auth import get_user_model

    from certificates.models import Certificate
    from hours.models import HourEntry, SignOff

    return {
        "people": get_user_model().objects.count(),
        "scale trainees": get_user_model()
        .objects.filter(email__startswith="scale-trainee-")
        .count(),
        "hour entries": HourEntry.objects.count(),
        "sign-offs": SignOff.objects.count(),
        "certificates": Certificate.objects.count(),
    }


def subjects() -> dict:
    """The people and things to measure: the trainee with the most entries (among those on the
    CPRS program), the supervisor with the most current supervisees, unseen codes."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from certificates.models import Certificate, CredentialProgram
    from courses.models import CourseIndexPage
    from hours import selectors as hours_selectors
    from organizations.models import SupervisionAssignment

    User = get_user_model()
    trainee = (
        User.objects.filter(
            email__startswith="scale-trainee-", program_enrollments__program__slug=CPRS
        )
        .annotate(entries=Count("hour_entries", distinct=True))
        .order_by("-entries")
        .first()
    )
    top = (
        SupervisionAssignment.objects.current()
        .filter(supervisor__email__startswith="scale-supervisor-")
        .values("supervisor")
        .annotate(supervisees=Count("trainee"))
        .order_by("-supervisees")
        .first()
    )
    supervisor = User.objects.get(pk=top["supervisor"])
    codes = list(
        Certificate.objects.filter(holder__email__startswith="scale-trainee-", status="active")
        .order_by("?")
        .values_list("verification_code", flat=True)[:1000]
    )
    return {
        "trainee": trainee,
        "trainee_entries": trainee.entries,
        "trainee_programs": trainee.program_enrollments.count(),
        "supervisor": supervisor,
        "supervisees": top["supervisees"],
        "queue": hours_selectors.pending_review_count(supervisor),
        "catalog": CourseIndexPage.objects.live().first().url,
        "program": CredentialProgram.objects.get(slug=CPRS),
        "codes": codes,
    }


def signed_in(user, *, reauthenticate=False):
    """A test client signed in as ``user``; through the real login and password confirmation
    when a page asks for a recent password (the review queue)."""
    from django.test import Client
    from django.urls import reverse

    from cms.demo import DEMO_PASSWORD

    client = Client()
    if not reauthenticate:
        client.force_login(user)
        return client
    client.post(
        reverse("account_login"), {"login": user.email, "password": DEMO_PASSWORD}, secure=True
    )
    client.post(reverse("account_reauthenticate"), {"password": DEMO_PASSWORD}, secure=True)
    return client


def request(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path, secure=True)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return elapsed


def counted(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def measure_page(client, paths, runs: int) -> tuple[int, float]:
    """``paths`` yields the path for each request: the same one, or a new one each time."""
    request(client, next(paths))  # warm up
    queries = counted(lambda: request(client, next(paths)))
    times = [request(client, next(paths)) for _ in range(runs)]
    return queries, statistics.median(times) * 1000


def repeat(path):
    while True:
        yield path


def measure(runs: int) -> tuple[dict, list]:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from certificates import eligibility, selectors

    found = subjects()
    if len(found["codes"]) < 2 * runs + 4:
        raise SystemExit("Not enough certificates for unseen codes; ask for fewer --runs.")
    cache.clear()
    trainee = signed_in(found["trainee"])
    supervisor = signed_in(found["supervisor"])
    reviewer = signed_in(found["supervisor"], reauthenticate=True)
    anonymous = Client()
    codes = iter(found["codes"])
    cached_code = found["codes"][-1]
    results = []

    def page(name, client, paths, size):
        queries, median = measure_page(client, paths, runs)
        results.append((name, size, queries, median))

    entries = f"{found['trainee_entries']} entries, {found['trainee_programs']} program(s)"
    page("trainee dashboard", trainee, repeat(reverse("dashboard")), entries)
    page("trainee hours page", trainee, repeat(reverse("hours_index")), entries)
    page(
        "program page (CPRS)",
        trainee,
        repeat(reverse("program_detail", args=[found["program"].slug])),
        entries,
    )
    supervisees = f"{found['supervisees']} supervisees"
    page("supervisor dashboard", supervisor, repeat(reverse("dashboard")), supervisees)
    page(
        "supervisor review queue",
        reviewer,
        repeat(reverse("hours_review")),
        f"{supervisees}, {found['queue']} waiting",
    )
    page("course catalog", anonymous, repeat(found["catalog"]), "all live courses")
    page(
        "verification page, uncached",
        anonymous,
        (reverse("verify_record", args=[next(codes)]) for _ in iter(int, 1)),
        "a code not seen before, each request",
    )
    page(
        "verification page, cached",
        anonymous,
        repeat(reverse("verify_record", args=[cached_code])),
        "the same code",
    )

    # The gap computation, as a call: what the dashboard and program page do for each program.
    version = found["program"].current_version
    person = found["trainee"]
    today = timezone.localdate()

    def gap():
        record = selectors.record_of(person)
        return eligibility.evaluate(selectors.requirements_of(version), record, today=today)

    gap()
    queries = counted(gap)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        gap()
        times.append(time.perf_counter() - started)
    results.append(("program gap computation", entries, queries, statistics.median(times) * 1000))
    return found, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--trainees",
        type=int,
        default=1000,
        help="Without DATABASE_URL: trainees to seed in the throwaway SQLite database.",
    )
    parser.add_argument("--entries-per-trainee", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20, help="Timed requests per page.")
    options = parser.parse_args()
    given = "DATABASE_URL" in os.environ

    with tempfile.TemporaryDirectory(prefix="alongside-scale-") as folder:
        workdir = Path(folder)
        configure(workdir)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        seeding = None
        if not given:
            print(f"Building a SQLite database with {options.trainees} trainees ...")
            seeding = build(options.trainees, options.entries_per_trainee)
        elif not dataset()["scale trainees"]:
            raise SystemExit(
                "This database has no seeded trainees: run manage.py seed_scale on it first."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        if settings.DEBUG:
            raise SystemExit("DEBUG is on: these numbers would not be production-like.")
        sizes = dataset()
        found, results = measure(options.runs)
        vendor = connection.vendor

    load = os.getloadavg()
    print()
    print(
        f"database: {vendor}; {', '.join(f'{k} {v:,}' for k, v in sizes.items())}"
        + (f"; seed_scale took {seeding:.0f} s" if seeding else "")
    )
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} "
        f"{load[2]:.1f}; Python {platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}"
    )
    print(f"in process, Django test client, DEBUG off; warm-up 1, counted 1, timed {options.runs}")
    print()
    header = f"{'page':<30} {'size':<36} {'queries':>7} {'budget':>6} {'median ms':>9}  verdict"
    print(header)
    print("-" * len(header))
    for name, size, queries, median in results:
        budget, _where = BUDGETS[name]
        verdict = "PASS" if queries <= budget else "ABOVE BUDGET"
        print(f"{name:<30} {size:<36} {queries:>7} {budget:>6} {median:>9.1f}  {verdict}")
    print()
    print("Budgets are those the tests assert:")
    for name, (budget, where) in BUDGETS.items():
        print(f"  {name}: {budget} ({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
