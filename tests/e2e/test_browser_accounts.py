import re

import pytest
from playwright.sync_api import expect

from .conftest import link_from_last_email

DEMO_NAVIGATION = {
    "trainee@example.org": [
        "Dashboard",
        "Courses",
        "Programs",
        "Hours",
        "Credentials",
        "Profile",
        "Log out",
    ],
    "supervisor@example.org": ["Dashboard", "Review hours", "Profile", "Log out"],
    "orgadmin@example.org": ["Dashboard", "Organization", "Profile", "Log out"],
    "registrar@example.org": ["Dashboard", "Admin", "Profile", "Log out"],
    "editor@example.org": ["Dashboard", "Admin", "Profile", "Log out"],
}


def test_sign_up_confirm_email_log_in_and_out(open_session):
    visitor = open_session()
    page = visitor.go("/")
    visitor.assert_accessible()
    page.get_by_role("link", name="Create a free account").click()
    expect(page.get_by_role("heading", name="Sign Up")).to_be_visible()
    visitor.assert_accessible()
    page.get_by_label("Legal name").fill("Riley Park")
    page.get_by_label("Preferred name (optional)").fill("Riley")
    page.get_by_label("Email").fill("riley@example.test")
    page.get_by_label("Password", exact=True).fill("a-long-new-passphrase")
    page.get_by_label("Password (again)").fill("a-long-new-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    visitor.assert_accessible()

    visitor.page.goto(link_from_last_email(r"http://\S+/accounts/confirm-email/\S+/"))
    page.get_by_role("button", name="Confirm").click()
    visitor.log_in("riley@example.test", "a-long-new-passphrase")
    expect(page.get_by_role("heading", name="Hello, Riley")).to_be_visible()
    expect(page.get_by_text("You can take courses on your own")).to_be_visible()
    visitor.assert_accessible()

    visitor.log_out()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")
    ).to_be_visible()
    visitor.go("/dashboard/")
    expect(page).to_have_url(re.compile(r".*/accounts/login/\?next=/dashboard/$"))


def test_wrong_password_gets_a_plain_message(open_session):
    visitor = open_session()
    page = visitor.go("/accounts/login/")
    page.get_by_label("Email").fill("trainee@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    expect(
        page.get_by_text("The email address and/or password you specified are not correct.")
    ).to_be_visible()
    visitor.assert_accessible()


@pytest.mark.parametrize("email", sorted(DEMO_NAVIGATION))
def test_each_demo_account_sees_the_navigation_for_its_role(open_session, email):
    person = open_session()
    person.log_in(email)
    assert person.nav_labels() == DEMO_NAVIGATION[email]
    person.assert_accessible()
    person.go("/profile/")
    expect(person.page.get_by_role("heading", name="Your profile")).to_be_visible()
    person.assert_accessible()
