import re

from playwright.sync_api import expect


def test_trainee_enrolls_completes_a_module_and_sees_progress(open_session):
    trainee = open_session()
    page = trainee.log_in("trainee2@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(page.get_by_role("heading", name="Courses", exact=True)).to_be_visible()
    trainee.assert_accessible()

    page.get_by_label("Domain").select_option(label="Ethical Responsibility")
    page.get_by_role("button", name="Show courses").click()
    page.get_by_role("link", name="Professional Boundaries in Peer Support").click()
    expect(page.get_by_text("Before you start")).to_be_visible()
    trainee.assert_accessible()

    page.get_by_role("button", name="Enroll in this course").click()
    expect(
        page.get_by_text("You are enrolled in Professional Boundaries in Peer Support.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    first_module_title = page.get_by_role("heading", level=1).inner_text()
    page.get_by_text("Show the discussion").first.click()
    trainee.assert_accessible()

    reflection = page.get_by_role("textbox").first
    reflection.fill("Saying no kindly is hard for me, and I can practise it.")
    page.get_by_role("button", name="Save my reflection").first.click()
    expect(page.get_by_text("Your reflection was saved. Only you can see it.")).to_be_visible()
    expect(page.get_by_role("textbox").first).to_have_value(
        "Saying no kindly is hard for me, and I can practise it."
    )

    page.get_by_role("button", name="Mark this module as done").click()
    expect(page.get_by_text("Module marked as done.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/courses/professional-boundaries/[a-z-]+/$"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_text("1 of 5 modules done")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Next step: "))).to_be_visible()
    trainee.assert_accessible()
    assert first_module_title
