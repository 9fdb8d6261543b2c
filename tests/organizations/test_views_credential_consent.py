"""A member chooses, per organization, whether its admins may see their credentials: the page,
the service, the log, and the roster following the choice at once."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from organizations import selectors, services
from organizations.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 4, 15, 30, tzinfo=datetime.UTC)
SHARING_URL = "/profile/sharing/"


def field(membership) -> str:
    return f"membership_{membership.pk}"


def roster_url(world) -> str:
    return reverse("organization_credentials", kwargs={"slug": world.org.slug})


@pytest.fixture
def two_memberships(world):
    """The world's trainee also belongs to the other organization."""
    return world.membership(world.trainee), MembershipFactory(
        organization=world.other_org, user=world.trainee
    )


def test_the_url_is_named_and_needs_a_login(client, world):
    assert reverse("credential_sharing") == SHARING_URL
    response = client.get(SHARING_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_page_lists_each_membership_and_explains_what_is_seen(client, world, two_memberships):
    client.force_login(world.trainee)
    response = client.get(SHARING_URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Let Riverside Test see my credentials and their status" in page
    assert "Let Lakeside Test see my credentials and their status" in page
    assert "never see your hours, your notes or reflections, or your quiz scores" in page
    assert "stop sharing at any time" in page
    for membership in two_memberships:
        assert f'name="{field(membership)}"' in page
        assert f'<label for="id_{field(membership)}">' in page
    # Nothing is shared until the person says so.
    assert "checked" not in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_someone_without_a_membership_gets_a_plain_explanation(client, world):
    client.force_login(world.independent)
    page = client.get(SHARING_URL).content.decode()
    assert "You do not belong to any organization on Alongside" in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_profile_links_to_the_page(client, world):
    client.force_login(world.trainee)
    page = client.get(reverse("profile")).content.decode()
    assert f'href="{SHARING_URL}"' in page


def test_granting_records_the_choice_its_time_and_a_log_entry(client, world, two_memberships):
    here, elsewhere = two_memberships
    client.force_login(world.trainee)
    with time_machine.travel(NOW, tick=False):
        response = client.post(SHARING_URL, {field(here): "on"}, follow=True)
    here.refresh_from_db()
    elsewhere.refresh_from_db()
    assert here.shares_credentials is True
    assert here.shares_credentials_changed_at == NOW
    assert elsewhere.shares_credentials is False
    assert elsewhere.shares_credentials_changed_at is None
    page = response.content.decode()
    assert "Riverside Test can now see your credentials and their status." in page
    assert "Last changed on May 4, 2026." in page
    entry = ModelLogEntry.objects.get(action="alongside.membership.credential_sharing")
    assert entry.object_id == str(here.pk)
    assert entry.user_id == world.trainee.pk
    assert entry.data == {"organization": "riverside-test", "shares": True}


def test_withdrawing_records_the_time_and_hides_the_person_from_the_roster_at_once(client, world):
    from certificates import services as credential_services
    from tests.certificates.builders import make_program

    credential_services.program_start(
        trainee=world.trainee, program=make_program("quick", title="Quick credential").program
    )
    membership = world.membership(world.trainee)
    services.credential_sharing_save(user=world.trainee, choices={membership.pk: True})
    admin = client.__class__()
    admin.force_login(world.org_admin)
    page = admin.get(roster_url(world)).content.decode()
    assert world.trainee.legal_name in page and "Quick credential" in page

    client.force_login(world.trainee)
    later = NOW + datetime.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        response = client.post(SHARING_URL, {}, follow=True)
    membership.refresh_from_db()
    assert membership.shares_credentials is False
    assert membership.shares_credentials_changed_at == later
    assert "Riverside Test can no longer see your credentials." in response.content.decode()

    page = admin.get(roster_url(world)).content.decode()
    assert world.trainee.legal_name not in page
    assert "Quick credential" not in page
    assert "2 members have not chosen to share their credentials." in page


def test_saving_the_same_choice_changes_nothing(client, world):
    membership = world.membership(world.trainee)
    client.force_login(world.trainee)
    response = client.post(SHARING_URL, {}, follow=True)
    membership.refresh_from_db()
    assert membership.shares_credentials_changed_at is None
    assert "Nothing changed." in response.content.decode()
    assert not ModelLogEntry.objects.filter(
        action="alongside.membership.credential_sharing"
    ).exists()


def test_a_post_naming_someone_elses_membership_changes_nothing(client, world):
    theirs = world.membership(world.other_trainee, world.other_org)
    supervisors = world.membership(world.supervisor)
    client.force_login(world.trainee)
    response = client.post(SHARING_URL, {field(theirs): "on", field(supervisors): "on"})
    assert response.status_code == 302
    for membership in (theirs, supervisors):
        membership.refresh_from_db()
        assert membership.shares_credentials is False
        assert membership.shares_credentials_changed_at is None


def test_the_service_refuses_a_membership_that_is_not_the_persons(world):
    theirs = world.membership(world.other_trainee, world.other_org)
    mine = world.membership(world.trainee)
    with pytest.raises(ValidationError, match="organizations you belong to"):
        services.credential_sharing_save(
            user=world.trainee, choices={mine.pk: True, theirs.pk: True}
        )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert not mine.shares_credentials and not theirs.shares_credentials


def test_removing_a_member_ends_the_sharing_and_rejoining_starts_unshared(world):
    membership = world.membership(world.trainee)
    services.credential_sharing_save(user=world.trainee, choices={membership.pk: True})
    services.membership_remove(membership=membership, by=world.org_admin)
    again = MembershipFactory(organization=world.org, user=world.trainee)
    assert again.shares_credentials is False


# The rule and the selector agree ---------------------------------------------------------------

PEOPLE = [
    "trainee",
    "supervisor",
    "org_admin",
    "other_trainee",
    "other_supervisor",
    "other_admin",
    "independent",
    "registrar",
    "editor",
]


@pytest.fixture
def sharing_world(world):
    """The trainee and the other organization's supervisor share; an admin-only member who
    ticked the box is not a trainee or supervisor, so shares nothing."""
    for person, organization in (
        (world.trainee, world.org),
        (world.other_supervisor, world.other_org),
        (world.org_admin, world.org),
    ):
        membership = world.membership(person, organization)
        services.credential_sharing_save(user=person, choices={membership.pk: True})
    return world


@pytest.mark.parametrize("who", PEOPLE)
def test_view_member_credentials_agrees_with_people_sharing_credentials_with(sharing_world, who):
    person = getattr(sharing_world, who)
    visible = set(selectors.people_sharing_credentials_with(person))
    for candidate in (getattr(sharing_world, name) for name in PEOPLE):
        assert person.has_perm("organizations.view_member_credentials", candidate) == (
            candidate in visible
        ), (who, candidate)


def test_only_the_org_admins_see_a_sharing_member(sharing_world):
    world = sharing_world
    assert set(selectors.people_sharing_credentials_with(world.org_admin)) == {world.trainee}
    assert set(selectors.people_sharing_credentials_with(world.other_admin)) == {
        world.other_supervisor
    }
    assert not selectors.people_sharing_credentials_with(world.trainee).exists()


def test_counts_name_no_one(world):
    membership = world.membership(world.trainee)
    services.credential_sharing_save(user=world.trainee, choices={membership.pk: True})
    for _ in range(3):
        MembershipFactory(organization=world.org)
    MembershipFactory(organization=world.org, is_trainee=False, is_org_admin=True)
    assert selectors.credential_sharing_counts(world.org) == {"sharing": 1, "not_sharing": 4}
    assert list(selectors.members_sharing_credentials(world.org)) == [membership]


def test_the_choice_is_per_membership(world):
    person = UserFactory()
    first = MembershipFactory(organization=world.org, user=person)
    second = MembershipFactory(organization=world.other_org, user=person)
    with time_machine.travel(NOW, tick=False):
        changed = services.credential_sharing_save(
            user=person, choices={first.pk: True, second.pk: False}
        )
    assert changed == [first]
    assert Membership.objects.get(pk=first.pk).shares_credentials_changed_at == NOW
    assert Membership.objects.get(pk=second.pk).shares_credentials_changed_at is None
    assert timezone.is_aware(Membership.objects.get(pk=first.pk).shares_credentials_changed_at)
