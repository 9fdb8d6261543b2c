"""The board application packet: one PDF with the trainee's progress on a program, training,
approved hour logs and the sign-offs behind them, signed statements and credentials. Only for a
trainee who started the program, never cached, and in a fixed number of queries."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate
from courses.models import Domain
from hours import services as hour_services
from hours.models import SignOff
from tests.factories import QualificationFactory

from .builders import approve_hours, hours_rule, make_program

PLEDGE = "I will keep my relationships within my role."
DESCRIPTION = "Support after an admission."


@pytest.fixture
def program(world, settings):
    settings.SITE_URL = "https://alongside.example.org"
    QualificationFactory(user=world.supervisor)
    world.supervisor.legal_name = "Robin Okafor"
    world.supervisor.save(update_fields=["legal_name"])
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    version = make_program(
        "micro",
        title="Professional Boundaries in Peer Support",
        practice=hours_rule(40),
        supervision=hours_rule(1),
        attestations=[("pledge", PLEDGE)],
    )
    services.program_start(trainee=world.trainee, program=version.program)
    return version


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def packet_url(slug="micro") -> str:
    return reverse("program_packet", args=[slug])


def submit_only(world, *, days_ago, minutes=45):
    """An entry sent for review but not decided yet."""
    entry = hour_services.entry_save(
        trainee=world.trainee,
        values={
            "ledger": "practice",
            "supervision_format": "",
            "date": timezone.localdate() - datetime.timedelta(days=days_ago),
            "minutes": minutes,
            "domain": Domain.objects.get(code="advocacy"),
            "activity": "advocacy",
            "setting": "community",
            "delivery": "phone",
            "description": "Went along to a housing appointment.",
        },
    )
    hour_services.entries_submit(
        trainee=world.trainee, entries=[entry], supervisor=world.supervisor
    )
    return entry


def test_the_packet_prints_the_record_a_board_asks_for(client, world, program):
    approved = approve_hours(world, ledger="practice", minutes=120, days_ago=3)
    approve_hours(world, ledger="supervision", minutes=60, days_ago=4)
    waiting = submit_only(world, days_ago=9)
    attestation = program.attestations.get()
    services.attestation_sign(
        trainee=world.trainee,
        attestation=attestation,
        typed_name="Jordan Rivera",
        confirmed=True,
        ip_address="203.0.113.9",
    )
    quick = make_program("quick", title="Quick credential")
    services.program_start(trainee=world.trainee, program=quick.program)
    certificate = Certificate.objects.get(holder=world.trainee)
    sign_off = SignOff.objects.get(entries=approved, action=SignOff.Action.APPROVE)

    client.force_login(world.trainee)
    response = client.get(packet_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="micro-application-packet.pdf"'
    )
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Jordan Rivera" in text
    assert world.trainee.email in text
    assert "Professional Boundaries in Peer Support" in text
    assert "Version 1" in text
    assert "40 supervised practice hours in total" in text
    assert "Not met yet" in text and "Met" in text
    assert date_format(approved.date, "DATE_FORMAT") in text
    assert "Robin Okafor" in text
    assert sign_off.digest[:16] in text.replace(" ", "")
    assert sign_off.digest[:17] not in text.replace(" ", "")  # the prefix, not the digest
    assert date_format(waiting.date, "DATE_FORMAT") not in text
    assert "housing appointment" not in text and DESCRIPTION not in text
    assert attestation.title in text
    assert certificate.code_display in text
    assert certificate.number in text
    assert "Check at https://alongside.example.org/verify/" in text


def test_the_program_page_links_to_the_packet_once_started(client, world, program):
    client.force_login(world.trainee)
    page = client.get(reverse("program_detail", args=["micro"])).content.decode()
    assert packet_url() in page
    assert "Download your application packet (PDF)" in page
    client.force_login(world.other_trainee)
    page = client.get(reverse("program_detail", args=["micro"])).content.decode()
    assert packet_url() not in page


def test_another_trainees_request_is_a_404(client, world, program):
    approve_hours(world, ledger="practice", minutes=60)
    other = make_program("other", title="Other credential", practice=hours_rule(5))
    services.program_start(trainee=world.other_trainee, program=other.program)
    client.force_login(world.other_trainee)
    assert client.get(packet_url("other")).status_code == 200  # their own program
    assert client.get(packet_url()).status_code == 404


def test_a_trainee_who_has_not_started_the_program_gets_a_404(client, world, program):
    make_program("later", title="Later credential", practice=hours_rule(5))
    client.force_login(world.trainee)
    assert client.get(packet_url("later")).status_code == 404
    assert client.get(packet_url("no-such-program")).status_code == 404


def log_approved(world, count, *, first_day=1, per_sign_off=4):
    """``count`` approved entries of the world's trainee, one a day, in both ledgers, approved
    in sign-offs of ``per_sign_off`` entries."""
    domains = list(Domain.objects.filter(code__in=["advocacy", "recovery-wellness-support"]))
    entries = [
        hour_services.entry_save(
            trainee=world.trainee,
            values={
                "ledger": "supervision" if i % 3 == 0 else "practice",
                "supervision_format": "group" if i % 3 == 0 else "",
                "date": timezone.localdate() - datetime.timedelta(days=first_day + i),
                "minutes": 30,
                "domain": domains[i % len(domains)],
                "activity": "one_to_one",
                "setting": "outpatient",
                "delivery": "video",
                "description": DESCRIPTION,
            },
        )
        for i in range(count)
    ]
    hour_services.entries_submit(
        trainee=world.trainee, entries=entries, supervisor=world.supervisor
    )
    for start in range(0, count, per_sign_off):
        hour_services.entries_decide(
            supervisor=world.supervisor,
            entry_ids=[entry.pk for entry in entries[start : start + per_sign_off]],
            approve=True,
        )


def test_queries_do_not_grow_with_the_number_of_entries(
    client, world, program, django_assert_max_num_queries
):
    client.force_login(world.trainee)
    log_approved(world, 2)
    with django_assert_max_num_queries(20) as few:
        assert client.get(packet_url()).status_code == 200
    log_approved(world, 38, first_day=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(packet_url())
    assert response.status_code == 200
    assert pdf_text(response.content).count(DESCRIPTION) == 0
