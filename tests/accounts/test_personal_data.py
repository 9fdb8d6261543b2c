"""A person downloads everything we keep about them from their profile: their own records from
every app, nobody else's, no secrets and no staff notes, in a fixed number of queries."""

import json
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates import services as certificate_services
from certificates.models import Certificate
from courses.models import ReflectionAnswer
from tests.certificates.builders import approve_hours, complete_course, make_program
from tests.course_pages import make_course
from tests.factories import QualificationFactory

URL = "/profile/data.json"


@pytest.fixture
def records(world):
    """The trainee has a finished course with a reflection, approved hours and a credential;
    another trainee has records of their own that must not appear."""
    QualificationFactory(user=world.supervisor)
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    course = make_course("boundaries", modules=1, hours={"ethical-responsibility": "2.5"})
    complete_course(world.trainee, course)
    ReflectionAnswer.objects.create(
        trainee=world.trainee,
        module=course.get_children().specific().first(),
        block_id="prompt-1",
        text="What I noticed about my own limits this week.",
    )
    approve_hours(world, minutes=90)
    version = make_program("micro", title="Boundaries credential")
    certificate_services.program_start(trainee=world.trainee, program=version.program)
    credential = Certificate.objects.get(holder=world.trainee, kind="program")
    Certificate.objects.filter(pk=credential.pk).update(status_note="Staff only: checked ID.")

    other = make_program("other", title="Another credential")
    certificate_services.program_start(trainee=world.other_trainee, program=other.program)
    return {
        "course": course,
        "credential": credential,
        "theirs": Certificate.objects.get(holder=world.other_trainee),
    }


def download(client, user) -> tuple:
    client.force_login(user)
    response = client.get(URL)
    return response, json.loads(response.content)


def test_the_download_holds_the_persons_records_from_every_app(client, world, records):
    response, data = download(client, world.trainee)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="alongside-data-')
    assert response["Cache-Control"] == "private, no-store"
    assert data["format"] == "alongside-personal-data/1"
    assert data["account"]["email"] == world.trainee.email
    assert data["account"]["legal_name"] == "Jordan Rivera"
    assert [m["organization"] for m in data["organizations"]] == [world.org.name]
    assert data["supervision"] == [
        {
            "organization": world.org.name,
            "role": "trainee",
            "with": world.supervisor.display_name,
            "starts_on": world.assignment.starts_on.isoformat(),
            "ends_on": None,
        }
    ]
    assert [c["course"] for c in data["courses"]] == [records["course"].title]
    assert data["courses"][0]["completed_at"] is not None
    assert [(t["domain"], t["hours"]) for t in data["training_hours"]] == [
        ("Ethical Responsibility", "2.50")
    ]
    assert [r["text"] for r in data["reflections"]] == [
        "What I noticed about my own limits this week."
    ]
    [entry] = data["hour_entries"]
    assert (entry["minutes"], entry["status"], entry["decided_by"]) == (
        90,
        "approved",
        world.supervisor.display_name,
    )
    assert [p["program"] for p in data["programs"]] == ["Boundaries credential"]
    numbers = {c["number"]: c for c in data["certificates"]}
    credential = numbers[records["credential"].number]
    assert credential["verification_code"] == records["credential"].verification_code
    assert credential["status"] == "active"


def test_nobody_elses_records_and_no_secrets_or_staff_notes(client, world, records):
    response, _data = download(client, world.trainee)
    body = response.content.decode()
    assert records["theirs"].number not in body
    assert records["theirs"].verification_code not in body
    assert world.other_trainee.email not in body
    assert "Staff only" not in body
    assert world.trainee.password not in body
    assert "password" not in body


def test_a_supervisor_gets_their_sign_offs_without_the_trainees_entries(client, world, records):
    response, data = download(client, world.supervisor)
    assert [s["action"] for s in data["sign_offs_made"]] == ["approve"]
    assert data["hour_entries"] == []
    assert "Support after an admission." not in response.content.decode()
    assert data["supervisor_qualifications"]


def test_the_query_count_does_not_grow_with_the_records(
    client, world, records, django_assert_max_num_queries
):
    client.force_login(world.trainee)
    client.get(URL)  # the first request after signing in also warms the session and caches
    with CaptureQueriesContext(connection) as first:
        client.get(URL)
    for days_ago in (2, 3, 4):
        approve_hours(world, minutes=30, days_ago=days_ago)
    complete_course(world.trainee, make_course("second", modules=2))
    with CaptureQueriesContext(connection) as second:
        client.get(URL)
    assert len(second) == len(first)
    with django_assert_max_num_queries(20):
        client.get(URL)


def test_the_download_is_logged_and_offered_on_the_profile(client, world, caplog):
    client.force_login(world.trainee)
    page = client.get(reverse("profile")).content.decode()
    assert f'href="{URL}"' in page
    with caplog.at_level(logging.INFO, logger="alongside.security"):
        client.get(URL)
    assert any("event=data.exported" in record.getMessage() for record in caplog.records)


def test_only_a_signed_in_person_gets_a_download_and_only_by_get(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    client.force_login(world.trainee)
    assert client.post(URL).status_code == 405
