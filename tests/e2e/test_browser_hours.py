import datetime
import re

from django.utils import timezone
from playwright.sync_api import expect


def log_entry(page, *, ledger, minutes_label, domain, description, supervision_format=None):
    page.get_by_role("link", name="Log hours").click()
    page.get_by_label("Ledger").select_option(label=ledger)
    if supervision_format:
        page.get_by_label("Supervision format").select_option(label=supervision_format)
    page.get_by_label("Date").fill((timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Duration").select_option(label=minutes_label)
    page.get_by_label("Domain").select_option(label=domain)
    page.get_by_label("Activity").select_option(label="One-to-one peer support")
    page.get_by_label("Setting").select_option(label="Detox")
    page.get_by_label("Delivery").select_option(label="In person")
    page.get_by_label("Short description").fill(description)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Saved as a draft.")).to_be_visible()


def test_log_review_reject_and_approve(open_session):
    trainee = open_session()
    page = trainee.log_in("trainee2@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hours").click()
    trainee.assert_accessible()
    log_entry(
        page,
        ledger="Supervised practice",
        minutes_label="1 h 30 min",
        domain="Recovery and Wellness Support",
        description="Bedside support after an admission",
    )
    trainee.assert_accessible()
    log_entry(
        page,
        ledger="Supervised practice",
        minutes_label="45 min",
        domain="Advocacy",
        description="Helped with a benefits form",
    )
    log_entry(
        page,
        ledger="Supervision received",
        supervision_format="Individual",
        minutes_label="1 h 00 min",
        domain="Ethical Responsibility",
        description="Supervision on boundaries",
    )
    page.get_by_label("Supervisor").select_option(label="Sam Okafor · Riverside Recovery Community")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("Sent 3 entries to Sam for review.")).to_be_visible()

    supervisor = open_session()
    review = supervisor.log_in("supervisor@example.org")
    review.get_by_role("navigation", name="Main").get_by_role("link", name="Review hours").click()
    # Signing off needs the password again.
    review.get_by_label("Password").fill("alongside-demo")
    review.get_by_role("button", name="Confirm").click()
    expect(review.get_by_role("heading", name="Review hours")).to_be_visible()
    supervisor.assert_accessible()
    review.get_by_role("link", name="Send back the entry of Casey Morgan").nth(1).click()
    review.get_by_label("What needs to change?").fill(
        "This was advocacy with a peer, please say what kind."
    )
    supervisor.assert_accessible()
    review.get_by_role("button", name="Send back with this reason").click()
    expect(review.get_by_text("Sent back to Casey with your reason.")).to_be_visible()
    for checkbox in review.get_by_role("checkbox").all():
        checkbox.check()
    review.get_by_role("button", name="Approve selected").click()
    expect(review.get_by_text("Approved 2 entries.")).to_be_visible()
    expect(review.get_by_text("Nothing is waiting for your review.")).to_be_visible()

    page.reload()
    expect(page.get_by_text("This was advocacy with a peer, please say what kind.")).to_be_visible()
    expect(page.locator("td", has_text=re.compile(r"^Approved$"))).to_have_count(2)
    page.get_by_role("link", name="Your supervised practice record").click()
    expect(
        page.get_by_text(re.compile(r"^Approved · Sam Okafor \(Certified Peer Recovery Specialist"))
    ).to_be_visible()
    trainee.assert_accessible()
