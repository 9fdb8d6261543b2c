"""Browser tests: Playwright driving the machine's Chromium against pytest-django's live server.

Without Chromium the tests skip with a loud reason on a developer's machine, and fail in CI
(``CI=true``), where a missing browser is a broken setup, not an excuse.
"""

import os
import re
import shutil

import pytest
from django.core import mail
from django.core.management import call_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server and the database
# calls our fixtures make are ordinary synchronous Django, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        message = f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium`"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(f"BROWSER TESTS SKIPPED. {message}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserSession:
    """One person's browser: a fresh context, with console errors (such as a blocked inline
    script under our Content-Security-Policy) collected so the test can fail on them."""

    def __init__(self, browser, base_url):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.console_errors: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def log_in(self, email: str, password: str = "alongside-demo"):
        page = self.go("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(re.compile(r".*/dashboard/$"))
        return page

    def log_out(self):
        self.page.get_by_role("button", name="Log out").click()
        self.page.wait_for_load_state()

    def nav_labels(self) -> list[str]:
        return [
            text.strip()
            for text in self.page.locator("nav.site-nav a, nav.site-nav button").all_inner_texts()
        ]

    def assert_accessible(self):
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        assert results.violations_count == 0, (
            f"axe found problems on {self.page.url}:\n{results.generate_report()}"
        )


@pytest.fixture
def demo_site(live_server, transactional_db, settings):
    # Links in emails point at the running test server, as they would at the real site.
    settings.SITE_URL = live_server.url
    call_command("seed_demo", "--force", verbosity=0)
    mail.outbox = []
    return live_server


@pytest.fixture
def open_session(browser, demo_site):
    sessions = []

    def factory() -> BrowserSession:
        session = BrowserSession(browser, demo_site.url)
        sessions.append(session)
        return session

    yield factory
    errors = [error for session in sessions for error in session.console_errors]
    for session in sessions:
        session.context.close()
    assert not errors, f"The browser console reported errors: {errors}"


def link_from_last_email(pattern: str) -> str:
    assert mail.outbox, "no email was sent"
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)
