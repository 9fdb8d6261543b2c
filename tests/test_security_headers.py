"""Browser-facing protections (ASVS 5.0 V3, V14.3): the production settings read in a fresh
process (secure ``__Host-`` cookies, HSTS, HTTPS redirect, CSP), the headers on real responses,
and ``Cache-Control: no-store`` on every page a signed-in person sees."""

import json
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments import services as quiz_services
from assessments.models import Attempt
from courses import services as course_services
from courses.domains import ensure_icrc_domains
from courses.models import Domain
from hours import services as hour_services
from tests import fresh_process
from tests.course_pages import make_course
from tests.factories import PASSWORD, QualificationFactory, UserFactory
from tests.quiz_builders import make_quiz, right_answers

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "production-like-secret-key-" + "k" * 40,
    "ALLOWED_HOSTS": "alongside.example.org",
    "SITE_URL": "https://alongside.example.org",
    "SECRET_KEY_FALLBACKS": "previous-key-one-" + "p" * 40 + ",previous-key-two-" + "q" * 40,
}

SETTINGS_NAMES = [
    "DEBUG",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_AGE",
    "SESSION_ABSOLUTE_TIMEOUT",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH",
    "MESSAGE_STORAGE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "MFA_REQUIRED_FOR_PRIVILEGED",
    "ACCOUNT_EMAIL_VERIFICATION",
    "TRUSTED_PROXY_COUNT",
]

# Runs in the fresh process: the settings, and the headers of a page that needs no database,
# over HTTPS and over plain HTTP.
SCRIPT = """
import json
from django.conf import settings
from django.test import Client
names = json.loads({names!r})
client = Client()
secure = client.get("/healthz/", secure=True, headers={{"host": "alongside.example.org"}})
plain = client.get("/healthz/", headers={{"host": "alongside.example.org"}})
print(json.dumps({{
    "settings": {{name: getattr(settings, name) for name in names}},
    "fallback_keys": len(settings.SECRET_KEY_FALLBACKS),
    "secure": {{"status": secure.status_code, "headers": dict(secure.headers)}},
    "plain": {{"status": plain.status_code, "location": plain.headers.get("Location")}},
}}))
"""


