"""Registrars decide reviews and move people between program versions in the Wagtail admin."""

import pytest
from django.urls import reverse

from certificates import services
from certificates.models import Certificate, IssuanceReview, ProgramEnrollment
from tests.factories import QualificationFactory

from .builders import approve_hours, hours_rule, make_program


@pytest.fixture
def review(world):
    QualificationFactory(user=world.supervisor)
    version = make_program(
        "cprs",
        title="Certified Peer Recovery Specialist",
        issuance="review",
        practice=hours_rule(1),
    )
    services.program_start(trainee=world.trainee, program=version.program)
    approve_hours(world, minutes=60)
    return IssuanceReview.objects.get()


@pytest.mark.parametrize("who", ["editor", "trainee", "supervisor", "org_admin"])
def test_only_registrars_open_the_reviews(client, world, review, who):
    client.force_login(getattr(world, who))
    for url in (
        reverse("certificates_admin:reviews"),
        reverse("certificates_admin:review", args=[review.pk]),
        reverse("certificates_admin:programs"),
        reverse("certificates_admin:program_enrollments", args=[review.enrollment.program_id]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), (url, who)
    response = client.post(
        reverse("certificates_admin:review", args=[review.pk]),
        {"action": "approve", "exam_confirmed": "on"},
    )
    assert response.status_code in (302, 403)
    assert not Certificate.objects.filter(kind="program").exists()


def test_a_registrar_approves_a_review_once(client, world, review):
    client.force_login(world.registrar)
    queue = client.get(reverse("certificates_admin:reviews")).content.decode()
    assert world.trainee.legal_name in queue
    url = reverse("certificates_admin:review", args=[review.pk])
    page = client.get(url).content.decode()
    assert "1 supervised practice hour in total" in page
    refused = client.post(url, {"action": "approve"})
    assert "Confirm that you have checked" in refused.content.decode()
    assert not Certificate.objects.filter(kind="program").exists()
    response = client.post(url, {"action": "approve", "exam_confirmed": "on"}, follow=True)
    assert "Issued Certified Peer Recovery Specialist" in response.content.decode()
    certificate = Certificate.objects.get(kind="program")
    assert certificate.issued_by == world.registrar
    again = client.post(url, {"action": "approve", "exam_confirmed": "on"})
    assert "already decided" in again.content.decode()
    assert Certificate.objects.filter(kind="program").count() == 1


def test_a_registrar_declines_with_a_reason_the_trainee_reads(client, world, review):
    client.force_login(world.registrar)
    url = reverse("certificates_admin:review", args=[review.pk])
    empty = client.post(url, {"action": "decline", "reason": ""})
    assert empty.status_code == 200
    review.refresh_from_db()
    assert review.status == "pending"
    client.post(url, {"action": "decline", "reason": "Your exam result has not reached us."})
    client.force_login(world.trainee)
    page = client.get(reverse("program_detail", args=["cprs"])).content.decode()
    assert "Your exam result has not reached us." in page
    assert "Ask for a review again" in page


def test_a_registrar_moves_someone_to_another_version(client, world, review):
    program = review.enrollment.program
    newer = make_program("cprs", issuance="review", practice=hours_rule(3), program=program)
    client.force_login(world.registrar)
    url = reverse("certificates_admin:program_enrollments", args=[program.pk])
    assert world.trainee.legal_name in client.get(url).content.decode()
    client.post(url, {"enrollment": review.enrollment.pk, "version": newer.pk})
    assert ProgramEnrollment.objects.get().version == newer
    index = client.get(reverse("certificates_admin:programs")).content.decode()
    assert "v2 (2 versions)" in index


def test_registrars_see_how_many_reviews_wait_on_their_dashboard(client, world, review):
    client.force_login(world.registrar)
    page = client.get(reverse("dashboard")).content.decode()
    assert "1 person meets every requirement and is waiting for your review." in page
    client.force_login(world.trainee)
    assert "Credential reviews" not in client.get(reverse("dashboard")).content.decode()
