"""Scale-out, proven: the production topology on one machine, under a bounded load, with the
database checked afterwards for exactly what the load did.

Two gunicorn instances on two loopback ports and two task workers (``manage.py db_worker``)
share one PostgreSQL database and one Redis (cache, rate limits, lockouts). A headless locust
run (``bench/locustfile_scale.py``) plays the Moodle-style "S" load: 30 trainees, 5 loops each
of sign in, dashboard, module page, a quiz attempt (start, autosave, submit, result), one hour
entry logged and sent for review, sign out; 3 supervisors approving what arrives (after
confirming their password); anonymous visitors checking certificates at ``/verify/<code>/``.
Requests alternate between the two ports. Afterwards the script compares the counts of quiz
attempts, hour entries, sign-offs, certificates, background tasks and emails in the database
with the counts before the run plus what the users report having done, prints p50 and p95
latency per page, and exits non-zero on any failed request or count mismatch.

    .venv/bin/python bench/scale_out.py        # 4 to 6 minutes on 2 busy cores, see below
    .venv/bin/python bench/scale_out.py --trainees 6 --supervisors 2 --loops 2   # a smoke run

About two minutes go to building the site (migrate, seed_demo, collectstatic, the setup step);
the load itself takes two to four minutes, longer when other work shares the machine.
At most 254 trainees (one loopback address each).

Bounded and local: loopback only; the database ``alongside_scaleout`` (dropped and created
again at the start, left afterwards for inspection), Redis database 5 (flushed at the start);
every server and worker is stopped at the end, and the run stops after ``--run-time`` at most.
"""

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from gunicorn_site import ROOT, demo_site, environment, free_port, gunicorn, manage

DATABASE_SERVER = "postgres://postgres@127.0.0.1:5432"
CACHE_URL = "redis://127.0.0.1:6379/5"
PASSWORD = "scale-out-load-test"  # noqa: S105 - throwaway accounts in a throwaway database
COURSE = "professional-boundaries"
CERTIFIED_COURSE = "ethics-and-confidentiality"

