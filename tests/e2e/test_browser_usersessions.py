import re

from playwright.sync_api import expect


def test_a_person_sees_where_they_are_signed_in_and_signs_out_the_other_device(open_session):
    laptop, phone = open_session(), open_session()
    laptop.log_in("trainee@example.org")
    phone.log_in("trainee@example.org")

    page = laptop.go("/profile/")
    page.get_by_role("link", name="See where you are signed in").click()
    expect(page.get_by_role("heading", name="Where you are signed in")).to_be_visible()
    expect(page.get_by_text("This device")).to_be_visible()
    laptop.assert_accessible()

    page.get_by_role("button", name="Sign out other devices").click()
    expect(page.get_by_text("Your other devices are signed out.")).to_be_visible()
    expect(page.get_by_text("You are not signed in anywhere else.")).to_be_visible()
    laptop.assert_accessible()

    phone.go("/dashboard/")
    expect(phone.page).to_have_url(re.compile(r".*/accounts/login/\?next=/dashboard/$"))
