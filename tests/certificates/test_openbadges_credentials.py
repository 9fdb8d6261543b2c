"""Open Badges 3.0 credentials: what a certificate's credential says, that an independent
verifier (openbadgeslib) and our own accept its proof and refuse a changed copy, that it is
signed once, stored and attached to the PDF, and who can download it."""

import copy
import datetime
import hashlib
import io
import json
import socket
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError
from pypdf import PdfReader

from certificates import lifecycle_services as life
from certificates import services, tasks
from certificates.models import Certificate
from certificates.openbadges import contexts, credential, did, keys, proofs
from certificates.openbadges import services as openbadges
from tests.concurrency import run_together
from tests.course_pages import make_course
from tests.factories import QualificationFactory, UserFactory

from .builders import approve_hours, complete_course, hours_rule, make_program

START = datetime.datetime(2026, 1, 15, 15, 30, 12, tzinfo=datetime.UTC)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture
def earned(world):
    """A micro-credential earned with a course (1.5 Ethical Responsibility training hours) and
    2 supervised practice hours, issued at START; valid 730 days."""
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    world.assignment.starts_on = START.date() - datetime.timedelta(days=30)
    world.assignment.save(update_fields=["starts_on"])
    with time_machine.travel(START, tick=False):
        QualificationFactory(user=world.supervisor)
        course = make_course("boundaries", modules=1, hours={"ethical-responsibility": "1.5"})
        version = make_program(
            "boundaries-micro",
            title="Professional Boundaries in Peer Support",
            courses=[course.slug],
            training=hours_rule(1.5, [("ethical-responsibility", 1.5)]),
            practice=hours_rule(2),
        )
        complete_course(world.trainee, course)
        approve_hours(world, ledger="practice", minutes=120, days_ago=1)
        services.program_start(trainee=world.trainee, program=version.program)
    return Certificate.objects.get(holder=world.trainee, kind="program")


def signed(certificate) -> dict:
    return openbadges.credential_sign(certificate_id=certificate.pk)


def did_download(client):
    """What a did:web resolver would fetch, served by the test client instead of the network."""

    def download(url: str) -> bytes:
        assert url == "https://testserver/.well-known/did.json", url
        response = client.get("/.well-known/did.json")
        assert response.status_code == 200
        return response.content

    return download


def our_keys():
    return did.public_keys(keys.keyring())


def test_openbadgeslib_and_our_verifier_accept_the_issued_credential(client, earned):
    document = signed(earned)
    verified = OB3LdpVerifier().verify(json.dumps(document), download=did_download(client))
    assert verified.name == "Professional Boundaries in Peer Support"
    assert verified.issuer.id == "did:web:testserver"
    result = proofs.verify(document, public_keys=our_keys())
    assert result.verification_method == f"did:web:testserver#{keys.keyring().current.id}"


def _rename(document):
    document["name"] = "Certified Peer Recovery Specialist"


def _extend(document):
    document["validUntil"] = "2099-12-31T23:59:59Z"


def _more_hours(document):
    document["evidence"][0]["narrative"] = document["evidence"][0]["narrative"].replace("1.5", "15")


def _other_bit(document):
    for entry in document["credentialStatus"]:
        entry["statusListIndex"] = str((int(entry["statusListIndex"]) + 1) % 131072)


@pytest.mark.parametrize("change", [_rename, _extend, _more_hours, _other_bit])
def test_a_copy_with_one_field_changed_is_refused_by_both_verifiers(client, earned, change):
    tampered = copy.deepcopy(signed(earned))
    change(tampered)
    with pytest.raises(OB3VerificationError, match="signature mismatch"):
        OB3LdpVerifier().verify(json.dumps(tampered), download=did_download(client))
    with pytest.raises(proofs.ProofError) as refused:
        proofs.verify(tampered, public_keys=our_keys())
    assert refused.value.reason == proofs.MISMATCH


