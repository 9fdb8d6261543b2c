"""Each rules predicate and the selector that mirrors it must agree, person by person."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from organizations import selectors
from organizations.models import Organization

pytestmark = pytest.mark.django_db

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


@pytest.mark.parametrize("who", PEOPLE)
def test_manage_organization_agrees_with_organizations_administered_by(world, who):
    person = getattr(world, who)
    visible = set(selectors.organizations_administered_by(person))
    for organization in Organization.objects.all():
        assert person.has_perm("organizations.manage_organization", organization) == (
            organization in visible
        ), (who, organization)


@pytest.mark.parametrize("who", PEOPLE)
def test_view_supervisee_agrees_with_current_supervisees_of(world, who):
    person = getattr(world, who)
    supervisees = set(selectors.current_supervisees_of(person))
    for candidate in (getattr(world, name) for name in PEOPLE):
        assert person.has_perm("organizations.view_supervisee", candidate) == (
            candidate in supervisees
        ), (who, candidate)


def test_anonymous_has_no_organization_permissions(world):
    anonymous = AnonymousUser()
    assert not anonymous.has_perm("organizations.manage_organization", world.org)
    assert not selectors.organizations_administered_by(anonymous).exists()


def test_an_ended_assignment_no_longer_grants_supervision(world):
    world.assignment.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    world.assignment.save()
    assert not world.supervisor.has_perm("organizations.view_supervisee", world.trainee)
    assert world.trainee not in selectors.current_supervisees_of(world.supervisor)


def test_a_past_supervisor_does_not_see_a_trainee_supervised_by_someone_else_now(world):
    from tests.factories import AssignmentFactory, MembershipFactory

    former = MembershipFactory(organization=world.org, is_trainee=False, is_supervisor=True).user
    AssignmentFactory(
        organization=world.org,
        supervisor=former,
        trainee=world.trainee,
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
        ends_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    # world.supervisor supervises world.trainee now; the former supervisor must not.
    assert world.trainee not in selectors.current_supervisees_of(former)
    assert not former.has_perm("organizations.view_supervisee", world.trainee)
