"""Documents made on request for a signed-in person (the hours record PDF, the program packet
PDF, the registrars' certificate ZIP, a lost certificate PDF made again) are limited to
``EXPORT_RATE_LIMIT`` a minute per person (ASVS 2.4.1, 15.2.2). Whoever may not have the
document still gets the same 302, 403 or 404 as before, and that costs them none of their
allowance; downloading a certificate PDF that is already stored is never limited."""

import datetime
import logging
import time
from dataclasses import dataclass, field

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from certificates import services, tasks
from certificates.models import Certificate
from organizations.roles import REGISTRARS_GROUP
from tests.factories import UserFactory

from .builders import make_program

MESSAGE = "You have downloaded several documents in a short time."


@dataclass
class Case:
    url: str
    person: object
    allowed_status: int
    other_person: object  # may have the same document, counted separately
    refused: list = field(default_factory=list)  # (person, url, status) the view refuses


def _hours_record_pdf(world):
    return Case(
        url=reverse("hours_record_pdf", args=[world.trainee.pk]),
        person=world.trainee,
        allowed_status=200,
        other_person=world.supervisor,
        refused=[
            (world.other_admin, reverse("hours_record_pdf", args=[world.trainee.pk]), 404),
            (world.trainee, reverse("hours_record_pdf", args=[world.other_trainee.pk]), 404),
        ],
    )


def _program_packet(world):
    version = make_program("micro", title="Professional Boundaries")
    make_program("later", title="Later credential")
    for person in (world.trainee, world.other_trainee):
        services.program_start(trainee=person, program=version.program)
    return Case(
        url=reverse("program_packet", args=["micro"]),
        person=world.trainee,
        allowed_status=200,
        other_person=world.other_trainee,
        refused=[
            (world.supervisor, reverse("program_packet", args=["micro"]), 404),
            (world.trainee, reverse("program_packet", args=["later"]), 404),
        ],
    )


def _certificates_zip(world):
    version = make_program("micro", title="Micro credential")
    services.program_start(trainee=world.trainee, program=version.program)
    other_registrar = UserFactory()
    other_registrar.groups.add(Group.objects.get(name=REGISTRARS_GROUP))
    return Case(
        url=reverse("certificates_zip"),
        person=world.registrar,
        allowed_status=200,
        other_person=other_registrar,
        refused=[
            # The admin turns its 403 into a redirect to the dashboard, with a message.
            (world.editor, reverse("certificates_zip"), 302),
            (world.trainee, reverse("certificates_zip"), 302),
        ],
    )


def _certificate_pdf_render(world, monkeypatch):
    """The holder's certificate has no stored PDF, and stays so: every request would make it."""
    version = make_program("micro", title="Micro credential")
    for person in (world.trainee, world.other_trainee):
        services.program_start(trainee=person, program=version.program)
    mine = Certificate.objects.get(holder=world.trainee)
    theirs = Certificate.objects.get(holder=world.other_trainee)
    assert not mine.pdf
    monkeypatch.setattr(tasks, "render_certificate", _NoRender())
    return Case(
        url=reverse("certificate_pdf", args=[mine.pk]),
        person=world.trainee,
        allowed_status=202,
        other_person=world.registrar,
        refused=[
            (world.other_trainee, reverse("certificate_pdf", args=[mine.pk]), 404),
            (world.trainee, reverse("certificate_pdf", args=[theirs.pk]), 404),
        ],
    )


class _NoRender:
    def __init__(self):
        self.queued = []

    def enqueue(self, certificate_id):
        self.queued.append(certificate_id)


@pytest.fixture(
    params=["hours_record_pdf", "program_packet", "certificates_zip", "certificate_pdf_render"]
)
def case(request, world, settings, monkeypatch):
    settings.EXPORT_RATE_LIMIT = 2
    build = {
        "hours_record_pdf": _hours_record_pdf,
        "program_packet": _program_packet,
        "certificates_zip": _certificates_zip,
    }.get(request.param)
    return build(world) if build else _certificate_pdf_render(world, monkeypatch)