def test_a_credential_signed_with_another_key_is_not_ours(earned):
    stranger = keys.new_key(now=START)
    document = {key: value for key, value in signed(earned).items() if key != "proof"}
    forged = proofs.sign(
        document,
        private_key=stranger.private_key,
        verification_method=f"did:web:testserver#{keys.keyring().current.id}",
        created=START,
    )
    with pytest.raises(proofs.ProofError) as refused:
        proofs.verify(forged, public_keys=our_keys())
    assert refused.value.reason == proofs.MISMATCH
    elsewhere = proofs.sign(
        document,
        private_key=stranger.private_key,
        verification_method="did:web:elsewhere.example#key-1",
        created=START,
    )
    with pytest.raises(proofs.ProofError) as refused:
        proofs.verify(elsewhere, public_keys=our_keys())
    assert refused.value.reason == proofs.UNKNOWN_KEY


def test_the_credential_says_what_was_certified_and_nothing_private(earned):
    document = signed(earned)
    assert document["@context"] == [VC_V2, OB_V3]
    assert document["id"] == f"http://testserver/verify/{earned.verification_code}/credential.json"
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["issuer"] == {
        "id": "did:web:testserver",
        "type": ["Profile"],
        "name": "Alongside",
        "url": "http://testserver",
    }
    assert document["name"] == "Professional Boundaries in Peer Support"
    assert document["validFrom"] == "2026-01-15T15:30:12Z"
    # Expires on 15 January 2028 and valid through that whole day in New York (UTC-5).
    assert earned.expires_on == datetime.date(2028, 1, 15)
    assert document["validUntil"] == "2028-01-16T04:59:59Z"

    subject = document["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    email_identity, name_identity = subject["identifier"]
    salt = email_identity["salt"]
    assert salt == earned.identity_salt and len(salt) >= 32
    assert email_identity == {
        "type": "IdentityObject",
        "identityType": "emailAddress",
        "hashed": True,
        "identityHash": "sha256$"
        + hashlib.sha256((earned.holder.email + salt).encode()).hexdigest(),
        "salt": salt,
    }
    assert name_identity["identityType"] == "name"
    assert name_identity["identityHash"] == "Jordan Rivera"
    assert subject["licenseNumber"] == earned.number

    achievement = subject["achievement"]
    assert achievement["id"] == "http://testserver/programs/boundaries-micro/#version-1"
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 1.5
    assert "1.5 Ethical Responsibility training hours" in achievement["criteria"]["narrative"]
    assert "Complete the course Boundaries" in achievement["criteria"]["narrative"]
    assert [
        (a["targetCode"], a["targetName"], a["targetType"]) for a in achievement["alignment"]
    ] == [
        ("advocacy", "Advocacy", "ext:Domain"),
        ("mentoring-education", "Mentoring and Education", "ext:Domain"),
        ("recovery-wellness-support", "Recovery and Wellness Support", "ext:Domain"),
        ("ethical-responsibility", "Ethical Responsibility", "ext:Domain"),
    ]
    assert achievement["alignment"][0]["targetUrl"] == "http://testserver/courses/?domain=advocacy"

    evidence = {item["name"]: item["narrative"] for item in document["evidence"]}
    assert evidence == {
        "Training hours by domain": "- Ethical Responsibility: 1.5 hours\nTotal: 1.5 hours",
        "Supervised practice hours by domain": (
            "- Recovery and Wellness Support: 2 hours\nTotal: 2 hours"
        ),
    }

    revocation, suspension = document["credentialStatus"]
    index = str(earned.status_index)
    assert revocation == {
        "id": f"http://testserver/credentials/status/{earned.status_list}/revocation.json#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": index,
        "statusListCredential": (
            f"http://testserver/credentials/status/{earned.status_list}/revocation.json"
        ),
    }
    assert suspension["statusPurpose"] == "suspension"
    assert suspension["statusListIndex"] == index
    assert suspension["statusListCredential"].endswith(f"/{earned.status_list}/suspension.json")

    text = json.dumps(document)
    assert earned.holder.email not in text
    assert text.count("Jordan Rivera") == 1  # the name as printed, once, as OB carries it
    assert "Support after an admission" not in text  # never the hour entries' descriptions


def test_a_course_certificate_of_completion_is_a_credential_too(client, world):
    course = make_course("advocacy-basics", modules=1, hours={"advocacy": "2.25"})
    complete_course(world.trainee, course)
    certificate = Certificate.objects.get(holder=world.trainee, kind="course")
    document = signed(certificate)
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "CertificateOfCompletion"
    assert achievement["id"] == "http://testserver/courses/advocacy-basics/"
    assert achievement["creditsAvailable"] == 2.25
    assert [a["targetCode"] for a in achievement["alignment"]] == ["advocacy"]
    assert document["evidence"] == [
        {
            "type": ["Evidence"],
            "name": "Contact hours by domain",
            "narrative": "- Advocacy: 2.25 hours\nTotal: 2.25 hours",
        }
    ]
    assert "validUntil" not in document  # a certificate of completion does not expire
    OB3LdpVerifier().verify(json.dumps(document), download=did_download(client))


def test_it_is_signed_once_and_attached_to_the_pdf(earned):
    assert earned.credential is None  # the render task has not run in this test
    tasks.render_certificate.enqueue(earned.pk)
    earned.refresh_from_db()
    stored = earned.credential
    assert stored["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    with earned.pdf.open("rb") as handle:
        attachments = PdfReader(io.BytesIO(handle.read())).attachments
    assert list(attachments) == ["credential.json"]
    assert json.loads(attachments["credential.json"][0]) == stored

    tasks.render_certificate.enqueue(earned.pk)  # again, as after a worker died
    assert signed(earned) == stored
    earned.refresh_from_db()
    assert earned.credential == stored


def test_a_reissue_gets_its_own_credential_and_the_old_one_keeps_its_proof(world, earned):
    old = signed(earned)
    new = life.certificate_reissue(
        registrar=world.registrar, certificate=earned, legal_name="Jordan A. Rivera"
    )
    tasks.render_certificate.enqueue(new.pk)
    new.refresh_from_db()
    earned.refresh_from_db()
    assert earned.credential == old
    assert new.credential["id"].endswith(f"/{new.verification_code}/credential.json")
    assert new.credential["credentialSubject"]["identifier"][1]["identityHash"] == (
        "Jordan A. Rivera"
    )
    assert (new.status_list, new.status_index) != (earned.status_list, earned.status_index)
    assert new.identity_salt != earned.identity_salt
    proofs.verify(new.credential, public_keys=our_keys())


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""
    opened = []

    def refuse(*args, **kwargs):
        opened.append(args)
        raise AssertionError("A socket was opened.")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return opened


def test_an_unknown_context_fails_without_opening_a_socket(earned, no_network):
    document = signed(earned)
    other = "https://example.org/contexts/surprise.jsonld"
    with pytest.raises(contexts.UnknownContextError):
        contexts.load_document(other)
    with_context = {**document, "@context": [*document["@context"], other]}
    with pytest.raises(proofs.ProofError) as refused:
        proofs.verify(with_context, public_keys=our_keys())
    assert refused.value.reason == proofs.UNKNOWN_CONTEXT
    # A context reached while canonicalizing (here, nested) is refused by the loader too.
    nested = copy.deepcopy(document)
    nested["credentialSubject"]["@context"] = other
    with pytest.raises(proofs.ProofError) as refused:
        proofs.verify(nested, public_keys=our_keys())
    assert refused.value.reason == proofs.UNKNOWN_CONTEXT
    with pytest.raises(Exception) as failed:
        proofs.sign(
            {key: value for key, value in with_context.items() if key != "proof"},
            private_key=keys.keyring().current.private_key,
            verification_method="did:web:testserver#x",
            created=START,
        )
    assert contexts.unknown_context_in(failed.value).url == other
    assert no_network == []


def test_anyone_with_the_code_gets_the_credential_signed_on_demand(client, earned):
    assert earned.credential is None
    url = f"/verify/{earned.code_display.lower()}/credential.json"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Access-Control-Allow-Origin"] == "*"
    earned.refresh_from_db()
    assert json.loads(response.content) == earned.credential  # signed and stored on the way
    assert client.get(url).content == response.content


@pytest.mark.parametrize(
    "code", ["ABCDEFHJKMNPQRTUVWXY34789ABC", "not-a-code", "0" * 28, "x" * 500]
)
def test_an_unknown_or_malformed_code_is_a_plain_json_404(client, earned, code):
    response = client.get(f"/verify/{code}/credential.json")
    assert response.status_code == 404
    assert response.json() == {"error": "No credential has this verification code."}
    assert response["X-Robots-Tag"] == "noindex"


def test_credential_json_takes_a_fixed_number_of_queries(
    client, earned, django_assert_max_num_queries
):
    signed(earned)
    url = reverse("credential_public", args=[earned.verification_code])
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200
    course = make_course("many", modules=1)
    for _ in range(30):
        services.new_certificate(
            holder=UserFactory(),
            kind="course",
            course=course,
            name_as_printed="Someone Else",
            title="Many",
            issued_at=START,
            snapshot={},
        )
    with django_assert_max_num_queries(1):
        assert client.get(url).status_code == 200


def test_the_holder_and_registrars_download_it_and_nobody_else(client, world, earned):
    url = reverse("credential_download", args=[earned.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.trainee)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="{earned.number}-credential.json"'
    )
    assert "no-store" in response["Cache-Control"]
    earned.refresh_from_db()
    assert json.loads(response.content) == earned.credential
    client.force_login(world.registrar)
    assert client.get(url).status_code == 200
    for other in (world.other_trainee, world.supervisor, world.org_admin, world.editor):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_the_credentials_page_links_each_download(client, world, earned):
    client.force_login(world.trainee)
    page = client.get(reverse("credentials")).content.decode()
    assert reverse("credential_download", args=[earned.pk]) in page
    assert "Download the signed digital credential (Open Badges)" in page


@pytest.mark.django_db(transaction=True)
def test_asked_for_at_once_it_is_signed_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that several connections share (PostgreSQL)")
    version = make_program("micro")
    services.program_start(trainee=world.trainee, program=version.program)
    certificate = Certificate.objects.get(holder=world.trainee)

    def ask():
        return openbadges.credential_sign(certificate_id=certificate.pk)["proof"]["proofValue"]

    results, errors = run_together(ask, count=4)
    assert errors == []
    certificate.refresh_from_db()
    assert set(results) == {certificate.credential["proof"]["proofValue"]}


@pytest.mark.parametrize(
    ("expires_on", "valid_until"),
    [
        (datetime.date(2028, 1, 15), "2028-01-16T04:59:59Z"),  # New York in winter, UTC-5
        (datetime.date(2028, 7, 15), "2028-07-16T03:59:59Z"),  # and in summer, UTC-4
    ],
)
def test_a_credential_is_valid_through_its_whole_expiry_day_where_the_site_is(
    expires_on, valid_until
):
    assert proofs.iso_utc(credential.end_of_day(expires_on)) == valid_until


def _facts(**changes) -> credential.Facts:
    values = {
        "credential_id": "https://alongside.example.org/verify/CODE/credential.json",
        "title": "Micro credential",
        "issuer_did": "did:web:alongside.example.org",
        "issuer_name": "Alongside",
        "issuer_url": "https://alongside.example.org",
        "issued_at": START,
        "valid_until": None,
        "email": "jordan@example.org",
        "salt": "0" * 32,
        "name_as_printed": "Jordan Rivera",
        "number": "",
        "achievement_id": "https://alongside.example.org/programs/micro/#version-1",
        "achievement_type": "MicroCredential",
        "achievement_name": "Micro credential",
        "achievement_description": "What it shows.",
        "criteria": "Do the work.",
        "alignment_framework": "Micro credential",
        "alignments": (),
        "credits_available": None,
        "evidence": (),
        "status_list_urls": {
            "revocation": "https://alongside.example.org/credentials/status/3/revocation.json",
            "suspension": "https://alongside.example.org/credentials/status/3/suspension.json",
        },
        "status_index": 0,
    }
    values.update(changes)
    return credential.Facts(**values)


def test_the_document_leaves_out_what_a_certificate_does_not_have():
    document = credential.build(_facts())
    assert "validUntil" not in document and "evidence" not in document
    achievement = document["credentialSubject"]["achievement"]
    assert "alignment" not in achievement and "creditsAvailable" not in achievement
    assert "licenseNumber" not in document["credentialSubject"]
    assert [entry["statusListIndex"] for entry in document["credentialStatus"]] == ["0", "0"]


@pytest.mark.parametrize(("hours", "number"), [("46", 46), ("46.00", 46), ("19.5", 19.5)])
def test_credits_are_a_json_number_written_one_way(hours, number):
    achievement = credential.build(_facts(credits_available=Decimal(hours)))["credentialSubject"][
        "achievement"
    ]
    assert achievement["creditsAvailable"] == number
    assert type(achievement["creditsAvailable"]) is type(number)