SETUP = r"""
import datetime
import json
import os

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from assessments.models import Choice, Question, QuestionBank, Quiz, QuizQuestion
from certificates.models import Certificate
from certificates.services import course_certificate_issue
from courses import services as course_services
from courses.models import CoursePage, Enrollment, ModulePage, TrainingHourCredit
from organizations import services as organization_services
from organizations.models import Membership, Organization, SupervisorQualification

User = get_user_model()
trainee_count = int(os.environ["SCALE_TRAINEES"])
supervisor_count = int(os.environ["SCALE_SUPERVISORS"])
certified_count = int(os.environ["SCALE_CERTIFIED"])
today = timezone.localdate()
organization = Organization.objects.get(slug="riverside")
org_admin = User.objects.get(email="orgadmin@example.org")
course = CoursePage.objects.get(slug=os.environ["SCALE_COURSE"])
# One hash for every load-test account: hashing 33 passwords would cost half a minute.
hashed = make_password(os.environ["SCALE_PASSWORD"])


def person(email, legal_name, preferred_name, **roles):
    user = User.objects.create(
        email=email, legal_name=legal_name, preferred_name=preferred_name, password=hashed
    )
    # Email confirmation is mandatory with DEBUG off: these addresses count as confirmed.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    Membership.objects.create(organization=organization, user=user, **roles)
    return user


supervisors = []
for number in range(1, supervisor_count + 1):
    supervisor = person(
        f"load-supervisor-{number:02d}@example.org",
        f"Morgan Supervisor{number:02d}",
        f"Morgan{number:02d}",
        is_supervisor=True,
    )
    SupervisorQualification.objects.create(
        user=supervisor,
        credential_name="Certified Peer Recovery Specialist, clinical supervision endorsement",
        credential_number=f"LOAD-S-{number:04d}",
        expires_on=today + datetime.timedelta(days=730),
    )
    supervisors.append(supervisor)

# A module of its own with a quiz of its own, built as tests/quiz_builders.py builds quizzes:
# unlimited attempts and no wait, so every loop can start a new attempt.
module = ModulePage(
    title="Load test module",
    slug="load-test-module",
    minutes=10,
    body=[
        ("heading", "Practice round"),
        ("text", "<p>A short module used by the scale-out load test.</p>"),
    ],
)
course.add_child(instance=module)
module.save_revision().publish()
bank = QuestionBank.objects.create(name="Load test bank")
questions = []
for kind, prompt, choices in [
    ("single", "Which answer keeps a boundary?", [("Decline kindly", True), ("Lend money", False), ("Share your address", False)]),
    ("true_false", "Peer workers keep client details out of hour logs.", [("True", True), ("False", False)]),
    ("multiple", "Which are self-care?", [("Rest", True), ("Supervision", True), ("Skipping breaks", False)]),
    ("single", "Who sets the goals of recovery?", [("The person in recovery", True), ("The peer worker", False), ("The family", False)]),
]:
    question = Question(
        bank=bank, kind=kind, points=1, prompt=f"<p>{prompt}</p>", explanation="<p>See the module.</p>"
    )
    question.choices = [Choice(text=text, is_correct=correct) for text, correct in choices]
    question.save()
    question.save_revision()
    questions.append(question)
quiz = Quiz.objects.create(
    module=module,
    title="Load test quiz",
    pass_mark=80,
    max_attempts=None,
    retry_after_minutes=0,
    time_limit_minutes=None,
)
for order, question in enumerate(questions):
    QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)

trainees = []
for number in range(1, trainee_count + 1):
    trainee = person(
        f"load-trainee-{number:02d}@example.org",
        f"Riley Trainee{number:02d}",
        f"Riley{number:02d}",
        is_trainee=True,
    )
    supervisor = supervisors[(number - 1) % supervisor_count]
    organization_services.assignment_create(
        organization=organization,
        supervisor=supervisor,
        trainee=trainee,
        starts_on=today - datetime.timedelta(days=30),
        by=org_admin,
    )
    course_services.enrollment_create(trainee=trainee, course=course)
    trainees.append(
        {
            "email": trainee.email,
            "preferred_name": trainee.preferred_name,
            "supervisor_id": supervisor.pk,
            "supervisor_email": supervisor.email,
        }
    )

# A few more certificates to look up, issued as seed_demo issues the demo trainee's: a course
# finished a month ago. Their PDFs are rendered by the task workers once they start.
certified = CoursePage.objects.get(slug=os.environ["SCALE_CERTIFIED_COURSE"])
finished = timezone.now() - datetime.timedelta(days=30)
for row in trainees[:certified_count]:
    holder = User.objects.get(email=row["email"])
    enrollment = Enrollment.objects.create(
        trainee=holder, course=certified, enrolled_at=finished, completed_at=finished
    )
    TrainingHourCredit.objects.bulk_create(
        TrainingHourCredit(
            trainee=holder,
            enrollment=enrollment,
            course=certified,
            domain_id=hours.domain_id,
            hours=hours.hours,
            earned_on=timezone.localdate(finished),
        )
        for hours in certified.contact_hours.all()
    )
    course_certificate_issue(enrollment=enrollment)

print(
    "SCALE_SETUP "
    + json.dumps(
        {
            "password": os.environ["SCALE_PASSWORD"],
            "trainees": trainees,
            "supervisors": [
                {
                    "email": s.email,
                    "trainees": sum(1 for t in trainees if t["supervisor_id"] == s.pk),
                }
                for s in supervisors
            ],
            "module_url": module.url,
            "quiz_url": f"/quizzes/{quiz.pk}/",
            "quiz_title": quiz.title,
            "quiz_questions": len(questions),
            "certificates": [
                {"code": code, "name": name}
                for code, name in Certificate.objects.order_by("pk").values_list(
                    "verification_code", "name_as_printed"
                )
            ],
        }
    )
)
"""

