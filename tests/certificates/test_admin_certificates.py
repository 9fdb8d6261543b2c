"""Registrars find certificates in the admin by name, number or code, act on them, and download
PDFs in bulk; nobody else gets in."""

import io
import zipfile

import pytest
from django.urls import reverse

from certificates import services
from certificates.models import Certificate

from .builders import make_program


@pytest.fixture
def certificates(world):
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    world.other_trainee.legal_name = "Casey Morgan"
    world.other_trainee.save(update_fields=["legal_name"])
    version = make_program("micro", title="Micro credential")
    for person in (world.trainee, world.other_trainee):
        services.program_start(trainee=person, program=version.program)
    return {c.holder_id: c for c in Certificate.objects.all()}


def listing(client, query):
    return client.get(reverse("certificates:index"), {"q": query}).content.decode()


def test_search_by_name_number_and_code_typed_any_way(client, world, certificates):
    mine = certificates[world.trainee.pk]
    theirs = certificates[world.other_trainee.pk]
    client.force_login(world.registrar)
    page = listing(client, "rivera")
    assert mine.number in page and theirs.number not in page
    page = listing(client, theirs.number)
    assert theirs.number in page and mine.number not in page
    typed = mine.code_display.lower().replace("-", " ")
    page = listing(client, typed)
    assert mine.number in page and theirs.number not in page


@pytest.mark.parametrize("who", ["editor", "trainee", "supervisor", "org_admin"])
def test_only_registrars_reach_certificates_in_the_admin(client, world, certificates, who):
    certificate = certificates[world.trainee.pk]
    client.force_login(getattr(world, who))
    for url in (
        reverse("certificates:index"),
        reverse("certificates:inspect", args=[certificate.pk]),
        reverse("certificates_zip"),
    ):
        assert client.get(url).status_code in (302, 403), (url, who)
    client.post(
        reverse("certificates:inspect", args=[certificate.pk]),
        {"action": "revoke", "revoke-reason": "ethics", "revoke-note": "x"},
    )
    certificate.refresh_from_db()
    assert certificate.status == "active"


def test_revoke_from_the_certificate_page(client, world, certificates):
    certificate = certificates[world.trainee.pk]
    client.force_login(world.registrar)
    url = reverse("certificates:inspect", args=[certificate.pk])
    refused = client.post(url, {"action": "revoke", "revoke-reason": "", "revoke-note": "Noted"})
    assert refused.status_code == 200
    assert "Noted</textarea>" in refused.content.decode()  # what was typed is kept
    certificate.refresh_from_db()
    assert certificate.status == "active"
    client.post(url, {"action": "revoke", "revoke-reason": "ethics", "revoke-note": "Outcome"})
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == ("revoked", "ethics")
    client.force_login(world.trainee)
    page = client.get(reverse("credentials")).content.decode()
    assert "This credential has been revoked." in page
    assert "Ethics or conduct review" in page


def test_reissue_from_the_certificate_page(client, world, certificates):
    certificate = certificates[world.trainee.pk]
    client.force_login(world.registrar)
    url = reverse("certificates:inspect", args=[certificate.pk])
    empty = client.post(url, {"action": "reissue", "reissue-legal_name": ""})
    assert empty.status_code == 200
    response = client.post(url, {"action": "reissue", "reissue-legal_name": "Jordan Rivera-Ames"})
    new = Certificate.objects.get(previous=certificate)
    assert response.url == reverse("certificates:inspect", args=[new.pk])
    assert new.name_as_printed == "Jordan Rivera-Ames"


def test_zip_of_the_search_results(client, world, certificates):
    client.force_login(world.registrar)
    response = client.get(reverse("certificates_zip"), {"q": "Casey"})
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    theirs = certificates[world.other_trainee.pk]
    assert archive.namelist() == [f"{theirs.number}.pdf"]
    assert archive.read(f"{theirs.number}.pdf").startswith(b"%PDF")
