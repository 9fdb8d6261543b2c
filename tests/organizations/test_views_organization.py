import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organizations import services
from organizations.models import Invitation, Membership, SupervisionAssignment
from tests.factories import MembershipFactory, QualificationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.org_admin)
    return client


def detail_url(world):
    return reverse("organization_detail", kwargs={"slug": world.org.slug})


def test_member_list_shows_roles_supervision_and_qualifications(admin_client, world):
    QualificationFactory(user=world.supervisor, credential_name="Peer Supervisor Credential")
    response = admin_client.get(detail_url(world))
    page = response.content.decode()
    assert world.trainee.legal_name in page
    assert f"Supervised by {world.supervisor.display_name}" in page
    assert "Peer Supervisor Credential" in page
    # People of the other organization never appear.
    assert world.other_trainee.legal_name not in page


def test_member_list_flags_a_supervisor_without_a_current_qualification(admin_client, world):
    page = admin_client.get(detail_url(world)).content.decode()
    assert "No current supervisor qualification on record" in page


def test_member_list_query_count_does_not_grow_with_members(
    admin_client, world, django_assert_max_num_queries
):
    for _ in range(30):
        member = MembershipFactory(organization=world.org, is_supervisor=True).user
        QualificationFactory(user=member)
        services.assignment_create(
            organization=world.org,
            supervisor=world.supervisor,
            trainee=member,
            starts_on=timezone.localdate(),
            by=world.org_admin,
        )
    with django_assert_max_num_queries(18) as captured:
        response = admin_client.get(detail_url(world))
    assert response.status_code == 200, captured


def test_invite_sends_email_and_lists_the_invitation(
    admin_client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("organization_invite", kwargs={"slug": world.org.slug}),
            {"email": "newcomer@example.test", "roles": ["trainee"]},
            follow=True,
        )
    assert "Invitation sent to newcomer@example.test." in response.content.decode()
    assert len(mail.outbox) == 1
    assert "newcomer@example.test" in response.content.decode()


def test_invite_with_bad_input_keeps_what_was_typed(admin_client, world):
    url = reverse("organization_invite", kwargs={"slug": world.org.slug})
    response = admin_client.post(url, {"email": "not-an-email", "roles": []})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="not-an-email"' in page
    assert "Choose at least one role." in page
    response = admin_client.post(url, {"email": world.trainee.email, "roles": ["trainee"]})
    assert "is already a member of" in response.content.decode()
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_change_roles(admin_client, world):
    membership = world.membership(world.trainee)
    url = reverse("organization_member_roles", kwargs={"slug": world.org.slug, "pk": membership.pk})
    response = admin_client.post(url, {"roles": ["trainee", "supervisor"]}, follow=True)
    assert f"Roles updated for {world.trainee.display_name}." in response.content.decode()
    membership.refresh_from_db()
    assert membership.roles == {"trainee", "supervisor"}


def test_last_admin_refusal_is_shown_and_nothing_changes(admin_client, world):
    membership = world.membership(world.org_admin)
    url = reverse("organization_member_roles", kwargs={"slug": world.org.slug, "pk": membership.pk})
    response = admin_client.post(url, {"roles": ["trainee"]})
    assert "needs at least one organization admin" in response.content.decode()
    membership.refresh_from_db()
    assert membership.roles == {"org_admin"}