def minute_start(minutes_ahead=1) -> datetime.datetime:
    """Five seconds into a coming minute: near enough to now that sessions stay valid."""
    start = (int(time.time()) // 60 + minutes_ahead) * 60 + 5
    return datetime.datetime.fromtimestamp(start, tz=datetime.UTC)


def get(client, person, url):
    client.force_login(person)
    return client.get(url)


def test_the_third_request_in_a_minute_is_refused_kindly(client, case):
    with time_machine.travel(minute_start(), tick=False):
        assert get(client, case.person, case.url).status_code == case.allowed_status
        assert get(client, case.person, case.url).status_code == case.allowed_status
        refused = get(client, case.person, case.url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "55"  # the rest of the minute
    page = refused.content.decode()
    assert "Please wait a minute" in page
    assert MESSAGE in page
    assert "You can try again in 55 seconds." in page
    assert refused["Content-Type"].startswith("text/html")


def test_someone_else_keeps_their_allowance(client, case):
    with time_machine.travel(minute_start(), tick=False):
        for _ in range(3):
            get(client, case.person, case.url)
        assert get(client, case.person, case.url).status_code == 429
        assert get(client, case.other_person, case.url).status_code == case.allowed_status
        assert get(client, case.other_person, case.url).status_code == case.allowed_status
        assert get(client, case.other_person, case.url).status_code == 429


def test_the_count_starts_again_the_next_minute(client, case):
    with time_machine.travel(minute_start(1), tick=False):
        for _ in range(2):
            assert get(client, case.person, case.url).status_code == case.allowed_status
        assert get(client, case.person, case.url).status_code == 429
    with time_machine.travel(minute_start(2), tick=False):
        assert get(client, case.person, case.url).status_code == case.allowed_status


def test_the_permission_check_comes_first_and_a_refusal_costs_nothing(client, case):
    with time_machine.travel(minute_start(), tick=False):
        for person, url, status in case.refused:
            for _ in range(4):
                assert get(client, person, url).status_code == status, (person, url)
        # The refusals above used none of the allowance, even the person's own.
        assert get(client, case.person, case.url).status_code == case.allowed_status
        assert get(client, case.person, case.url).status_code == case.allowed_status
        assert get(client, case.person, case.url).status_code == 429
        # Over the limit, what they may not have is still refused as before, not a 429.
        for person, url, status in case.refused:
            assert get(client, person, url).status_code == status, (person, url)


def test_an_anonymous_request_is_still_sent_to_log_in(client, case):
    with time_machine.travel(minute_start(), tick=False):
        for _ in range(4):
            response = client.get(case.url)
            assert response.status_code == 302
            assert "login" in response.url


def test_a_refused_export_is_logged(client, case, caplog):
    caplog.set_level(logging.INFO, logger="alongside.security")
    with time_machine.travel(minute_start(), tick=False):
        for _ in range(3):
            get(client, case.person, case.url)
    [event] = [
        r.security
        for r in caplog.records
        if r.name == "alongside.security" and r.security["event"] == "access.rate_limited"
    ]
    assert event["user_id"] == case.person.pk
    assert event["status"] == 429


def test_a_lost_pdf_is_not_queued_again_over_the_limit(client, world, settings, monkeypatch):
    settings.EXPORT_RATE_LIMIT = 2
    case = _certificate_pdf_render(world, monkeypatch)
    with time_machine.travel(minute_start(), tick=False):
        statuses = [get(client, case.person, case.url).status_code for _ in range(4)]
    assert statuses == [202, 202, 429, 429]
    assert len(tasks.render_certificate.queued) == 2


def test_downloading_a_stored_certificate_pdf_is_never_limited(client, world, settings):
    settings.EXPORT_RATE_LIMIT = 2
    version = make_program("micro", title="Micro credential")
    services.program_start(trainee=world.trainee, program=version.program)
    certificate = Certificate.objects.get(holder=world.trainee)
    tasks.render_certificate.call(certificate.pk)
    url = reverse("certificate_pdf", args=[certificate.pk])
    with time_machine.travel(minute_start(), tick=False):
        for _ in range(5):
            response = get(client, world.trainee, url)
            assert response.status_code == 200
            assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_without_a_signed_in_person_the_count_is_per_client_address(rf, settings, db):
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse

    from certificates.ratelimit import count_export, export_rate_limited

    settings.EXPORT_RATE_LIMIT = 1

    @export_rate_limited("test")
    def view(request):
        count_export(request)
        return HttpResponse("made")

    def request_from(address):
        request = rf.get("/export/", REMOTE_ADDR=address)
        request.user = AnonymousUser()
        return request

    with time_machine.travel(minute_start(), tick=False):
        assert view(request_from("192.0.2.1")).status_code == 200
        assert view(request_from("192.0.2.1")).status_code == 429
        assert view(request_from("192.0.2.2")).status_code == 200
