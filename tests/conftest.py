import pytest
from django.contrib.auth.models import Group

from organizations.roles import EDITORS_GROUP, REGISTRARS_GROUP

from .factories import AssignmentFactory, MembershipFactory, OrganizationFactory, UserFactory


class World:
    """Two organizations with a person in every role, for permission tests.

    ``org`` holds trainee, supervisor (supervising trainee) and admin; ``other_org`` holds
    the same roles for other people, who must never see anything of ``org``."""

    def __init__(self):
        self.org = OrganizationFactory(name="Riverside Test", slug="riverside-test")
        self.other_org = OrganizationFactory(name="Lakeside Test", slug="lakeside-test")
        self.trainee = MembershipFactory(organization=self.org, is_trainee=True).user
        self.supervisor = MembershipFactory(
            organization=self.org, is_trainee=False, is_supervisor=True
        ).user
        self.org_admin = MembershipFactory(
            organization=self.org, is_trainee=False, is_org_admin=True
        ).user
        self.assignment = AssignmentFactory(
            organization=self.org, supervisor=self.supervisor, trainee=self.trainee
        )
        self.other_trainee = MembershipFactory(organization=self.other_org).user
        self.other_supervisor = MembershipFactory(
            organization=self.other_org, is_trainee=False, is_supervisor=True
        ).user
        self.other_admin = MembershipFactory(
            organization=self.other_org, is_trainee=False, is_org_admin=True
        ).user
        self.independent = UserFactory()
        self.registrar = UserFactory()
        self.registrar.groups.add(Group.objects.get(name=REGISTRARS_GROUP))
        self.editor = UserFactory()
        self.editor.groups.add(Group.objects.get(name=EDITORS_GROUP))

    def membership(self, user, organization=None):
        return user.memberships.get(organization=organization or self.org)


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits and lockouts count in the cache: each test starts from none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    return World()
