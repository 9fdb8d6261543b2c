"""Sharing a credential: the LinkedIn link carries the credential and its check page, and is
offered only while the credential is valid."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from certificates import lifecycle_services as life
from certificates import services
from certificates.models import Certificate
from certificates.sharing import linkedin_add_url

from .builders import make_program


@pytest.mark.parametrize(
    ("expires_on", "expected_expiry"),
    [
        (datetime.date(2028, 3, 31), {"expirationYear": ["2028"], "expirationMonth": ["3"]}),
        (None, {}),
    ],
    ids=["expires", "does-not-expire"],
)
def test_the_linkedin_link_is_prefilled(expires_on, expected_expiry):
    url = linkedin_add_url(
        title="Certified Peer Recovery Specialist & more",
        issuer="Alongside",
        issued_on=datetime.date(2026, 3, 2),
        expires_on=expires_on,
        check_url="https://alongside.example.org/verify/ABCD/",
        certificate_number="AL-2026-000042",
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Certified Peer Recovery Specialist & more"],
        "organizationName": ["Alongside"],
        "issueYear": ["2026"],
        "issueMonth": ["3"],
        "certUrl": ["https://alongside.example.org/verify/ABCD/"],
        "certId": ["AL-2026-000042"],
        **expected_expiry,
    }


def test_the_credentials_page_offers_linkedin_only_for_a_valid_credential(client, world):
    version = make_program("micro", title="Professional Boundaries")
    services.program_start(trainee=world.trainee, program=version.program)
    certificate = Certificate.objects.get(holder=world.trainee)
    client.force_login(world.trainee)

    content = client.get(reverse("credentials")).content.decode()
    assert "https://www.linkedin.com/profile/add?" in content
    assert "Add to LinkedIn" in content
    assert f"/verify/{certificate.verification_code}/" in content

    life.certificate_revoke(
        registrar=world.registrar, certificate=certificate, reason="ethics", note="Review"
    )
    content = client.get(reverse("credentials")).content.decode()
    assert "Add to LinkedIn" not in content
    assert "linkedin.com" not in content
