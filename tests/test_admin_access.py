"""Wagtail admin and allauth: only site staff reach the admin, and the admin's own login and
account pages hand over to allauth so two-step verification cannot be bypassed."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "/admin/",
    "/admin/pages/",
    "/admin/users/",
    "/admin/people/organizations/",
    "/admin/people/memberships/",
    "/admin/people/supervision/",
    "/admin/programs/",
    "/admin/programs/reviews/",
    "/admin/credentials/certificates/",
    "/admin/credentials/templates/",
]


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize("who", ["trainee", "supervisor", "org_admin", "independent"])
def test_people_without_a_staff_role_get_no_admin(client, world, url, who):
    client.force_login(getattr(world, who))
    response = client.get(url)
    # Wagtail sends people without admin access back to a login page (its own login address
    # then hands over to allauth, see below); the admin page itself is never served.
    assert response.status_code == 302
    assert response.url.startswith((reverse("account_login"), "/admin/login/"))


def test_anonymous_admin_requests_go_to_the_allauth_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/admin/login/?next=/admin/pages/", "/accounts/login/?next=/admin/pages/"),
        ("/admin/password_reset/", "/accounts/password/reset/"),
        ("/admin/account/", "/profile/"),
    ],
)
def test_wagtail_account_pages_hand_over_to_allauth(client, path, target):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == target


@pytest.mark.parametrize(
    ("who", "url", "expected"),
    [
        ("registrar", "/admin/", 200),
        ("registrar", "/admin/people/organizations/", 200),
        ("registrar", "/admin/people/memberships/", 200),
        ("registrar", "/admin/users/", 200),
        ("registrar", "/admin/credentials/certificates/", 200),
        ("registrar", "/admin/credentials/templates/", 200),
        ("registrar", "/admin/credentials/templates/add/", 200),
        ("registrar", "/admin/programs/reviews/", 200),
        ("editor", "/admin/", 200),
        ("editor", "/admin/credentials/certificates/", 302),
        ("editor", "/admin/credentials/templates/", 302),
        ("editor", "/admin/pages/", 200),
        # Editors write content; managing people is the registrars' job.
        ("editor", "/admin/people/memberships/", 302),
    ],
)
def test_staff_roles_reach_what_their_work_needs(client, world, who, url, expected):
    client.force_login(getattr(world, who))
    response = client.get(url)
    assert response.status_code == expected, response.get("Location")


def test_registrar_can_open_a_person_in_the_user_admin(client, world):
    client.force_login(world.registrar)
    response = client.get(f"/admin/users/edit/{world.trainee.pk}/")
    assert response.status_code == 200
    assert world.trainee.legal_name in response.content.decode()


def test_an_administrator_adds_a_person_without_ever_setting_their_password(client, world):
    """ASVS 6.4.1: no administrator knows a password; the person sets their own (reset link)."""
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    page = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="password1"' not in page
    response = client.post(
        reverse("wagtailusers_users:add"),
        {"email": "new.person@example.org", "legal_name": "New Person", "preferred_name": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="new.person@example.org")
    assert not person.has_usable_password()
    client.logout()
    client.post(reverse("account_reset_password"), {"email": "new.person@example.org"})
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]
