"""Checking credentials in a real browser: a visitor types a code loosely and checks a
credential file; a trainee shares their credentials with their organization, whose admin then
sees them on the roster and checks a file of codes. Each page passes axe."""

import json

from playwright.sync_api import expect


def test_a_visitor_types_a_code_loosely_and_checks_the_credential_file(open_session):
    from certificates.models import Certificate
    from certificates.openbadges.services import credential_of

    certificate = Certificate.objects.get(holder__email="trainee@example.org")
    visitor = open_session()
    page = visitor.go("/verify/")
    visitor.assert_accessible()
    page.get_by_label("Verification code").fill(certificate.code_display.lower().replace("-", " "))
    page.get_by_role("button", name="Check this code").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Valid: {certificate.title}")

    page.get_by_role("link", name="Check another code").click()
    page.get_by_label("Verification code").fill("ABCD-1234")
    page.get_by_role("button", name="Check this code").click()
    expect(page.get_by_text("That is not a verification code.")).to_be_visible()
    expect(page.get_by_label("Verification code")).to_have_value("ABCD-1234")
    visitor.assert_accessible()

    credential = credential_of(certificate)
    page = visitor.go("/verify/credential/")
    page.get_by_label("Paste the credential").fill(json.dumps(credential))
    page.get_by_role("button", name="Check this credential").click()
    expect(page.get_by_role("heading", name="Genuine and unchanged")).to_be_visible()
    visitor.assert_accessible()

    tampered = {**credential, "name": "Master Peer Specialist"}
    page.get_by_label("Paste the credential").fill(json.dumps(tampered))
    page.get_by_role("button", name="Check this credential").click()
    expect(page.get_by_text("changed since it was signed")).to_be_visible()
    expect(page.get_by_role("heading", name="Genuine and unchanged")).to_have_count(0)
    visitor.assert_accessible()
    assert not visitor.console_errors


def test_a_trainee_shares_and_the_org_admin_sees_and_checks_their_credential(
    open_session, tmp_path
):
    from certificates.models import Certificate

    certificate = Certificate.objects.get(holder__email="trainee@example.org")
    admin = open_session()
    page = admin.log_in("orgadmin@example.org")
    admin.go("/organization/riverside/")
    page.get_by_role("link", name="Members' credentials").click()
    expect(page.get_by_role("main")).not_to_contain_text("Jordan Rivera")

    trainee = open_session()
    mine = trainee.log_in("trainee@example.org")
    trainee.go("/profile/")
    mine.get_by_role("link", name="Choose what you share").click()
    trainee.assert_accessible()
    mine.get_by_label(
        "Let Riverside Recovery Community see my credentials and their status"
    ).check()
    mine.get_by_role("button", name="Save my choices").click()
    expect(mine.get_by_text("Shared now.")).to_be_visible()

    page.reload()
    expect(page.get_by_role("main")).to_contain_text("Jordan Rivera")
    expect(page.get_by_role("main")).to_contain_text(certificate.title)
    admin.assert_accessible()

    codes = tmp_path / "codes.csv"
    codes.write_text(
        "code,name\n"
        f"{certificate.code_display.lower()},Jordan Rivera\n"
        f"{certificate.verification_code},Someone Else\n"
        "ABCD-EFHJ-KMNP-QRTU-VWXY-3478-9ABC,Nobody\n",
        encoding="utf-8",
    )
    admin.go("/organization/riverside/")
    page.get_by_role("link", name="Check credential codes").click()
    page.get_by_label("CSV file of codes").set_input_files(str(codes))
    page.get_by_role("button", name="Check codes").click()
    results = page.get_by_role("table")
    expect(results.get_by_role("row")).to_have_count(4)
    expect(results.get_by_role("row").nth(1)).to_contain_text("Valid")
    expect(results.get_by_role("row").nth(1)).to_contain_text("Matches")
    expect(results.get_by_role("row").nth(2)).to_contain_text("Name does not match")
    expect(results.get_by_role("row").nth(3)).to_contain_text("Not found")
    admin.assert_accessible()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download results as CSV").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    assert content.count("\n") == 4 and "Name does not match" in content

    trainee.go("/profile/sharing/")
    mine.get_by_label(
        "Let Riverside Recovery Community see my credentials and their status"
    ).uncheck()
    mine.get_by_role("button", name="Save my choices").click()
    expect(mine.get_by_text("Not shared now.")).to_be_visible()
    admin.go("/organization/riverside/credentials/")
    expect(page.get_by_role("main")).not_to_contain_text("Jordan Rivera")
