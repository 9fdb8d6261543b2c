import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

NAV = {
    "trainee": {"Dashboard", "Courses", "Programs", "Hours", "Credentials", "Profile"},
    "supervisor": {"Dashboard", "Review hours", "Profile"},
    "org_admin": {"Dashboard", "Organization", "Profile"},
    "registrar": {"Dashboard", "Admin", "Profile"},
    "editor": {"Dashboard", "Admin", "Profile"},
}
ALL_ITEMS = {
    "Dashboard",
    "Organization",
    "Admin",
    "Profile",
    "Courses",
    "Programs",
    "Hours",
    "Credentials",
    "Review hours",
}


def nav_labels(html: str) -> set[str]:
    import re

    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return {label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", nav)}


@pytest.mark.parametrize("who", sorted(NAV))
def test_navigation_is_the_union_of_roles(client, world, who):
    client.force_login(getattr(world, who))
    labels = nav_labels(client.get(reverse("dashboard")).content.decode())
    assert labels & ALL_ITEMS == NAV[who]


def test_anonymous_navigation_offers_log_in_and_sign_up(client, world):
    labels = nav_labels(client.get(reverse("account_login")).content.decode())
    assert labels == {"Courses", "Programs", "Log in", "Sign up"}


def test_dashboard_panels_follow_roles(client, world):
    client.force_login(world.trainee)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Your current supervisors:" in page
    assert world.supervisor.display_name in page
    assert "Organizations you manage" not in page

    client.force_login(world.supervisor)
    page = client.get(reverse("dashboard")).content.decode()
    assert "People you supervise now:" in page
    assert world.trainee.display_name in page
    assert world.other_trainee.display_name not in page

    client.force_login(world.org_admin)
    page = client.get(reverse("dashboard")).content.decode()
    assert world.org.name in page
    assert world.other_org.name not in page

    client.force_login(world.independent)
    page = client.get(reverse("dashboard")).content.decode()
    assert "You can take courses on your own" in page


def test_dashboard_query_count_is_fixed(client, world, django_assert_max_num_queries):
    client.force_login(world.supervisor)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("dashboard")).status_code == 200


def test_not_found_page_is_in_the_site_style(client, world):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "Skip to main content" in page


def test_server_error_page_renders_without_a_request_context():
    from cms.errors import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@override_settings(MFA_REQUIRED_FOR_PRIVILEGED=True)
def test_required_mfa_sends_privileged_roles_to_set_it_up(client, world):
    client.force_login(world.supervisor)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # Setting it up is reachable (allauth first asks for the password again), with no loop.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    # Trainees are not affected.
    client.force_login(world.trainee)
    assert client.get(reverse("dashboard")).status_code == 200


def test_content_security_policy_forbids_inline_script_on_the_site(client):
    call_command("seed_demo", "--force")
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_carry_no_inline_script(client, world):
    call_command("seed_demo", "--force")
    client.force_login(world.org_admin)
    for url in [
        "/",
        reverse("dashboard"),
        reverse("organization_detail", args=[world.org.slug]),
        reverse("profile"),
    ]:
        html = client.get(url, follow=True).content.decode()
        assert "<script>" not in html and " onclick=" not in html and "style=" not in html, url
