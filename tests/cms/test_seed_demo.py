import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from cms.models import HomePage
from organizations.models import (
    Membership,
    Organization,
    SupervisionAssignment,
    SupervisorQualification,
)
from organizations.roles import person_roles

pytestmark = pytest.mark.django_db

DEMO = {
    "trainee@example.org": ("Jordan Rivera", {"trainee"}),
    "trainee2@example.org": ("Casey Morgan", {"trainee"}),
    "supervisor@example.org": ("Sam Okafor", {"supervisor"}),
    "orgadmin@example.org": ("Alex Chen", {"org_admin"}),
    "registrar@example.org": ("Robin Diaz", {"registrar"}),
    "editor@example.org": ("Taylor Brooks", {"editor"}),
}


def snapshot():
    return {
        "users": list(get_user_model().objects.order_by("email").values_list("email", "password")),
        "memberships": Membership.objects.count(),
        "assignments": SupervisionAssignment.objects.count(),
        "qualifications": SupervisorQualification.objects.count(),
        "pages": list(
            Page.objects.order_by("path").values_list("path", "title", "latest_revision_id")
        ),
        "sites": list(Site.objects.values_list("root_page_id", "is_default_site")),
    }


def test_seed_demo_creates_every_account_with_its_role(capsys):
    call_command("seed_demo", "--force")
    for email, (name, roles) in DEMO.items():
        user = get_user_model().objects.get(email=email)
        assert user.legal_name == name
        assert user.check_password("alongside-demo")
        assert person_roles(user) == roles
        assert EmailAddress.objects.get(user=user).verified
    organization = Organization.objects.get(name="Riverside Recovery Community")
    sam = get_user_model().objects.get(email="supervisor@example.org")
    supervised = SupervisionAssignment.objects.current().filter(
        organization=organization, supervisor=sam
    )
    assert {a.trainee.email for a in supervised} == {"trainee@example.org", "trainee2@example.org"}
    assert SupervisorQualification.objects.get(user=sam).is_current()
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert "alongside-demo" in capsys.readouterr().out


def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo", "--force")
    before = snapshot()
    call_command("seed_demo", "--force")
    assert snapshot() == before
    assert "nothing changed" in capsys.readouterr().out


def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not Organization.objects.exists()


def test_dry_run_writes_nothing(capsys):
    call_command("seed_demo", "--force", "--dry-run")
    assert not Organization.objects.exists()
    assert "would be made" in capsys.readouterr().out


def test_home_page_tells_visitors_what_the_site_offers(client):
    call_command("seed_demo", "--force")
    page = client.get("/").content.decode()
    for text in (
        "What you can do here",
        "Who Alongside is for",
        "How to start",
        "Create a free account",
    ):
        assert text in page
