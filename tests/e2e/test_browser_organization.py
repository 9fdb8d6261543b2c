from playwright.sync_api import expect

from .conftest import link_from_last_email


def test_org_admin_invites_a_new_trainee_and_assigns_a_supervisor(open_session):
    admin = open_session()
    page = admin.log_in("orgadmin@example.org")
    page.get_by_role("link", name="Organization").click()
    expect(page.get_by_role("heading", name="Riverside Recovery Community")).to_be_visible()
    admin.assert_accessible()

    page.get_by_role("link", name="Invite someone").click()
    admin.assert_accessible()
    page.get_by_label("Email address").fill("newpeer@example.test")
    page.get_by_role("checkbox", name="Trainee").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to newpeer@example.test.")).to_be_visible()
    link = link_from_last_email(r"http://\S+/invitations/\S+/")

    invitee = open_session()
    assert link.startswith(admin.base_url)
    invite_page = invitee.page
    invite_page.goto(link)
    expect(
        invite_page.get_by_role(
            "heading", name="You are invited to join Riverside Recovery Community"
        )
    ).to_be_visible()
    invitee.assert_accessible()
    invite_page.get_by_role("link", name="Create an account").click()
    invite_page.get_by_label("Legal name").fill("Avery Quinn")
    invite_page.get_by_label("Email").fill("newpeer@example.test")
    invite_page.get_by_label("Password", exact=True).fill("a-long-new-passphrase")
    invite_page.get_by_label("Password (again)").fill("a-long-new-passphrase")
    invite_page.get_by_role("button", name="Sign Up").click()
    # The invitation link proved the address, so the new account is signed in straight away.
    invite_page.get_by_role("button", name="Join Riverside Recovery Community").click()
    expect(
        invite_page.get_by_text("Welcome to Riverside Recovery Community. You joined as: Trainee.")
    ).to_be_visible()
    expect(invite_page.get_by_text("You do not have a supervisor yet.")).to_be_visible()

    page.goto(admin.base_url + "/organization/riverside/")
    expect(page.get_by_role("rowheader", name="Avery Quinn newpeer@example.test")).to_be_visible()
    page.get_by_role("link", name="No supervisor yet: assign one").click()
    admin.assert_accessible()
    page.get_by_label("Supervisor").select_option(label="Sam Okafor (supervisor@example.org)")
    # The link from the member list chose the trainee already.
    expect(page.get_by_label("Trainee").locator("option:checked")).to_have_text(
        "Avery Quinn (newpeer@example.test)"
    )
    page.get_by_role("button", name="Save assignment").click()
    expect(page.get_by_text("Sam now supervises Avery Quinn.")).to_be_visible()
    admin.assert_accessible()

    invitee.go("/dashboard/")
    expect(invite_page.get_by_text("Your current supervisors:")).to_be_visible()
    expect(invite_page.get_by_text("Sam · Riverside Recovery Community")).to_be_visible()


def test_assigning_a_supervisor_to_themself_is_refused_with_a_message(open_session):
    admin = open_session()
    page = admin.log_in("orgadmin@example.org")
    admin.go("/organization/riverside/assignments/new/")
    page.get_by_label("Supervisor").select_option(label="Sam Okafor (supervisor@example.org)")
    page.get_by_label("Trainee").select_option(label="Jordan Rivera (trainee@example.org)")
    page.get_by_label("Starts on").fill("2026-01-05")
    page.get_by_role("button", name="Save assignment").click()
    expect(page.get_by_role("alert")).to_contain_text("already supervises")
    expect(page.get_by_label("Starts on")).to_have_value("2026-01-05")
    admin.assert_accessible()
