"""The credentials roster of an organization: only members who chose to share, statuses as of
today, expiry alerts in words, the others only counted, in a fixed number of queries."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import CertificateKind, ProgramEnrollment
from certificates.services import new_certificate
from organizations import services as organization_services
from tests.factories import MembershipFactory

from .builders import make_program

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 15, 16, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def pinned_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def credential(holder, *, title, expires_on=None, status="active", issued_on=None):
    """A certificate of ``holder`` made by the issuing service's insert (``new_certificate``);
    a second one for the same person is a renewal, as the database allows."""
    version = make_program(f"p-{ProgramEnrollment.objects.count()}", title=title)
    enrollment = ProgramEnrollment.objects.create(
        trainee=holder, program=version.program, version=version
    )
    issued_on = issued_on or days(-300)
    return new_certificate(
        holder=holder,
        kind=CertificateKind.PROGRAM,
        program_enrollment=enrollment,
        program_version=version,
        name_as_printed=holder.legal_name,
        title=title,
        issued_at=datetime.datetime.combine(issued_on, datetime.time(12), tzinfo=datetime.UTC),
        expires_on=expires_on,
        status=status,
        snapshot={},
    )


def share(world, person, organization=None):
    membership = world.membership(person, organization)
    organization_services.credential_sharing_save(user=person, choices={membership.pk: True})


def roster_url(world, organization=None):
    return reverse("organization_credentials", kwargs={"slug": (organization or world.org).slug})


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.org_admin)
    return client


@pytest.fixture
def shared(world):
    world.trainee.legal_name = "Jordan Rivera"
    world.trainee.save(update_fields=["legal_name"])
    world.supervisor.legal_name = "Sam Okafor"
    world.supervisor.save(update_fields=["legal_name"])
    share(world, world.trainee)
    share(world, world.supervisor)
    credential(world.trainee, title="Active credential", expires_on=days(400))
    credential(world.trainee, title="Expiring credential", expires_on=days(30))
    credential(world.trainee, title="Expired credential", expires_on=days(-10))
    credential(
        world.trainee, title="Suspended credential", expires_on=days(400), status="suspended"
    )
    credential(world.trainee, title="Revoked credential", expires_on=days(-30), status="revoked")
    credential(world.trainee, title="Replaced credential", expires_on=days(20), status="superseded")
    credential(world.supervisor, title="Lifetime credential", issued_on=datetime.date(2025, 1, 2))
    credential(world.supervisor, title="Due today", expires_on=TODAY)
    # Not sharing: a trainee of the organization, and a sharing member of another one.
    hidden = MembershipFactory(organization=world.org, user__legal_name="Hidden Person").user
    credential(hidden, title="Secret credential", expires_on=days(5))
    share(world, world.other_trainee, world.other_org)
    credential(world.other_trainee, title="Elsewhere credential", expires_on=days(5))
    return world


def rows_of(page: str) -> list[list[str]]:
    """The table's rows as cell texts (tags dropped), for plain assertions."""
    import re

    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells])
    return rows


def test_the_roster_shows_only_consenting_members_with_the_status_shown_today(admin_client, shared):
    response = admin_client.get(roster_url(shared))
    assert response.status_code == 200
    page = response.content.decode()
    assert sorted(rows_of(page)) == sorted(
        [
            ["Jordan Rivera", "Active credential Credential", "Active", "Aug. 19, 2025", "July 20, 2027"],
            ["Jordan Rivera", "Expiring credential Credential", "Expiring soon", "Aug. 19, 2025", "July 15, 2026"],
            ["Jordan Rivera", "Expired credential Credential", "Expired", "Aug. 19, 2025", "June 5, 2026"],
            ["Jordan Rivera", "Suspended credential Credential", "Suspended", "Aug. 19, 2025", "July 20, 2027"],
            ["Jordan Rivera", "Revoked credential Credential", "Revoked", "Aug. 19, 2025", "May 16, 2026"],
            ["Jordan Rivera", "Replaced credential Credential", "Replaced", "Aug. 19, 2025", "July 5, 2026"],
            ["Sam Okafor", "Lifetime credential Credential", "Active", "Jan. 2, 2025", "Does not expire"],
            ["Sam Okafor", "Due today Credential", "Expiring soon", "Aug. 19, 2025", "June 15, 2026"],
        ]
    )  # fmt: skip
    for hidden in ("Hidden Person", "Secret credential", "Elsewhere credential"):
        assert hidden not in page
    assert shared.other_trainee.legal_name not in page
    assert "2 members share their credentials with you." in page
    assert "1 member has not chosen to share their credentials." in page
    assert "<caption" in page and 'scope="col"' in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_expiry_alerts_say_how_many_days_in_words(admin_client, shared):
    page = admin_client.get(roster_url(shared)).content.decode()
    alerts = page.split('id="alerts-heading"', 1)[1].split("</section>", 1)[0]
    expired, expiring = alerts.split("Expiring within 90 days")
    assert "Jordan Rivera: Expired credential. Expired 10 days ago (on June 5, 2026)." in expired
    assert "Jordan Rivera: Expiring credential. Expires in 30 days (on July 15, 2026)." in expiring
    assert "Sam Okafor: Due today. Expires today (on June 15, 2026)." in expiring
    assert expiring.index("Due today") < expiring.index("Expiring credential")
    # Revoked, replaced, suspended and far-off credentials are not expiry alerts.
    for title in ("Revoked", "Replaced", "Suspended", "Active credential", "Secret"):
        assert title not in alerts


