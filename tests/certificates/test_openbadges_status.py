"""Revocation and suspension as W3C Bitstring Status Lists: the bit of a credential follows
its stored status at once, the lists are signed and decodable, they stay cheap with many
certificates, and every certificate gets its own random bit."""

import base64
import gzip
import json
import secrets
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openbadgeslib.ob3 import OB3LdpVerifier, OB3VerificationError

from certificates import lifecycle_services as life
from certificates import services
from certificates.models import Certificate
from certificates.openbadges import did, keys, proofs, status
from certificates.openbadges import services as openbadges
from tests.concurrency import run_together
from tests.course_pages import make_course
from tests.factories import UserFactory

from .builders import make_program


@pytest.fixture
def issued(world):
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    version = make_program("micro", title="Micro credential")
    services.program_start(trainee=world.trainee, program=version.program)
    return Certificate.objects.get(holder=world.trainee)


def list_url(certificate, purpose: str) -> str:
    return reverse(
        "credential_status_list",
        kwargs={"list_number": str(certificate.status_list), "purpose": purpose},
    )


def fetch(client, certificate, purpose: str) -> dict:
    response = client.get(list_url(certificate, purpose))
    assert response.status_code == 200
    return json.loads(response.content)


def bitstring_of(document: dict) -> bytes:
    """Decoded by hand, as the spec says: multibase base64url (``u``, no padding) of the GZIP
    of the bitstring."""
    encoded = document["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    payload = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def bit(bitstring: bytes, index: int) -> int:
    """Most significant bit first: index 0 is the left-most bit of the first byte."""
    return (bitstring[index // 8] >> (7 - index % 8)) & 1


def bit_of(client, certificate, purpose: str) -> int:
    return bit(bitstring_of(fetch(client, certificate, purpose)), certificate.status_index)


def test_revoking_sets_the_revocation_bit_at_once(client, world, issued):
    document = fetch(client, issued, "revocation")
    assert len(bitstring_of(document)) * 8 >= 131_072
    assert bit_of(client, issued, "revocation") == 0
    life.certificate_revoke(
        registrar=world.registrar, certificate=issued, reason="ethics", note="Board decision"
    )
    assert bit_of(client, issued, "revocation") == 1
    assert bit_of(client, issued, "suspension") == 0
    assert (
        sum(bin(byte).count("1") for byte in bitstring_of(fetch(client, issued, "revocation"))) == 1
    )


def test_suspending_sets_the_suspension_bit_and_lifting_clears_it(client, world, issued):
    life.certificate_suspend(
        registrar=world.registrar, certificate=issued, reason="ethics", note="Complaint"
    )
    assert bit_of(client, issued, "suspension") == 1
    assert bit_of(client, issued, "revocation") == 0
    life.certificate_lift_suspension(registrar=world.registrar, certificate=issued, note="Cleared")
    assert bit_of(client, issued, "suspension") == 0
    assert bit_of(client, issued, "revocation") == 0


def test_a_replaced_certificate_is_revoked_and_its_successor_is_not(client, world, issued):
    new = life.certificate_reissue(
        registrar=world.registrar, certificate=issued, legal_name="Jordan A. Rivera"
    )
    assert bit_of(client, issued, "revocation") == 1
    assert bit_of(client, new, "revocation") == 0
    assert bit_of(client, new, "suspension") == 0


def test_the_list_is_a_signed_bitstring_status_list_credential(client, issued):
    document = fetch(client, issued, "suspension")
    url = f"http://testserver/credentials/status/{issued.status_list}/suspension.json"
    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert document["id"] == url
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == "did:web:testserver"
    assert document["credentialSubject"]["id"] == f"{url}#list"
    assert document["credentialSubject"]["type"] == "BitstringStatusList"
    assert document["credentialSubject"]["statusPurpose"] == "suspension"
    proofs.verify(document, public_keys=did.public_keys(keys.keyring()))
    changed = json.loads(json.dumps(document))
    changed["credentialSubject"]["encodedList"] = status.encode([issued.status_index])
    with pytest.raises(proofs.ProofError):
        proofs.verify(changed, public_keys=did.public_keys(keys.keyring()))


def test_openbadgeslib_reads_the_status_we_publish(client, world, issued):
    def download(url: str) -> bytes:
        if url == "https://testserver/.well-known/did.json":
            return client.get("/.well-known/did.json").content
        assert url.startswith("http://testserver/credentials/status/"), url
        return client.get(url.removeprefix("http://testserver")).content

    document = json.dumps(openbadges.credential_sign(certificate_id=issued.pk))
    verifier = OB3LdpVerifier()
    verifier.verify(document, check_status=True, download=download, verify_status_list=False)
    life.certificate_suspend(
        registrar=world.registrar, certificate=issued, reason="ethics", note="Complaint"
    )
    with pytest.raises(OB3VerificationError, match="'suspension' is set"):
        verifier.verify(document, check_status=True, download=download, verify_status_list=False)


def test_an_unchanged_list_is_not_signed_again_but_a_change_shows(
    client, world, issued, monkeypatch
):
    signatures = []
    sign = proofs.sign
    monkeypatch.setattr(proofs, "sign", lambda *a, **k: signatures.append(1) or sign(*a, **k))
    first = client.get(list_url(issued, "revocation"))
    second = client.get(list_url(issued, "revocation"))
    assert first.content == second.content and len(signatures) == 1
    assert first["ETag"] == second["ETag"]
    assert "no-cache" in first["Cache-Control"] and "max-age=0" in first["Cache-Control"]
    assert first["Access-Control-Allow-Origin"] == "*"
    unchanged = client.get(list_url(issued, "revocation"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304

    life.certificate_revoke(
        registrar=world.registrar, certificate=issued, reason="ethics", note="Board decision"
    )
    changed = client.get(list_url(issued, "revocation"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert len(signatures) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/credentials/status/99/revocation.json",
        "/credentials/status/1/approval.json",
        "/credentials/status/0/revocation.json",
    ],
)
def test_a_list_nobody_uses_is_a_404(client, issued, path):
    assert issued.status_list == 1
    assert client.get(path).status_code == 404


def _many(count: int, *, taken: int, revoked_every: int = 3) -> None:
    """``count`` certificates in list 1, written straight into the table (not on bit
    ``taken``), a third of them revoked."""
    holder = UserFactory()
    course = make_course(f"bulk-{count}", modules=1)
    indexes = (index for index in range(0, 131_072, 131_072 // count) if index != taken)
    Certificate.objects.bulk_create(
        Certificate(
            holder=holder,
            kind="course",
            issue_reason="reissue",
            course=course,
            name_as_printed="Someone",
            title="Bulk",
            verification_code=f"BULK{number:024d}",
            issued_at=timezone.now(),
            snapshot={},
            status="revoked" if number % revoked_every == 0 else "active",
            status_list=1,
            status_index=next(indexes),
        )
        for number in range(count)
    )


def test_the_list_takes_a_fixed_number_of_queries_and_stays_fast(
    client, issued, django_assert_max_num_queries
):
    url = list_url(issued, "revocation")
    with django_assert_max_num_queries(2):
        assert client.get(url).status_code == 200
    _many(20_000, taken=issued.status_index)
    started = time.monotonic()
    with django_assert_max_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert time.monotonic() - started < 3
    revoked = bitstring_of(json.loads(response.content))
    assert sum(bin(byte).count("1") for byte in revoked) == len(range(0, 20_000, 3))


def test_every_certificate_gets_its_own_random_bit(world):
    course = make_course("indexes", modules=1)
    made = [
        services.new_certificate(
            holder=UserFactory(),
            kind="course",
            course=course,
            name_as_printed="Someone",
            title="Indexes",
            issued_at=timezone.now(),
            snapshot={},
        )
        for _ in range(20)
    ]
    entries = [(c.status_list, c.status_index) for c in made]
    assert len(set(entries)) == 20
    assert {list_number for list_number, _ in entries} == {1}
    indexes = sorted(index for _, index in entries)
    assert indexes[0] >= 0 and indexes[-1] < 131_072
    assert indexes[-1] - indexes[0] > 1000  # spread over the list, not handed out in order
    assert all(len(c.identity_salt) == 32 for c in made)
    assert len({c.identity_salt for c in made}) == 20


def _course_certificate(course, holder=None, **values):
    return services.new_certificate(
        holder=holder or UserFactory(),
        kind="course",
        course=course,
        name_as_printed="Someone",
        title="Picks",
        issued_at=timezone.now(),
        snapshot={},
        **values,
    )


def test_a_taken_bit_is_picked_again(world, monkeypatch):
    course = make_course("picks", modules=1)
    first = _course_certificate(course)
    picks = iter([first.status_index, first.status_index, 4242])
    monkeypatch.setattr(status, "random_index", lambda size: next(picks))
    second = _course_certificate(course)
    assert (second.status_list, second.status_index) == (first.status_list, 4242)
    assert next(picks, None) is None  # two collisions, then a free bit


def test_another_integrity_error_is_not_retried(world, monkeypatch):
    course = make_course("twice", modules=1)
    holder = UserFactory()
    _course_certificate(course, holder=holder)
    picks = []
    monkeypatch.setattr(status, "random_index", lambda size: picks.append(1) or 7)
    with pytest.raises(IntegrityError):
        _course_certificate(course, holder=holder)  # a second initial certificate
    assert len(picks) == 1


def test_a_new_list_starts_when_the_latest_is_half_full(world, monkeypatch):
    monkeypatch.setattr(status, "LIST_SIZE", 8)
    picks = iter([0, 0, 1, 1, 2, 3, 5, 1, 6])
    monkeypatch.setattr(status, "random_index", lambda size: next(picks))
    course = make_course("half", modules=1)
    made = [_course_certificate(course) for _ in range(6)]
    assert [(c.status_list, c.status_index) for c in made] == [
        (1, 0),
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 5),  # four of eight taken: list 1 is half full
        (2, 1),
    ]


def test_issuing_stays_cheap(world):
    course = make_course("cheap", modules=1)
    _course_certificate(course)
    holder = UserFactory()
    with CaptureQueriesContext(connection) as queries:
        _course_certificate(course, holder=holder)
    sql = [query["sql"] for query in queries.captured_queries]
    # The status list entry adds one read (the latest list and its size, in one query) and a
    # savepoint around the insert, so a taken bit can be picked again.
    assert len([text for text in sql if '"used"' in text]) == 1
    assert len([text for text in sql if text.startswith("SAVEPOINT")]) <= 2
    assert len(sql) <= 10  # with Wagtail's reference index of the certificate's course


def test_a_certificate_from_before_signed_credentials_gets_a_bit_when_signed(world, issued):
    Certificate.objects.filter(pk=issued.pk).update(
        status_list=None, status_index=None, identity_salt=""
    )
    document = openbadges.credential_sign(certificate_id=issued.pk)
    issued.refresh_from_db()
    assert issued.status_list == 1 and issued.status_index is not None
    assert document["credentialStatus"][0]["statusListIndex"] == str(issued.status_index)
    assert document["credentialSubject"]["identifier"][0]["salt"] == issued.identity_salt


@pytest.mark.django_db(transaction=True)
def test_certificates_made_at_once_on_the_same_bit_each_get_their_own(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that several connections share (PostgreSQL)")
    course = make_course("together", modules=1)
    holders = [UserFactory() for _ in range(4)]
    local = threading.local()

    def first_the_same_bit(size):
        local.picks = getattr(local, "picks", 0) + 1
        return 999 if local.picks == 1 else secrets.randbelow(size)

    monkeypatch.setattr(status, "random_index", first_the_same_bit)
    queue = list(holders)

    def make():
        with transaction.atomic():
            return _course_certificate(course, holder=queue.pop()).pk

    results, errors = run_together(make, count=4)
    assert errors == []
    entries = set(
        Certificate.objects.filter(pk__in=results).values_list("status_list", "status_index")
    )
    assert len(entries) == 4 and (1, 999) in entries


def test_bits_are_written_most_significant_first():
    bitstring = status.decode(status.encode([0, 9, 131_071]))
    assert len(bitstring) == 16_384
    assert bitstring[0] == 0b1000_0000
    assert bitstring[1] == 0b0100_0000
    assert bitstring[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bitstring) == 3
    with pytest.raises(ValueError, match="outside the list"):
        status.encode([131_072])
