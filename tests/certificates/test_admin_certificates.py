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


def test_the_list_shows_and_filters_the_status_the_holder_sees(client, world, certificates):
    """An active certificate past its expiry date is "Expired" in the list, is found under
    that filter and not under "Active", and the ZIP of that filter holds it alone."""
    import datetime

    from django.utils import timezone

    expired = certificates[world.trainee.pk]
    current = certificates[world.other_trainee.pk]
    Certificate.objects.filter(pk=expired.pk).update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    Certificate.objects.filter(pk=current.pk).update(expires_on=None)
    client.force_login(world.registrar)
    index = reverse("certificates:index")
    page = client.get(index).content.decode()
    assert "Expired" in page
    page = client.get(index, {"status": "expired"}).content.decode()
    assert expired.number in page and current.number not in page
    page = client.get(index, {"status": "active"}).content.decode()
    assert current.number in page and expired.number not in page
    assert "certificates.zip" not in page
    assert f"{reverse('certificates_zip')}?status=active" in page

    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("certificates_zip"), {"status": "expired"}).content)
    )
    assert archive.namelist() == [f"{expired.number}.pdf"]


def test_the_status_filter_agrees_with_the_status_shown(world):
    """Every stored status and expiry date around the thresholds: the query selects exactly the
    certificates whose shown status (certificates.lifecycle) is the one asked for."""
    import datetime

    from certificates import lifecycle, selectors

    today = datetime.date(2027, 3, 1)
    version = make_program("table", title="Table credential")
    services.program_start(trainee=world.trainee, program=version.program)
    template = Certificate.objects.get(holder=world.trainee)
    expiries = [None, *(today + datetime.timedelta(days=d) for d in (-400, -1, 0, 1, 89, 90, 91))]
    made = []
    for stored in ("active", "suspended", "revoked", "superseded"):
        for expires_on in expiries:
            template.pk, template.issue_reason = None, "reissue"
            template.status_list = template.status_index = None
            template.number = f"AL-T-{len(made)}"
            template.verification_code = f"T{len(made):027d}"
            template.status, template.expires_on = stored, expires_on
            template.save()
            made.append(Certificate.objects.get(pk=template.pk))
    table = Certificate.objects.filter(pk__in=[c.pk for c in made])
    for shown in (
        lifecycle.ACTIVE,
        lifecycle.EXPIRING,
        lifecycle.EXPIRED,
        lifecycle.SUSPENDED,
        lifecycle.REVOKED,
        lifecycle.SUPERSEDED,
    ):
        expected = {c.pk for c in made if c.shown_status(today) == shown}
        assert expected, shown
        assert (
            set(selectors.with_shown_status(table, shown, today=today).values_list("pk", flat=True))
            == expected
        ), shown