def test_no_alerts_when_nothing_expires_soon(admin_client, world):
    share(world, world.trainee)
    credential(world.trainee, title="Far credential", expires_on=days(91))
    page = admin_client.get(roster_url(world)).content.decode()
    assert "Expiry alerts" not in page
    assert "Far credential" in page


def test_sharing_members_without_credentials_and_admin_only_members(admin_client, world):
    share(world, world.trainee)
    share(world, world.org_admin)  # an admin only: not a trainee or supervisor, so not listed
    credential(world.org_admin, title="Admin credential", expires_on=days(5))
    page = admin_client.get(roster_url(world)).content.decode()
    assert f"Sharing, with no credential yet: {world.trainee.legal_name}" in page
    assert "No shared credentials to show yet." in page
    assert "Admin credential" not in page
    assert "1 member shares their credentials with you." in page
    assert "1 member has not chosen to share their credentials." in page


def test_nobody_named_when_nobody_shares(admin_client, world):
    for _ in range(3):
        member = MembershipFactory(organization=world.org).user
        credential(member, title="Private credential", expires_on=days(10))
    page = admin_client.get(roster_url(world)).content.decode()
    assert "5 members have not chosen to share their credentials." in page
    assert "Private credential" not in page
    assert "Expiry alerts" not in page


@pytest.mark.parametrize("who", ["other_admin", "trainee", "supervisor", "independent"])
def test_anyone_but_this_organizations_admin_gets_a_404(client, shared, who):
    client.force_login(getattr(shared, who))
    assert client.get(roster_url(shared)).status_code == 404


def test_an_admin_sees_only_their_own_organizations_roster(client, shared):
    client.force_login(shared.other_admin)
    page = client.get(roster_url(shared, shared.other_org)).content.decode()
    assert "Elsewhere credential" in page
    assert "Jordan Rivera" not in page and "Active credential" not in page


def test_the_organization_page_links_to_the_roster_and_the_check(admin_client, world):
    page = admin_client.get(
        reverse("organization_detail", kwargs={"slug": world.org.slug})
    ).content.decode()
    assert f'href="{roster_url(world)}"' in page
    assert (
        f'href="{reverse("organization_credential_check", kwargs={"slug": world.org.slug})}"'
        in page
    )


def grow(world, *, members: int, credentials: int) -> None:
    for _ in range(members):
        membership = MembershipFactory(organization=world.org, is_supervisor=True)
        organization_services.credential_sharing_save(
            user=membership.user, choices={membership.pk: True}
        )
        for n in range(credentials):
            credential(membership.user, title=f"Credential {n}", expires_on=days(10 * n - 5))
        MembershipFactory(organization=world.org)  # and one who does not share


def test_the_query_count_does_not_grow_with_members_or_credentials(
    admin_client, world, django_assert_max_num_queries
):
    url = roster_url(world)
    grow(world, members=2, credentials=1)
    admin_client.get(url)  # warm caches (site settings, content types)
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url).status_code == 200
    grow(world, members=25, credentials=4)
    with django_assert_max_num_queries(len(small)) as large:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 1 + 2 * 1 + 25 * 4
    assert len(small) <= 13, [query["sql"] for query in small.captured_queries]

    def roster_queries(captured):
        return [
            query["sql"]
            for query in captured.captured_queries
            if "certificates_certificate" in query["sql"] or "shares_credentials" in query["sql"]
        ]

    # The counts, the sharing members and their credentials: three queries at any size.
    assert len(roster_queries(small)) == len(roster_queries(large)) == 3