def run_in_fresh_process(tmp_path, env_overrides) -> dict:
    result = fresh_process.run_manage(
        "shell",
        "--no-imports",
        "-c",
        SCRIPT.format(names=json.dumps(SETTINGS_NAMES)),
        environment={"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}", **env_overrides},
        drop=("MFA_REQUIRED_FOR_PRIVILEGED", "DEBUG"),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    return run_in_fresh_process(tmp_path_factory.mktemp("production"), PRODUCTION)


def test_production_cookies_are_secure_host_only_and_hidden_from_scripts(production):
    settings = production["settings"]
    assert settings["DEBUG"] is False
    for kind in ("SESSION", "CSRF"):
        assert settings[f"{kind}_COOKIE_NAME"].startswith("__Host-")
        assert settings[f"{kind}_COOKIE_SECURE"] is True
        assert settings[f"{kind}_COOKIE_HTTPONLY"] is True
        assert settings[f"{kind}_COOKIE_SAMESITE"] == "Lax"
        assert settings[f"{kind}_COOKIE_DOMAIN"] is None  # __Host- forbids a Domain
        assert settings[f"{kind}_COOKIE_PATH"] == "/"  # and requires Path=/
    assert settings["MESSAGE_STORAGE"].endswith("SessionStorage")


def test_production_reads_previous_secret_keys_for_a_rotation(production):
    assert production["fallback_keys"] == 2


def test_production_sessions_time_out(production):
    settings = production["settings"]
    assert settings["SESSION_COOKIE_AGE"] == 30 * 60
    assert settings["SESSION_ABSOLUTE_TIMEOUT"] == 12 * 60 * 60


def test_production_forces_https_with_a_preloadable_hsts_policy(production):
    settings = production["settings"]
    assert settings["SECURE_SSL_REDIRECT"] is True
    assert settings["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert settings["SECURE_HSTS_PRELOAD"] is True
    assert production["plain"]["status"] == 301
    assert production["plain"]["location"] == "https://alongside.example.org/healthz/"
    headers = production["secure"]["headers"]
    assert production["secure"]["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_production_responses_carry_the_browser_protections(production):
    headers = production["secure"]["headers"]
    assert_strict_policy(headers["Content-Security-Policy"])
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_production_needs_no_mfa_setting_and_asks_email_confirmation(production):
    settings = production["settings"]
    assert settings["MFA_REQUIRED_FOR_PRIVILEGED"] is False  # on only when the site asks
    assert settings["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"
    assert settings["TRUSTED_PROXY_COUNT"] == 0


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_strict_policy(policy: str) -> None:
    parsed = directives(policy)
    assert parsed["default-src"] == ["'self'"]
    assert parsed["script-src"] == ["'self'"]
    assert parsed["style-src"] == ["'self'"]
    assert parsed["object-src"] == ["'none'"]
    assert parsed["base-uri"] == ["'none'"]
    assert parsed["frame-ancestors"] == ["'none'"]
    assert parsed["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_production_cookies_as_set_on_a_login(client, production):
    """The production cookie settings, applied here, on the cookies a real login sets."""
    names = [name for name in SETTINGS_NAMES if "_COOKIE_" in name]
    values = {name: production["settings"][name] for name in names}
    user = UserFactory()
    with override_settings(**values):
        client.get(reverse("account_login"), secure=True)
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": PASSWORD}, secure=True
        )
        assert response.status_code == 302
        session = response.cookies["__Host-sessionid"]
        csrf = client.cookies["__Host-csrftoken"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
    assert "messages" not in response.cookies  # flash messages stay on the server


def test_the_development_settings_are_development_only(tmp_path):
    demo = run_in_fresh_process(tmp_path, {"DEBUG": "1"})["settings"]
    assert demo["DEBUG"] is True
    assert demo["SESSION_COOKIE_NAME"] == "sessionid"  # plain HTTP on the developer's machine
    assert demo["SESSION_COOKIE_SECURE"] is False
    assert demo["MFA_REQUIRED_FOR_PRIVILEGED"] is False


# Headers on the pages themselves ------------------------------------------------------------


def test_every_kind_of_page_has_the_strict_policy_and_only_the_admin_relaxes_it(client, world):
    client.force_login(world.registrar)
    for url in ("/", reverse("dashboard"), reverse("verify"), "/no-such-page/"):
        response = client.get(url)
        assert_strict_policy(response["Content-Security-Policy"])
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
    admin = directives(client.get("/admin/")["Content-Security-Policy"])
    assert admin["script-src"] == ["'self'", "'unsafe-inline'"]
    assert admin["object-src"] == ["'none'"] and admin["frame-ancestors"] == ["'none'"]


def test_static_files_stay_cacheable_and_run_nothing_on_their_own(client, world):
    client.force_login(world.trainee)
    response = client.get("/static/js/autosave.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert directives(response["Content-Security-Policy"]) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "sandbox": [],
    }


# Cache-Control: no-store on every personal page ---------------------------------------------


@pytest.fixture
def personal_record(world):
    """A trainee with a course, a quiz attempt and an hour entry; a supervisor to review."""
    ensure_icrc_domains()
    QualificationFactory(user=world.supervisor)
    course = make_course(modules=1, reflection=False)
    module = course.modules().get()
    quiz = make_quiz(module, retry_after_minutes=0)
    course_services.enrollment_create(trainee=world.trainee, course=course)
    entry = hour_services.entry_save(
        trainee=world.trainee,
        values={
            "ledger": "practice",
            "supervision_format": "",
            "date": timezone.localdate(course.first_published_at),
            "minutes": 60,
            "domain": Domain.objects.get(code="ethical-responsibility"),
            "activity": "one_to_one",
            "setting": "detox",
            "delivery": "in_person",
            "description": "Support after an admission.",
        },
    )
    attempt = quiz_services.attempt_start(trainee=world.trainee, quiz=quiz)
    return {"module": module, "quiz": quiz, "entry": entry, "attempt": attempt}


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_every_personal_page_is_no_store(client, world, personal_record):
    record = personal_record
    trainee, org = world.trainee, world.org
    pages = {
        world.trainee: [
            reverse("dashboard"),
            reverse("profile"),
            reverse("credential_sharing"),
            reverse("hours_index"),
            reverse("hours_new"),
            reverse("hours_edit", args=[record["entry"].pk]),
            reverse("hours_record", args=[trainee.pk]),
            reverse("hours_record_csv", args=[trainee.pk]),
            reverse("hours_record_pdf", args=[trainee.pk]),
            reverse("credentials"),
            reverse("program_list"),
            reverse("quiz_detail", args=[record["quiz"].pk]),
            reverse("attempt_take", args=[record["attempt"].pk]),
            record["module"].url,
            reverse("account_email"),
            reverse("account_change_password"),
            reverse("mfa_index"),
        ],
        world.supervisor: [
            reverse("hours_review"),
            reverse("hours_record", args=[trainee.pk]),
            reverse("hours_record_pdf", args=[trainee.pk]),
        ],
        world.org_admin: [
            reverse("organization_index"),
            reverse("organization_detail", args=[org.slug]),
            reverse("organization_invite", args=[org.slug]),
            reverse("organization_assignment_create", args=[org.slug]),
            reverse("organization_credentials", args=[org.slug]),
            reverse("organization_credential_check", args=[org.slug]),
            reverse("hours_record_csv", args=[trainee.pk]),
        ],
        world.registrar: [
            "/admin/",
            "/admin/credentials/certificates/",
            "/admin/snippets/assessments/question/",
            reverse("wagtailadmin_pages:edit", args=[record["module"].pk]),
        ],
    }
    for user, urls in pages.items():
        client.force_login(user)
        if user == world.supervisor:
            client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 202, 302), (user, url, response.status_code)
            assert no_store(response), (user, url, response.get("Cache-Control"))
            assert "private" in response["Cache-Control"], (user, url)


def test_a_quiz_result_is_no_store(client, world, personal_record):
    attempt = personal_record["attempt"]
    quiz_services.answers_save(
        attempt=attempt, trainee=world.trainee, answers=right_answers(attempt)
    )
    quiz_services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), trainee=world.trainee)
    client.force_login(world.trainee)
    response = client.get(reverse("attempt_result", args=[attempt.pk]))
    assert response.status_code == 200
    assert no_store(response)


def test_refusals_and_redirects_to_a_signed_in_person_are_no_store(client, world):
    client.force_login(world.trainee)
    assert no_store(client.get(reverse("hours_review")))  # 403
    assert no_store(client.get(reverse("hours_record", args=[world.other_trainee.pk])))  # 404
    assert no_store(client.get(reverse("hours_edit", args=[999_999])))


def test_public_pages_keep_their_own_caching_for_visitors(client, world):
    course = make_course()
    for url in ("/", reverse("program_list"), "/courses/", course.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not no_store(response), url


def test_a_view_that_chose_its_own_cache_policy_keeps_it(client, world):
    client.force_login(world.trainee)
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and not no_store(response)
    verify = client.get(reverse("verify"))
    assert verify["Cache-Control"] == "no-cache, private"
