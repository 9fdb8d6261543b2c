"""Locust users for ``bench/scale_out.py``: the Moodle-style "S" load on Alongside.

- ``TraineeUser`` (one per load-test trainee): ``loops`` times, sign in, dashboard, module page,
  quiz (start, one autosaved answer, submit, result), log one hour entry and send it to their
  supervisor, sign out. Then it stops.
- ``SupervisorUser`` (one per supervisor): signs in, opens the review queue (confirming the
  password when allauth asks), approves whatever is waiting, until every entry of its trainees
  is approved.
- ``VerifierUser`` (anonymous): checks certificates at ``/verify/<code>/`` and its
  ``status.json``, and an unknown code (a 404 is the right answer there) until the others stop.

Every request is checked: status code, redirect target and a marker of the expected page; a
mismatch is a locust failure. Requests alternate between the hosts in ``SCALE_HOSTS``. Each user
keeps a tally of what it did; the tallies go to ``SCALE_TALLY`` (JSON) when the run stops, and
the run stops by itself when every user is done.

Each simulated person connects from its own loopback address (127.0.1.x trainees, 127.0.2.x
supervisors, 127.0.3.x visitors), so per-client limits (allauth's sign-in rate limit, axes, the
verification limit) count each person separately, as they would for real clients.

Run by ``bench/scale_out.py``, which sets ``SCALE_SETUP`` (the JSON its setup step printed),
``SCALE_HOSTS`` and ``SCALE_TALLY``.
"""

import datetime
import itertools
import json
import os
import random
import re
import secrets

import gevent
from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from locust.exception import StopUser
from urllib3 import PoolManager

SETUP = json.loads(open(os.environ["SCALE_SETUP"]).read())  # noqa: SIM115, PTH123
HOSTS = os.environ["SCALE_HOSTS"].split(",")
TALLY_FILE = os.environ["SCALE_TALLY"]
LOOPS = SETUP["loops"]
PASSWORD = SETUP["password"]
CODE_ALPHABET = "ABCDEFHJKMNPQRTUVWXY34789"

_next_host = itertools.cycle(HOSTS)
_trainee_numbers = itertools.count()
_supervisor_numbers = itertools.count()
_verifier_numbers = itertools.count()
TALLY: dict = {"trainees": {}, "supervisors": {}, "verifiers": {}, "errors": []}
DONE = {"trainee": 0, "supervisor": 0, "verifier": 0}
EXPECTED = {
    "trainee": len(SETUP["trainees"]),
    "supervisor": len(SETUP["supervisors"]),
    "verifier": SETUP["verifiers"],
}

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CHOICE_INPUT = re.compile(
    r'<input type="(?:radio|checkbox)" id="q(\d+)-c\d+" name="q\1" value="(\d+)"'
)
ENTRY_CHECKBOX = re.compile(r'<input type="checkbox" name="entries" value="(\d+)"')
ATTEMPT_URL = r"^/quizzes/attempts/[0-9a-f-]{36}/$"


class PageError(Exception):
    """A page that was not the one expected; already recorded as a locust failure."""


