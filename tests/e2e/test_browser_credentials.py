"""Earning credentials in a real browser: the demo micro-credential from start to finish, and a
registrar approving an IC&RC review."""

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from .test_browser_hours import log_entry
from .test_browser_quiz import _correct_choices

MICRO = "/programs/professional-boundaries-micro-credential/"
ICRC = "/programs/certified-peer-recovery-specialist/"


def _pass_module(page, session, path):
    from assessments.models import Attempt

    session.go(path)
    page.get_by_role("link", name="Go to the quiz").click()
    page.get_by_role("button", name="Start the quiz").click()
    attempt = Attempt.objects.filter(submitted_at__isnull=True).get()
    for position, kind, correct in _correct_choices(attempt):
        question = page.locator(f'fieldset[data-position="{position}"]')
        if kind == "matching":
            for left, right in correct:
                question.get_by_label(left, exact=True).select_option(label=right)
        else:
            for text in correct:
                question.get_by_label(text, exact=True).check()
    expect(page.locator("form.quiz-form")).to_have_attribute("data-pending", "0")
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_text("You passed with 100%.")).to_be_visible()
    session.go(path)
    page.get_by_role("button", name="Mark this module as done").click()


def test_trainee_earns_the_demo_micro_credential(open_session):
    from courses.models import CoursePage

    trainee = open_session()
    page = trainee.log_in("trainee2@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name="Professional Boundaries in Peer Support").click()
    trainee.assert_accessible()
    page.get_by_role("button", name="Start this program").click()
    expect(page.get_by_text("Everything you have already done counts.")).to_be_visible()
    expect(page.get_by_text("2.5 more Ethical Responsibility training hours")).to_be_visible()
    trainee.assert_accessible()

    page.get_by_role("link", name="Read and sign Boundaries pledge").click()
    page.get_by_label("Your full legal name").fill("Casey")
    page.get_by_label("I have read this statement and I agree to follow it.").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("not the legal name on your profile")).to_be_visible()
    trainee.assert_accessible()
    page.get_by_label("Your full legal name").fill("Casey Morgan")
    page.get_by_label("I have read this statement and I agree to follow it.").check()
    page.get_by_role("button", name="Sign").click()
    expect(page.get_by_text("Thank you. You signed Boundaries pledge.")).to_be_visible()

    course = CoursePage.objects.get(slug="professional-boundaries")
    trainee.go(course.url)
    page.get_by_role("button", name="Enroll in this course").click()
    for module in course.get_children().live().order_by("path"):
        _pass_module(page, trainee, module.url)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hours").click()
    log_entry(
        page,
        ledger="Supervised practice",
        minutes_label="2 h 00 min",
        domain="Ethical Responsibility",
        description="Talked through a gift offer with a peer",
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
    expect(page.get_by_text("Sent 2 entries to Sam for review.")).to_be_visible()
    expect(page.get_by_text("Your hours and your programs")).to_be_visible()
    trainee.assert_accessible()

    supervisor = open_session()
    review = supervisor.log_in("supervisor@example.org")
    review.get_by_role("navigation", name="Main").get_by_role("link", name="Review hours").click()
    review.get_by_label("Password").fill("alongside-demo")
    review.get_by_role("button", name="Confirm").click()
    for checkbox in review.get_by_role("checkbox").all():
        checkbox.check()
    review.get_by_role("button", name="Approve selected").click()
    expect(review.get_by_text("Approved 2 entries.")).to_be_visible()

    trainee.go(MICRO)
    expect(page.get_by_text("You have earned this credential.")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Credentials").click()
    cards = page.locator(".card", has_text="Professional Boundaries in Peer Support")
    card = cards.filter(has_text="Active · Credential")
    expect(cards.filter(has_text="Certificate of completion")).to_have_count(1)
    expect(card).to_contain_text("Active")
    expect(card).to_contain_text("Casey Morgan")
    expect(card.locator("code")).to_have_text(re.compile(r"^([A-Z0-9]{4}-){6}[A-Z0-9]{4}$"))
    trainee.assert_accessible()


def _meet_icrc_requirements(email):
    """Records of a trainee who meets every IC&RC requirement, built on the server: training
    credits of 10/10/10/16 hours, 500 approved practice hours, 25 approved supervision hours,
    and the signed code of ethics."""
    from django.contrib.auth import get_user_model

    from certificates import services
    from certificates.models import CredentialProgram
    from courses.models import CoursePage, Domain, Enrollment, TrainingHourCredit
    from hours import services as hour_services

    trainee = get_user_model().objects.get(email=email)
    supervisor = get_user_model().objects.get(email="supervisor@example.org")
    program = CredentialProgram.objects.get(slug="certified-peer-recovery-specialist")
    services.program_start(trainee=trainee, program=program)
    now = timezone.now()
    for code, hours in [
        ("advocacy", 10),
        ("mentoring-education", 10),
        ("recovery-wellness-support", 10),
        ("ethical-responsibility", 16),
    ]:
        domain = Domain.objects.get(code=code)
        course = CoursePage.objects.filter(contact_hours__domain=domain).first()
        enrollment, _created = Enrollment.objects.get_or_create(
            trainee=trainee, course=course, defaults={"completed_at": now}
        )
        TrainingHourCredit.objects.create(
            trainee=trainee,
            enrollment=enrollment,
            course=course,
            domain=domain,
            hours=Decimal(hours),
            earned_on=timezone.localdate(now),
        )
    today = timezone.localdate()
    domain = Domain.objects.get(code="recovery-wellness-support")
    entries = []
    for ledger, total_minutes in [("practice", 500 * 60), ("supervision", 25 * 60)]:
        day = 1
        while total_minutes > 0:
            minutes = min(total_minutes, 12 * 60)
            total_minutes -= minutes
            entries.append(
                hour_services.entry_save(
                    trainee=trainee,
                    values={
                        "ledger": ledger,
                        "supervision_format": "individual" if ledger == "supervision" else "",
                        "date": today
                        - datetime.timedelta(days=day + (100 if ledger == "supervision" else 0)),
                        "minutes": minutes,
                        "domain": domain,
                        "activity": "one_to_one",
                        "setting": "residential",
                        "delivery": "in_person",
                        "description": "Peer support shift",
                    },
                )
            )
            day += 1
    hour_services.entries_submit(trainee=trainee, entries=entries, supervisor=supervisor)
    hour_services.entries_decide(
        supervisor=supervisor, entry_ids=[entry.pk for entry in entries], approve=True
    )
    ethics = program.current_version.attestations.get()
    services.attestation_sign(
        trainee=trainee, attestation=ethics, typed_name=trainee.legal_name, confirmed=True
    )


def test_registrar_approves_an_icrc_review(open_session):
    from certificates.models import IssuanceReview

    _meet_icrc_requirements("trainee@example.org")
    assert IssuanceReview.objects.filter(status="pending").count() == 1

    trainee = open_session()
    page = trainee.log_in("trainee@example.org")
    trainee.go(ICRC)
    expect(page.get_by_text("A registrar is reviewing your record.")).to_be_visible()
    trainee.assert_accessible()

    registrar = open_session()
    admin = registrar.log_in("registrar@example.org")
    registrar.go("/admin/programs/reviews/")
    admin.get_by_role("link", name="Jordan Rivera").click()
    expect(admin.get_by_text("500 supervised practice hours in total")).to_be_visible()
    admin.get_by_role("button", name="Approve and issue the credential").click()
    expect(admin.get_by_text("Confirm that you have checked")).to_be_visible()
    admin.get_by_label("I have checked the board exam result").check()
    admin.get_by_role("button", name="Approve and issue the credential").click()
    expect(
        admin.get_by_text(re.compile(r"Issued Certified Peer Recovery Specialist"))
    ).to_be_visible()
    expect(admin.get_by_text("No one is waiting for a review.")).to_be_visible()

    trainee.go("/credentials/")
    card = page.locator(".card", has_text="Certified Peer Recovery Specialist").filter(
        has_text="Credential"
    )
    expect(card).to_contain_text("Active")
    expect(card).to_contain_text("Jordan Rivera")
    trainee.assert_accessible()


def _revoke_in_the_admin(open_session, certificate):
    """``registrar@example.org`` finds the certificate by its code, typed loosely, and revokes
    it as issued in error."""
    registrar = open_session()
    admin = registrar.log_in("registrar@example.org")
    registrar.go("/admin/credentials/certificates/")
    search = admin.locator('input[name="q"]:not(#menu-search-q)').first
    search.fill(certificate.code_display.lower().replace("-", " "))
    search.press("Enter")
    admin.get_by_role("link", name=certificate.number).click()
    expect(admin.get_by_role("heading", name="Revoke", exact=True)).to_be_visible()
    registrar.assert_accessible()
    admin.get_by_label("Reason (shown publicly)").first.select_option(label="Issued in error")
    admin.get_by_label("Note for staff (not shown publicly)").first.fill(
        "Issued to the wrong account."
    )
    admin.get_by_role("button", name="Revoke this certificate").click()
    expect(admin.get_by_text(f"Revoked {certificate.number}.")).to_be_visible()


def test_registrar_finds_a_demo_certificate_by_its_code_and_revokes_it(open_session):
    from certificates.models import Certificate

    certificate = Certificate.objects.get(holder__email="trainee@example.org")
    _revoke_in_the_admin(open_session, certificate)

    holder = open_session()
    page = holder.log_in("trainee@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Credentials").click()
    card = page.locator(".card", has_text=certificate.number)
    expect(card).to_contain_text("Revoked")
    expect(card).to_contain_text("This credential has been revoked.")
    holder.assert_accessible()


def test_a_visitor_scans_the_demo_certificate_and_sees_it_valid_then_revoked(
    open_session, demo_site
):
    from certificates.documents import certificate_pdf
    from certificates.models import Certificate
    from tests.certificates.test_documents_certificate_pdf import qr_codes

    certificate = Certificate.objects.get(holder__email="trainee@example.org")
    [scanned] = qr_codes(certificate_pdf(certificate))
    assert scanned == f"{demo_site.url}/verify/{certificate.verification_code}/"

    visitor = open_session()
    page = visitor.page
    page.goto(scanned)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Valid: {certificate.title}")
    expect(page.get_by_text(certificate.name_as_printed, exact=True)).to_be_visible()
    expect(page.get_by_text("Not valid")).to_have_count(0)
    visitor.assert_accessible()

    _revoke_in_the_admin(open_session, certificate)

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Not valid: {certificate.title}")
    status = page.get_by_role("status")
    expect(status).to_contain_text("This credential was revoked on")
    expect(status).to_contain_text("Reason: Issued in error.")
    expect(page.get_by_text("Issued to the wrong account.")).to_have_count(0)
    visitor.assert_accessible()
    assert not visitor.console_errors
