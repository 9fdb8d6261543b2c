"""Program pages, signing, the credentials page, and progress on the dashboard and hours page."""

import pytest
from django.urls import reverse

from certificates import services
from certificates.models import AttestationSignature, Certificate
from tests.factories import QualificationFactory

from .builders import approve_hours, hours_rule, make_program

PLEDGE = "I will keep my relationships within my role."


@pytest.fixture
def program(world):
    QualificationFactory(user=world.supervisor)
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    return make_program(
        "micro",
        title="Professional Boundaries in Peer Support",
        training=hours_rule(2.5, [("ethical-responsibility", 2.5)]),
        practice=hours_rule(2),
        supervision=hours_rule(1),
        attestations=[("pledge", PLEDGE)],
    )


def test_anyone_can_read_a_program_in_plain_words(client, program):
    listing = client.get(reverse("program_list"))
    assert "Professional Boundaries in Peer Support" in listing.content.decode()
    page = client.get(reverse("program_detail", args=["micro"])).content.decode()
    assert "2.5 Ethical Responsibility training hours" in page
    assert "2 supervised practice hours in total" in page
    assert "Issued by Alongside" in page
    assert "Log in to start this program" in page
    assert "Start this program" not in page


def test_a_trainee_starts_a_program_and_sees_what_is_left(client, world, program):
    client.force_login(world.trainee)
    response = client.post(reverse("program_start", args=["micro"]), follow=True)
    page = response.content.decode()
    assert "Everything you have already done counts" in page
    assert "2.5 more Ethical Responsibility training hours" in page
    assert "1 more supervision hour" in page
    assert "no-store" in response["Cache-Control"]
    approve_hours(world, ledger="practice", minutes=60)
    page = client.get(reverse("program_detail", args=["micro"])).content.decode()
    assert "1 more supervised practice hour" in page
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "My programs" in dashboard and "1 more supervised practice hour" in dashboard
    hours_page = client.get(reverse("hours_index")).content.decode()
    assert "Your hours and your programs" in hours_page
    assert "1 of 2 hours" in hours_page


def test_signing_with_the_wrong_name_keeps_the_form_and_stores_nothing(client, world, program):
    client.force_login(world.trainee)
    services.program_start(trainee=world.trainee, program=program.program)
    url = reverse("attestation_sign", args=["micro", "pledge"])
    page = client.get(url).content.decode()
    assert PLEDGE in page
    response = client.post(url, {"typed_name": "J. Rivera", "confirmed": "on"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "not the legal name on your profile" in page
    assert 'value="J. Rivera"' in page
    assert not AttestationSignature.objects.exists()
    response = client.post(
        url, {"typed_name": "Jordan Rivera", "confirmed": "on"}, REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302
    signature = AttestationSignature.objects.get()
    assert signature.ip_address == "198.51.100.7"
    assert "You signed this statement" in client.get(url).content.decode()


def test_credentials_page_lists_only_the_holders_own_newest_first(client, world, program):
    version = make_program("quick", title="Quick credential")
    services.program_start(trainee=world.trainee, program=version.program)
    services.program_start(trainee=world.other_trainee, program=version.program)
    mine = Certificate.objects.get(holder=world.trainee)
    client.force_login(world.trainee)
    page = client.get(reverse("credentials")).content.decode()
    assert "Quick credential" in page
    assert mine.code_display in page and mine.number in page
    other = Certificate.objects.get(holder=world.other_trainee)
    assert other.code_display not in page
    client.force_login(world.supervisor)
    assert "You have no credentials yet" in client.get(reverse("credentials")).content.decode()


def test_program_page_queries_do_not_grow_with_the_record(
    client, world, program, django_assert_max_num_queries
):
    client.force_login(world.trainee)
    services.program_start(trainee=world.trainee, program=program.program)
    url = reverse("program_detail", args=["micro"])
    client.get(url)
    with django_assert_max_num_queries(24) as few:
        client.get(url)
    for days_ago in range(1, 8):
        approve_hours(world, minutes=30, days_ago=days_ago)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_credentials_page_queries_do_not_grow_with_credentials(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.trainee)

    def earn(slug):
        version = make_program(slug)
        version.renewal = {"training": hours_rule(2), "grace_days": 30}
        version.save(update_fields=["renewal"])
        services.program_start(trainee=world.trainee, program=version.program)

    earn("first")
    with django_assert_max_num_queries(20) as few:
        assert "First credential" in client.get(reverse("credentials")).content.decode()
    for slug in ("second", "third", "fourth"):
        earn(slug)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("credentials")).content.decode()
    assert "Fourth credential" in page and "2 more training hours" in page
