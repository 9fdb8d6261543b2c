import datetime
import json
import re

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from organizations import services
from organizations.models import Invitation, Membership, SupervisionAssignment
from organizations.roles import person_roles
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_invitation_create_sends_a_signed_link_and_logs(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            organization=world.org,
            email="New.Person@Example.test",
            roles={"trainee"},
            invited_by=world.org_admin,
        )
    assert invitation.email == "new.person@example.test"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.test"]
    link = re.search(r"http://testserver/invitations/(\S+)/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    assert services.invitation_from_token(link.group(1)) == invitation
    assert ModelLogEntry.objects.filter(action="alongside.invitation.send").count() == 1


def test_invitation_for_an_existing_member_is_refused(world):
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_create(
            organization=world.org,
            email=world.trainee.email.upper(),
            roles={"trainee"},
            invited_by=world.org_admin,
        )
    assert not Invitation.objects.exists()


def test_a_new_invitation_replaces_the_open_one(world):
    first = services.invitation_create(
        organization=world.org,
        email="a@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )
    services.invitation_create(
        organization=world.org,
        email="a@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    with pytest.raises(services.InvitationProblem, match="withdrawn"):
        services.invitation_from_token(services.invitation_token(first))


def test_invitation_needs_a_role(world):
    with pytest.raises(ValidationError, match="at least one role"):
        services.invitation_create(
            organization=world.org, email="a@example.test", roles=set(), invited_by=world.org_admin
        )


def test_accepting_creates_the_membership_once(world):
    invitation = services.invitation_create(
        organization=world.org,
        email="joiner@example.test",
        roles={"trainee", "supervisor"},
        invited_by=world.org_admin,
    )
    joiner = UserFactory(email="joiner@example.test")
    membership = services.invitation_accept(invitation=invitation, user=joiner)
    assert membership.roles == {"trainee", "supervisor"}
    assert person_roles(joiner) == {"trainee", "supervisor"}
    with pytest.raises(services.InvitationProblem, match="already been used"):
        services.invitation_accept(invitation=invitation, user=joiner)
    assert Membership.objects.filter(user=joiner).count() == 1


def test_accepting_adds_roles_to_an_existing_membership_elsewhere_untouched(world):
    invitation = services.invitation_create(
        organization=world.other_org,
        email=world.trainee.email.replace("@", "+x@"),
        roles={"supervisor"},
        invited_by=world.other_admin,
    )
    stranger = UserFactory(email=invitation.email)
    MembershipFactory(organization=world.other_org, user=stranger, is_trainee=True)
    membership = services.invitation_accept(invitation=invitation, user=stranger)
    assert membership.roles == {"trainee", "supervisor"}


def test_accepting_with_another_account_is_refused(world):
    invitation = services.invitation_create(
        organization=world.org,
        email="right@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )
    with pytest.raises(services.InvitationProblem, match="different email address"):
        services.invitation_accept(invitation=invitation, user=world.other_trainee)
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user=world.other_trainee, organization=world.org).exists()


def test_altered_and_expired_tokens_are_explained(world, time_machine):
    invitation = services.invitation_create(
        organization=world.org,
        email="late@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )
    token = services.invitation_token(invitation)
    with pytest.raises(services.InvitationProblem, match="not valid") as altered:
        services.invitation_from_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert altered.value.code == "invalid"
    time_machine.move_to(timezone.now() + datetime.timedelta(days=15))
    with pytest.raises(services.InvitationProblem, match="expired") as expired:
        services.invitation_from_token(token)
    assert expired.value.code == "expired"


def test_dropping_the_supervisor_role_ends_their_assignments(world):
    membership = world.membership(world.supervisor)
    membership, ended = services.membership_set_roles(
        membership=membership, roles={"trainee"}, by=world.org_admin
    )
    assert ended == 1
    world.assignment.refresh_from_db()
    assert world.assignment.ends_on == timezone.localdate()
    assert membership.roles == {"trainee"}


def test_the_last_admin_cannot_drop_the_admin_role(world):
    membership = world.membership(world.org_admin)
    with pytest.raises(ValidationError, match="at least one organization admin"):
        services.membership_set_roles(membership=membership, roles={"trainee"}, by=world.org_admin)
    membership.refresh_from_db()
    assert membership.is_org_admin


def test_the_last_admin_cannot_be_removed(world):
    with pytest.raises(ValidationError, match="at least one organization admin"):
        services.membership_remove(membership=world.membership(world.org_admin), by=world.org_admin)
    assert Membership.objects.filter(user=world.org_admin).exists()


def test_removing_a_member_ends_supervision_and_keeps_the_person(world):
    ended = services.membership_remove(
        membership=world.membership(world.trainee), by=world.org_admin
    )
    assert ended == 1
    assert not Membership.objects.filter(user=world.trainee).exists()
    world.assignment.refresh_from_db()
    assert world.assignment.ends_on == timezone.localdate()
    world.trainee.refresh_from_db()
    assert world.trainee.is_active


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "cannot supervise themself"),
        ("other_org_supervisor", "is not a supervisor in"),
        ("other_org_trainee", "is not a trainee in"),
        ("duplicate", "already supervises"),
        ("backwards", "on or after the start date"),
    ],
)
def test_assignment_refusals(world, case, message):
    today = timezone.localdate()
    arguments = {
        "organization": world.org,
        "supervisor": world.supervisor,
        "trainee": world.trainee,
        "starts_on": today,
        "ends_on": None,
        "by": world.org_admin,
    }
    if case == "self":
        MembershipFactory(
            organization=world.org, user=world.other_supervisor, is_trainee=True, is_supervisor=True
        )
        arguments.update(supervisor=world.other_supervisor, trainee=world.other_supervisor)
    elif case == "other_org_supervisor":
        arguments.update(supervisor=world.other_supervisor)
    elif case == "other_org_trainee":
        arguments.update(trainee=world.other_trainee)
    elif case == "backwards":
        arguments.update(trainee=MembershipFactory(organization=world.org).user)
        arguments.update(ends_on=today - datetime.timedelta(days=1))
    before = SupervisionAssignment.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.assignment_create(**arguments)
    assert SupervisionAssignment.objects.count() == before


def test_assignment_create_and_end(world):
    newcomer = MembershipFactory(organization=world.org).user
    today = timezone.localdate()
    assignment = services.assignment_create(
        organization=world.org,
        supervisor=world.supervisor,
        trainee=newcomer,
        starts_on=today,
        by=world.org_admin,
    )
    assert assignment.is_current()
    with pytest.raises(ValidationError, match="cannot be before"):
        services.assignment_end(
            assignment=assignment, ends_on=today - datetime.timedelta(days=1), by=world.org_admin
        )
    services.assignment_end(assignment=assignment, ends_on=today, by=world.org_admin)
    assignment.refresh_from_db()
    assert assignment.ends_on == today
    assert not assignment.is_current(today + datetime.timedelta(days=1))
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {"alongside.assignment.create", "alongside.assignment.end"} <= actions


def test_the_invitation_link_does_not_carry_the_email_address(world):
    """URLs end up in browser history and proxy logs; a signed token is only base64."""
    invitation = services.invitation_create(
        organization=world.org,
        email="Quiet.Person@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )
    url = services.invitation_url(invitation)
    payload = signing.loads(url.rstrip("/").rsplit("/", 1)[-1], salt=services.INVITATION_SALT)
    assert "quiet" not in url.lower() and "quiet" not in json.dumps(payload).lower()
    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation


def test_a_link_made_for_another_address_does_not_open_this_invitation(world):
    invitation = services.invitation_create(
        organization=world.org,
        email="first@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )
    token = services.invitation_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(email="someone-else@example.test")
    with pytest.raises(services.InvitationProblem) as problem:
        services.invitation_from_token(token)
    assert problem.value.code == "withdrawn"