class Person(HttpUser):
    """A browser: one cookie jar, its own loopback address, requests spread over both hosts."""

    abstract = True
    source_network = "127.0.9"
    csrf_token = ""

    def bind_source(self, number: int) -> None:
        address = f"{self.source_network}.{number + 1}"
        self.client.mount(
            "http://",
            LocustHttpAdapter(pool_manager=PoolManager(num_pools=4, source_address=(address, 0))),
        )

    def cookie_header(self) -> str:
        # The site sets its cookies Secure (production settings). Browsers treat
        # http://127.0.0.1 as a secure context and send them; python-requests does not, so the
        # cookies are sent by hand. The jar itself stores them as usual.
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.client.cookies)

    def page(
        self,
        method: str,
        path: str,
        name: str,
        *,
        status=200,
        location: str | None = None,
        contains=(),
        data: dict | None = None,
        ajax: bool = False,
    ):
        """One request, checked; raises PageError (after recording the failure) when the
        answer is not the expected page."""
        headers = {"Cookie": self.cookie_header()} if self.client.cookies else {}
        if method == "POST":
            # The token of the last page shown, as a browser posts it (the CSRF cookie is
            # HttpOnly and its name depends on the settings).
            data = {"csrfmiddlewaretoken": self.csrf_token, **(data or {})}
            if ajax:
                headers["X-CSRFToken"] = self.csrf_token
                headers["X-Requested-With"] = "XMLHttpRequest"
        expected = status if isinstance(status, tuple) else (status,)
        problem = None
        with self.client.request(
            method,
            next(_next_host) + path,
            name=name,
            data=data,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in expected:
                problem = f"{method} {path}: status {response.status_code}, expected {expected}"
            elif location is not None and not re.search(
                location, response.headers.get("Location", "")
            ):
                problem = (
                    f"{method} {path}: redirected to {response.headers.get('Location')!r}, "
                    f"expected {location!r}"
                )
            else:
                missing = [marker for marker in contains if marker not in response.text]
                if missing:
                    problem = f"{method} {path}: page lacks {missing}"
            if problem:
                response.failure(problem)
            else:
                response.success()
                token = CSRF_INPUT.search(response.text)
                if token:
                    self.csrf_token = token.group(1)
        if problem:
            raise PageError(problem)
        return response

    def log_in(self, email: str) -> None:
        self.client.cookies.clear()
        self.csrf_token = ""
        self.page("GET", "/accounts/login/", "sign in: form", contains=['name="login"'])
        self.page(
            "POST",
            "/accounts/login/",
            "sign in: submit",
            status=302,
            location=r"/dashboard/$",
            data={"login": email, "password": PASSWORD},
        )

    def log_out(self) -> None:
        self.page("POST", "/accounts/logout/", "sign out", status=302)

    def think(self) -> None:
        gevent.sleep(random.uniform(0.1, 0.4))  # noqa: S311 - pacing, not security

    def finish(self, kind: str):
        DONE[kind] += 1
        raise StopUser


def everyone_else_done() -> bool:
    return DONE["trainee"] >= EXPECTED["trainee"] and DONE["supervisor"] >= EXPECTED["supervisor"]


class TraineeUser(Person):
    fixed_count = EXPECTED["trainee"]
    wait_time = between(0.5, 1.5)
    source_network = "127.0.1"

    def on_start(self):
        number = next(_trainee_numbers)
        self.account = SETUP["trainees"][number]
        self.bind_source(number)
        self.tally = TALLY["trainees"].setdefault(
            self.account["email"],
            {
                "loops": 0,
                "logins": 0,
                "attempts_started": 0,
                "attempts_submitted": 0,
                "entries_created": 0,
                "entries_submitted": 0,
                "failed_loops": 0,
            },
        )

    @task
    def one_loop(self):
        if self.tally["loops"] + self.tally["failed_loops"] >= LOOPS:
            self.finish("trainee")
        try:
            self.study_and_practise()
            self.tally["loops"] += 1
        except PageError:
            self.tally["failed_loops"] += 1
        except Exception as error:  # a bug in this file: count it, never loop for ever
            TALLY["errors"].append(f"{self.account['email']}: {error!r}")
            self.tally["failed_loops"] += 1
        if self.tally["loops"] + self.tally["failed_loops"] >= LOOPS:
            self.finish("trainee")

    def study_and_practise(self):
        account = self.account
        self.log_in(account["email"])
        self.tally["logins"] += 1
        self.page(
            "GET", "/dashboard/", "dashboard", contains=[f"Hello, {account['preferred_name']}"]
        )
        self.think()
        quiz_url = SETUP["quiz_url"]
        self.page("GET", SETUP["module_url"], "module page", contains=[f'href="{quiz_url}"'])
        self.think()
        self.take_quiz(quiz_url)
        self.think()
        self.log_hours()
        self.log_out()

    def take_quiz(self, quiz_url: str) -> None:
        self.page(
            "GET",
            quiz_url,
            "quiz: rules",
            contains=[SETUP["quiz_title"], "You can try as many times as you need."],
        )
        started = self.page(
            "POST", quiz_url, "quiz: start attempt", status=302, location=ATTEMPT_URL
        )
        self.tally["attempts_started"] += 1
        attempt_url = started.headers["Location"]
        form = self.page("GET", attempt_url, "quiz: attempt form", contains=["Submit answers"])
        options: dict[str, list[str]] = {}
        for position, choice in CHOICE_INPUT.findall(form.text):
            options.setdefault(position, []).append(choice)
        if len(options) != SETUP["quiz_questions"]:
            TALLY["errors"].append(
                f"{self.account['email']}: attempt form had {len(options)} questions"
            )
            raise PageError("wrong number of questions")
        # The first answer of the first question is right; the last answer of the others is
        # wrong. So every attempt scores 25% and fails, and the next loop may try again (a pass
        # is final: no new attempt after it).
        answers = {f"q{p}": (c[0] if p == "1" else c[-1]) for p, c in options.items()}
        self.think()
        self.page(
            "POST",
            attempt_url + "save/",
            "quiz: autosave one answer",
            contains=['"saved": true'],
            data={"position": "1", "q1": answers["q1"]},
            ajax=True,
        )
        self.think()
        self.page(
            "POST",
            attempt_url,
            "quiz: submit",
            status=302,
            location=re.escape(attempt_url) + "result/$",
            data={**answers, "action": "submit"},
        )
        self.tally["attempts_submitted"] += 1
        self.page(
            "GET",
            attempt_url + "result/",
            "quiz: result",
            contains=["You scored 25%. You need 80% to pass.", "Try again"],
        )

    def log_hours(self) -> None:
        form = self.page("GET", "/hours/new/", "hours: entry form", contains=['name="domain"'])
        domains = re.search(r'<select[^>]*name="domain"[^>]*>(.*?)</select>', form.text, re.S)
        domain_ids = re.findall(r'<option value="(\d+)"', domains.group(1) if domains else "")
        if not domain_ids:
            raise PageError("no domain to choose")
        # A day well in the past in any time zone, a different one each loop.
        day = datetime.date.today() - datetime.timedelta(days=2 + self.tally["entries_created"])  # noqa: DTZ011
        self.page(
            "POST",
            "/hours/new/",
            "hours: save draft",
            status=302,
            location=r"/hours/$",
            data={
                "ledger": "practice",
                "supervision_format": "",
                "date": day.isoformat(),
                "minutes": "30",
                "domain": random.choice(domain_ids),  # noqa: S311
                "activity": "one_to_one",
                "setting": "detox",
                "delivery": "in_person",
                "description": "One-to-one support after a detox admission",
            },
        )
        self.tally["entries_created"] += 1
        index = self.page(
            "GET", "/hours/", "hours: index", contains=["Saved as a draft.", 'name="supervisor"']
        )
        sendable = ENTRY_CHECKBOX.findall(index.text)
        supervisor = str(self.account["supervisor_id"])
        offered = f'<option value="{supervisor}"' in index.text
        if len(sendable) != 1 or not offered:
            TALLY["errors"].append(
                f"{self.account['email']}: {len(sendable)} entries to send, "
                f"own supervisor offered: {offered}"
            )
            raise PageError("unexpected hours page")
        self.think()
        self.page(
            "POST",
            "/hours/submit/",
            "hours: send for review",
            status=302,
            location=r"/hours/$",
            data={"entries": sendable[0], "supervisor": supervisor},
        )
        self.page("GET", "/hours/", "hours: index", contains=["Sent 1 entry to"])
        self.tally["entries_submitted"] += 1


class SupervisorUser(Person):
    fixed_count = EXPECTED["supervisor"]
    wait_time = between(1, 2)
    source_network = "127.0.2"

    def on_start(self):
        number = next(_supervisor_numbers)
        account = SETUP["supervisors"][number]
        self.email = account["email"]
        self.expected = account["trainees"] * LOOPS
        self.bind_source(number)
        self.empty_polls_after_trainees = 0
        self.tally = TALLY["supervisors"].setdefault(
            self.email,
            {"logins": 0, "reauthentications": 0, "sign_offs": 0, "entries_approved": 0},
        )
        self.signed_in = False

    def reauthenticate_if_asked(self, response):
        """allauth asks for the password again before the review queue (at most every five
        minutes); answer it and return the response of the request that asked."""
        target = response.headers.get("Location", "") if response.status_code == 302 else ""
        if "/accounts/reauthenticate/" not in target:
            return response
        path = target.split("://", 1)[-1]
        path = path[path.index("/") :] if not target.startswith("/") else target
        self.page("GET", path, "review: confirm password form", contains=['name="password"'])
        confirmed = self.page(
            "POST",
            path,
            "review: confirm password",
            status=302,
            location=r"/hours/review/",
            data={"password": PASSWORD},
        )
        self.tally["reauthentications"] += 1
        return confirmed

    def queue(self):
        first = self.page("GET", "/hours/review/", "review: queue", status=(200, 302))
        if first.status_code == 302:
            self.reauthenticate_if_asked(first)
            return self.page("GET", "/hours/review/", "review: queue", contains=["Review hours"])
        if "Review hours" not in first.text:
            raise PageError("not the review queue")
        return first

    @task
    def review(self):
        if self.tally["entries_approved"] >= self.expected:
            self.finish("supervisor")
        try:
            if not self.signed_in:
                self.log_in(self.email)
                self.tally["logins"] += 1
                self.signed_in = True
            page = self.queue()
            ids = ENTRY_CHECKBOX.findall(page.text)
            if ids:
                self.think()
                approved = self.page(
                    "POST",
                    "/hours/review/approve/",
                    "review: approve selected",
                    status=302,
                    data={"entries": ids},
                )
                self.reauthenticate_if_asked(approved)
                self.page(
                    "GET",
                    "/hours/review/",
                    "review: queue",
                    contains=[
                        f"Approved {len(ids)} entry."
                        if len(ids) == 1
                        else f"Approved {len(ids)} entries."
                    ],
                )
                self.tally["sign_offs"] += 1
                self.tally["entries_approved"] += len(ids)
            elif DONE["trainee"] >= EXPECTED["trainee"]:
                # Every trainee has stopped and nothing is waiting: give it two more looks.
                self.empty_polls_after_trainees += 1
                if self.empty_polls_after_trainees > 2:
                    TALLY["errors"].append(
                        f"{self.email}: approved {self.tally['entries_approved']} of "
                        f"{self.expected} entries, and nothing more arrived"
                    )
                    self.finish("supervisor")
        except StopUser:
            raise
        except PageError:
            self.signed_in = False  # start again from the sign-in page
        except Exception as error:  # a bug in this file: record it and stop this user
            TALLY["errors"].append(f"{self.email}: {error!r}")
            self.finish("supervisor")
        if self.tally["entries_approved"] >= self.expected:
            self.finish("supervisor")


class VerifierUser(Person):
    fixed_count = EXPECTED["verifier"]
    wait_time = between(0.5, 1.5)
    source_network = "127.0.3"

    def on_start(self):
        number = next(_verifier_numbers)
        self.bind_source(number)
        self.tally = TALLY["verifiers"].setdefault(f"visitor-{number + 1}", {"lookups": 0})

    @task
    def lookup(self):
        if everyone_else_done():
            self.finish("verifier")
        try:
            certificate = random.choice(SETUP["certificates"])  # noqa: S311
            code = certificate["code"]
            self.page("GET", f"/verify/{code}/", "verify: page", contains=[certificate["name"]])
            self.page(
                "GET",
                f"/verify/{code}/status.json",
                "verify: status.json",
                contains=['"format": "alongside-verification/1"', '"valid": true'],
            )
            if random.random() < 0.3:  # noqa: S311
                unknown = "".join(secrets.choice(CODE_ALPHABET) for _ in range(28))
                self.page("GET", f"/verify/{unknown}/", "verify: unknown code (404)", status=404)
            self.tally["lookups"] += 1
        except PageError:
            pass
        except Exception as error:  # a bug in this file: record it and stop this user
            TALLY["errors"].append(f"verifier: {error!r}")
            self.finish("verifier")


def write_tally(**_kwargs) -> None:
    with open(TALLY_FILE, "w") as handle:  # noqa: PTH123
        json.dump(TALLY, handle, indent=1)


@events.test_start.add_listener
def stop_when_everyone_is_done(environment, **_kwargs):
    def watch():
        while sum(DONE.values()) < sum(EXPECTED.values()):
            gevent.sleep(0.5)
        write_tally()
        environment.runner.quit()

    gevent.spawn(watch)


events.test_stop.add_listener(write_tally)
events.quitting.add_listener(write_tally)