def test_remove_member(admin_client, world):
    membership = world.membership(world.trainee)
    url = reverse(
        "organization_member_remove", kwargs={"slug": world.org.slug, "pk": membership.pk}
    )
    assert "Remove" in admin_client.get(url).content.decode()
    response = admin_client.post(url, follow=True)
    assert "was removed from" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_assign_supervisor_and_refusals(admin_client, world):
    url = reverse("organization_assignment_create", kwargs={"slug": world.org.slug})
    newcomer = MembershipFactory(organization=world.org).user
    today = timezone.localdate().isoformat()
    # The supervisor chosen is from another organization: a plain refusal, and what was typed stays.
    response = admin_client.post(
        url, {"supervisor": world.other_supervisor.pk, "trainee": newcomer.pk, "starts_on": today}
    )
    page = response.content.decode()
    assert "Choose a supervisor who is a member of this organization." in page
    assert f'value="{today}"' in page
    # Assigning someone to themself.
    both = MembershipFactory(organization=world.org, is_supervisor=True).user
    response = admin_client.post(
        url, {"supervisor": both.pk, "trainee": both.pk, "starts_on": today}
    )
    assert "cannot supervise themself" in response.content.decode()
    assert not SupervisionAssignment.objects.filter(trainee__in=[newcomer, both]).exists()
    response = admin_client.post(
        url,
        {"supervisor": world.supervisor.pk, "trainee": newcomer.pk, "starts_on": today},
        follow=True,
    )
    assert f"{world.supervisor.display_name} now supervises {newcomer.display_name}." in (
        response.content.decode()
    )
    assert SupervisionAssignment.objects.filter(
        trainee=newcomer, supervisor=world.supervisor
    ).exists()


def test_end_assignment(admin_client, world):
    url = reverse(
        "organization_assignment_end", kwargs={"slug": world.org.slug, "pk": world.assignment.pk}
    )
    too_early = (world.assignment.starts_on - datetime.timedelta(days=1)).isoformat()
    response = admin_client.post(url, {"ends_on": too_early})
    assert "cannot be before the assignment started" in response.content.decode()
    response = admin_client.post(url, {"ends_on": timezone.localdate().isoformat()}, follow=True)
    assert "ends on" in response.content.decode()
    world.assignment.refresh_from_db()
    assert world.assignment.ends_on == timezone.localdate()


def test_withdraw_invitation(admin_client, world):
    invitation = services.invitation_create(
        organization=world.org,
        email="x@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )
    url = reverse(
        "organization_invitation_withdraw", kwargs={"slug": world.org.slug, "pk": invitation.pk}
    )
    response = admin_client.post(url, follow=True)
    assert "was withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None


class TestInvitationPage:
    def test_anonymous_visitor_is_offered_sign_up_and_log_in(self, client, world):
        invitation = services.invitation_create(
            organization=world.org,
            email="new@example.test",
            roles={"trainee"},
            invited_by=world.org_admin,
        )
        url = reverse("invitation", args=[services.invitation_token(invitation)])
        page = client.get(url).content.decode()
        assert f"You are invited to join {world.org.name}" in page
        assert "/accounts/signup/?next=" in page
        # The address the link was sent to counts as verified for sign-up.
        assert client.session["account_verified_email"] == "new@example.test"

    def test_signed_in_invitee_joins(self, client, world):
        invitation = services.invitation_create(
            organization=world.org,
            email="new@example.test",
            roles={"trainee"},
            invited_by=world.org_admin,
        )
        person = UserFactory(email="new@example.test")
        client.force_login(person)
        url = reverse("invitation", args=[services.invitation_token(invitation)])
        response = client.post(url, follow=True)
        assert f"Welcome to {world.org.name}" in response.content.decode()
        assert Membership.objects.filter(
            user=person, organization=world.org, is_trainee=True
        ).exists()

    def test_wrong_account_is_told_plainly(self, client, world):
        invitation = services.invitation_create(
            organization=world.org,
            email="new@example.test",
            roles={"trainee"},
            invited_by=world.org_admin,
        )
        client.force_login(world.other_trainee)
        url = reverse("invitation", args=[services.invitation_token(invitation)])
        response = client.post(url)
        assert "sent to a different email address" in response.content.decode()
        assert not Membership.objects.filter(
            user=world.other_trainee, organization=world.org
        ).exists()

    def test_altered_link(self, client, world):
        response = client.get(reverse("invitation", args=["not-a-real-token"]))
        assert response.status_code == 400
        assert "This invitation link is not valid" in response.content.decode()

    def test_used_link(self, client, world):
        invitation = services.invitation_create(
            organization=world.org,
            email="new@example.test",
            roles={"trainee"},
            invited_by=world.org_admin,
        )
        services.invitation_accept(
            invitation=invitation, user=UserFactory(email="new@example.test")
        )
        response = client.get(reverse("invitation", args=[services.invitation_token(invitation)]))
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