COUNTS = r"""
import json
from collections import Counter

from django.contrib.auth import get_user_model
from django_tasks_db.models import DBTaskResult

from assessments.models import Attempt
from certificates.models import Certificate
from hours.models import HourEntry, SignOff, SignOffEntry

User = get_user_model()
tasks = Counter()
workers = Counter()
for path, status, worker_ids in DBTaskResult.objects.values_list("task_path", "status", "worker_ids"):
    tasks[f"{path.rsplit('.', 1)[-1]} {status}"] += 1
    for worker_id in worker_ids:
        workers[worker_id] += 1
per_trainee = {}
for user in User.objects.filter(email__startswith="load-trainee-").order_by("email"):
    per_trainee[user.email] = {
        "attempts": Attempt.objects.filter(trainee=user, submitted_at__isnull=False).count(),
        "entries": HourEntry.objects.filter(trainee=user).count(),
        "approved": HourEntry.objects.filter(trainee=user, status="approved").count(),
    }
per_supervisor = {
    user.email: SignOff.objects.filter(decided_by=user).count()
    for user in User.objects.filter(email__startswith="load-supervisor-").order_by("email")
}
print(
    "SCALE_COUNTS "
    + json.dumps(
        {
            "attempts": Attempt.objects.count(),
            "attempts_submitted": Attempt.objects.filter(submitted_at__isnull=False).count(),
            "attempts_passed": Attempt.objects.filter(passed=True).count(),
            "entries": HourEntry.objects.count(),
            "entries_by_status": dict(Counter(HourEntry.objects.values_list("status", flat=True))),
            "sign_offs": SignOff.objects.count(),
            "sign_off_entries": SignOffEntry.objects.count(),
            "certificates": Certificate.objects.count(),
            "tasks": dict(tasks),
            "task_workers": dict(workers),
            "task_table": DBTaskResult._meta.db_table,
            "per_trainee": per_trainee,
            "per_supervisor": per_supervisor,
        }
    )
)
"""


def step(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def shell_json(env: dict, code: str, marker: str, extra: dict | None = None) -> dict:
    try:
        output = manage({**env, **(extra or {})}, "shell", "--no-imports", "-c", code, capture=True)
    except subprocess.CalledProcessError as error:
        print(error.stdout, error.stderr, sep="\n", file=sys.stderr)
        raise
    for line in reversed(output.stdout.splitlines()):
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1 :])
    raise RuntimeError(f"no {marker} line in:\n{output.stdout}\n{output.stderr}")


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{DATABASE_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def flush_cache() -> None:
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()


def unfinished_tasks(database_url: str, table: str) -> dict:
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            f"SELECT status, count(*) FROM {table} "  # noqa: S608 - the model's own table name
            "WHERE status IN ('READY', 'RUNNING') GROUP BY status"
        ).fetchall()
    return dict(rows)


@contextlib.contextmanager
def output_to(path: Path):
    """Send what child processes started in the block print to ``path`` (they inherit the
    file descriptors), so the servers' logs do not drown the report."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def error_lines(text: str) -> list[str]:
    """Lines of a server or worker log that show a failure: an error, a traceback, a 5xx."""
    return [
        line
        for line in text.splitlines()
        if " ERROR " in line or " CRITICAL " in line or "Traceback" in line or "status=5" in line
    ]


@contextlib.contextmanager
def task_worker(env: dict, number: int, workdir: Path):
    """``manage.py db_worker`` as ``make run`` starts it, until the block ends."""
    log = (workdir / f"worker-{number}.log").open("w")
    worker = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "db_worker",
            "--no-reload",
            "--worker-id",
            f"scale-worker-{number}",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        log.close()


def wait_until_serving(ports: list[int], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    for port in ports:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn on port {port} did not answer /healthz/")
            time.sleep(0.3)


def count_emails(folder: Path) -> dict:
    subjects: dict[str, int] = {}
    for path in folder.glob("*.log") if folder.exists() else []:
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("Subject: "):
                subject = line[len("Subject: ") :]
                kind = (
                    "hours to review"
                    if subject.startswith("Hours to review from")
                    else "hours approved"
                    if subject == "Your hours were approved"
                    else "other"
                )
                subjects[kind] = subjects.get(kind, 0) + 1
    return subjects


def latency_table(prefix: Path) -> tuple[list[str], int]:
    """Lines of p50/p95 per page from locust's stats CSV, and the total failure count."""
    lines = [f"{'page':34} {'requests':>8} {'fails':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"]
    failures = 0
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Type"] else "all requests"
            if row["Name"] == "Aggregated":
                name = "ALL REQUESTS"
                failures = int(row["Failure Count"])
            lines.append(
                f"{name:34} {row['Request Count']:>8} {row['Failure Count']:>6} "
                f"{row['50%']:>7} {row['95%']:>7} {float(row['Max Response Time']):>7.0f}"
            )
    return lines, failures


def csv_rows(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def compare(before: dict, after: dict, tally: dict, setup: dict, loops: int) -> list[str]:
    """Every mismatch between the database and what the users report, in words."""
    trainees = tally["trainees"]
    supervisors = tally["supervisors"]
    submitted = sum(t["attempts_submitted"] for t in trainees.values())
    created = sum(t["entries_created"] for t in trainees.values())
    sent = sum(t["entries_submitted"] for t in trainees.values())
    sign_offs = sum(s["sign_offs"] for s in supervisors.values())
    approved = sum(s["entries_approved"] for s in supervisors.values())
    planned = len(setup["trainees"]) * loops

    def status(counts, name):
        return counts["entries_by_status"].get(name, 0)

    def task(counts, name, state="SUCCESSFUL"):
        return counts["tasks"].get(f"{name} {state}", 0)

    checks = [
        ("quiz attempts submitted (users)", submitted, planned),
        ("hour entries created (users)", created, planned),
        ("hour entries sent for review (users)", sent, planned),
        ("hour entries approved (supervisors)", approved, planned),
        ("quiz attempts", after["attempts"], before["attempts"] + submitted),
        (
            "quiz attempts left open",
            after["attempts"] - after["attempts_submitted"],
            before["attempts"] - before["attempts_submitted"],
        ),
        ("quiz attempts passed", after["attempts_passed"], before["attempts_passed"]),
        ("hour entries", after["entries"], before["entries"] + created),
        ("hour entries approved", status(after, "approved"), status(before, "approved") + approved),
        (
            "hour entries waiting for review",
            status(after, "submitted"),
            status(before, "submitted") + sent - approved,
        ),
        ("hour entries in draft", status(after, "draft"), status(before, "draft") + created - sent),
        ("sign-offs", after["sign_offs"], before["sign_offs"] + sign_offs),
        ("entries signed off", after["sign_off_entries"], before["sign_off_entries"] + approved),
        ("certificates (none issued by the run)", after["certificates"], before["certificates"]),
        (
            "tasks: supervisor notified of a batch",
            task(after, "notify_supervisor_of_batch"),
            task(before, "notify_supervisor_of_batch") + sent,
        ),
        (
            "tasks: trainee notified of a decision",
            task(after, "notify_trainee_of_decision"),
            task(before, "notify_trainee_of_decision") + sign_offs,
        ),
    ]
    problems = [
        f"{label}: database {actual}, expected {expected}"
        for label, actual, expected in checks
        if actual != expected
    ]
    for email, mine in trainees.items():
        row = after["per_trainee"].get(email, {})
        for key, reported in (
            ("attempts", mine["attempts_submitted"]),
            ("entries", mine["entries_created"]),
        ):
            if row.get(key) != reported or reported != loops:
                problems.append(f"{email}: {key} in database {row.get(key)}, reported {reported}")
    for email, mine in supervisors.items():
        if after["per_supervisor"].get(email) != mine["sign_offs"]:
            problems.append(
                f"{email}: sign-offs in database {after['per_supervisor'].get(email)}, "
                f"reported {mine['sign_offs']}"
            )
    not_done = [
        f"{key} {state}: {count}"
        for key, count in after["tasks"].items()
        for state in [key.rsplit(" ", 1)[1]]
        if state != "SUCCESSFUL"
    ]
    if not_done:
        problems.append("background tasks not successful: " + ", ".join(not_done))
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=30)
    parser.add_argument("--supervisors", type=int, default=3)
    parser.add_argument("--verifiers", type=int, default=3)
    parser.add_argument("--loops", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", default="8m", help="upper bound for the locust run")
    parser.add_argument("--database", default="alongside_scaleout")
    options = parser.parse_args()
    started = time.monotonic()
    load = os.getloadavg()
    print(
        f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )

    with tempfile.TemporaryDirectory(prefix="alongside-scaleout-") as folder:
        workdir = Path(folder)
        ports = [free_port()]
        while len(ports) < 2:
            port = free_port()
            if port not in ports:
                ports.append(port)
        database_url = f"{DATABASE_SERVER}/{options.database}"
        recreate_database(options.database)
        flush_cache()
        env = environment(
            ports[0],
            workdir,
            DATABASE_URL=database_url,
            CACHE_URL=CACHE_URL,
            VERIFY_RATE_LIMIT="100000",
            SESSION_IDLE_TIMEOUT="3600",
            CSRF_TRUSTED_ORIGINS=",".join(f"http://127.0.0.1:{port}" for port in ports),
            # Four slashes: django-environ drops the first slash of the path.
            EMAIL_URL=f"filemail:///{workdir / 'mail'}",
        )
        step(
            f"database {options.database} created, Redis db 5 flushed; building the demo site",
            started,
        )
        demo_site(env)
        step("demo site ready; creating the load-test accounts, module and quiz", started)
        setup = shell_json(
            env,
            SETUP,
            "SCALE_SETUP",
            {
                "SCALE_TRAINEES": str(options.trainees),
                "SCALE_SUPERVISORS": str(options.supervisors),
                "SCALE_CERTIFIED": "5",
                "SCALE_COURSE": COURSE,
                "SCALE_CERTIFIED_COURSE": CERTIFIED_COURSE,
                "SCALE_PASSWORD": PASSWORD,
            },
        )
        setup["loops"] = options.loops
        setup["verifiers"] = options.verifiers
        setup_file = workdir / "setup.json"
        setup_file.write_text(json.dumps(setup, indent=1))
        print(
            f"  {len(setup['trainees'])} trainees, {len(setup['supervisors'])} supervisors, "
            f"module {setup['module_url']}, quiz {setup['quiz_url']}, "
            f"{len(setup['certificates'])} certificates to verify"
        )
        before = shell_json(env, COUNTS, "SCALE_COUNTS")

        server_log = workdir / "servers.log"
        tally_file = workdir / "tally.json"
        prefix = workdir / "locust"
        users = len(setup["trainees"]) + len(setup["supervisors"]) + options.verifiers
        with contextlib.ExitStack() as stack:
            with output_to(server_log):
                for port in ports:
                    stack.enter_context(gunicorn(env, port, options.workers))
            workers = [stack.enter_context(task_worker(env, n, workdir)) for n in (1, 2)]
            wait_until_serving(ports)
            step(
                f"serving on ports {ports[0]} and {ports[1]} ({options.workers} gunicorn "
                f"workers each), 2 task workers; locust: {users} users, {options.loops} loops",
                started,
            )
            locust = subprocess.run(
                [
                    str(Path(sys.executable).with_name("locust")),
                    "-f",
                    str(ROOT / "bench" / "locustfile_scale.py"),
                    "--headless",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(options.spawn_rate),
                    "--run-time",
                    options.run_time,
                    "--stop-timeout",
                    "20",
                    "--host",
                    f"http://127.0.0.1:{ports[0]}",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "SCALE_SETUP": str(setup_file),
                    "SCALE_HOSTS": ",".join(f"http://127.0.0.1:{port}" for port in ports),
                    "SCALE_TALLY": str(tally_file),
                },
                check=False,
                capture_output=True,
                text=True,
            )
            step(
                f"locust finished (exit code {locust.returncode}); waiting for the task queue",
                started,
            )
            deadline = time.monotonic() + 120
            while (
                waiting := unfinished_tasks(database_url, before["task_table"])
            ) and time.monotonic() < deadline:
                time.sleep(1)
            crashed = [n for n, w in enumerate(workers, 1) if w.poll() is not None]
        step("servers and workers stopped; counting", started)
        after = shell_json(env, COUNTS, "SCALE_COUNTS")
        emails = count_emails(workdir / "mail")
        latency, failures = latency_table(prefix)
        failure_rows = csv_rows(f"{prefix}_failures.csv")
        exception_rows = csv_rows(f"{prefix}_exceptions.csv")
        tally = json.loads(tally_file.read_text()) if tally_file.exists() else None
        worker_logs = {n: (workdir / f"worker-{n}.log").read_text() for n in (1, 2)}
        server_text = server_log.read_text(errors="replace") if server_log.exists() else ""
        errors_logged = error_lines(server_text) + [
            line for log in worker_logs.values() for line in error_lines(log)
        ]

    problems = []
    if locust.returncode != 0:
        problems.append(f"locust exited with {locust.returncode}")
        print(locust.stderr[-4000:], file=sys.stderr)
    if failures or failure_rows:
        problems.append(f"{failures} failed requests")
    for row in failure_rows:
        print(f"  FAILED {row['Method']} {row['Name']}: {row['Error']} ({row['Occurrences']}x)")
    for row in exception_rows:
        problems.append(f"exception in a locust user: {row.get('Message', row)}")
    if errors_logged:
        problems.append(f"{len(errors_logged)} error lines in the server and worker logs")
        for line in errors_logged[:20]:
            print(f"  LOGGED {line[:300]}")
    if waiting:
        problems.append(f"task queue not drained after 120 s: {waiting}")
    idle = [w for w in ("scale-worker-1", "scale-worker-2") if not after["task_workers"].get(w)]
    if idle:
        problems.append(f"task workers that ran no task: {idle}")
    if crashed:
        problems.append(f"task workers exited early: {crashed}")
        for number in crashed:
            print(worker_logs[number][-3000:], file=sys.stderr)
    if tally is None:
        problems.append("the locust users wrote no tally")
    else:
        problems.extend(tally.get("errors", []))
        problems.extend(compare(before, after, tally, setup, options.loops))
        sign_offs = sum(s["sign_offs"] for s in tally["supervisors"].values())
        sent = sum(t["entries_submitted"] for t in tally["trainees"].values())
        if emails.get("hours to review", 0) != sent:
            problems.append(
                f"'hours to review' emails: {emails.get('hours to review', 0)}, expected {sent}"
            )
        if emails.get("hours approved", 0) != sign_offs:
            problems.append(
                f"'hours approved' emails: {emails.get('hours approved', 0)}, expected {sign_offs}"
            )

    print()
    print("Latency per page (locust, both ports together):")
    for line in latency:
        print("  " + line)
    print()
    if tally is not None:
        trainees = tally["trainees"].values()
        supervisors = tally["supervisors"].values()
        print("What the users did (their own tallies):")
        print(
            f"  trainees: {sum(t['loops'] for t in trainees)} loops, "
            f"{sum(t['logins'] for t in trainees)} sign-ins, "
            f"{sum(t['attempts_submitted'] for t in trainees)} quiz attempts submitted, "
            f"{sum(t['entries_created'] for t in trainees)} hour entries logged, "
            f"{sum(t['entries_submitted'] for t in trainees)} sent for review"
        )
        print(
            f"  supervisors: {sum(s['logins'] for s in supervisors)} sign-ins, "
            f"{sum(s['reauthentications'] for s in supervisors)} password confirmations, "
            f"{sum(s['sign_offs'] for s in supervisors)} sign-offs approving "
            f"{sum(s['entries_approved'] for s in supervisors)} entries"
        )
        print(
            f"  verifiers: {sum(v['lookups'] for v in tally['verifiers'].values())} lookups "
            f"(page, status.json, and an unknown code answering 404)"
        )
        print()
    print("Database before -> after:")
    for key, label in (
        ("attempts", "quiz attempts"),
        ("entries", "hour entries"),
        ("sign_offs", "sign-offs"),
        ("certificates", "certificates"),
    ):
        print(f"  {label:14} {before[key]:5} -> {after[key]:5}")
    print(f"  hour entries by status: {after['entries_by_status']}")
    print(f"  background tasks: {after['tasks']}")
    print(f"  tasks run per worker: {after['task_workers']}")
    print(f"  emails written: {emails}")
    print()
    elapsed = time.monotonic() - started
    if problems:
        print(f"FAIL after {elapsed:.0f} s:")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(
        f"PASS after {elapsed:.0f} s: no failed request, and every count matches what the "
        "users did."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
