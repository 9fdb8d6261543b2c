import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

SIGNUP = {
    "legal_name": "Morgan Lee Ellis",
    "preferred_name": "Mo",
    "email": "mo@example.test",
    "password1": "a-long-new-passphrase",
    "password2": "a-long-new-passphrase",
}


def test_sign_up_stores_legal_and_preferred_names_and_asks_to_verify(client):
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)
    user = User.objects.get(email="mo@example.test")
    assert user.legal_name == "Morgan Lee Ellis"
    assert user.display_name == "Mo"
    # Production mode: the address must be confirmed before the person can log in.
    assert not EmailAddress.objects.get(user=user).verified
    assert "verify" in response.content.decode().lower()
    assert len(mail.outbox) == 1


def test_sign_up_with_an_existing_email_reveals_nothing_and_changes_nothing(client):
    """A peer credential can imply lived experience of recovery, so the sign-up form never says
    whether an address has an account. The owner gets an email explaining how to log in."""
    UserFactory(email="taken@example.test")
    response = client.post(
        reverse("account_signup"), {**SIGNUP, "email": "TAKEN@example.test"}, follow=True
    )
    assert User.objects.filter(email__iexact="taken@example.test").count() == 1
    assert "verify" in response.content.decode().lower()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["taken@example.test"]
    assert "already" in mail.outbox[0].body.lower()


def test_sign_up_form_keeps_what_was_typed_on_error(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "different"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Morgan Lee Ellis"' in page
    assert 'value="mo@example.test"' in page
    assert not User.objects.filter(email="mo@example.test").exists()


def test_log_in_and_out(client):
    user = UserFactory(email="member@example.test")
    response = client.post(
        reverse("account_login"), {"login": "Member@Example.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).context["user"] == user
    client.post(reverse("account_logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_repeated_failures_lock_the_login(client):
    UserFactory(email="target@example.test")
    for _ in range(4):
        response = client.post(
            reverse("account_login"), {"login": "target@example.test", "password": "wrong-guess"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": "Target@example.test", "password": "wrong-guess"}
    )
    assert response.status_code == 429
    assert "Logging in is paused" in response.content.decode()
    # Even the right password does not get in while the lockout lasts.
    response = client.post(
        reverse("account_login"), {"login": "target@example.test", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session


def test_session_ends_after_inactivity(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 200
    time_machine.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
    assert client.get(reverse("dashboard")).status_code == 200  # activity renews the session
    time_machine.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_profile_edit(client):
    user = UserFactory(legal_name="Old Name")
    client.force_login(user)
    response = client.post(
        reverse("profile"), {"legal_name": "New Legal Name", "preferred_name": "Nee"}, follow=True
    )
    assert "Your profile was saved." in response.content.decode()
    user.refresh_from_db()
    assert (user.legal_name, user.preferred_name) == ("New Legal Name", "Nee")


def test_profile_requires_a_legal_name_and_keeps_input(client):
    user = UserFactory(legal_name="Kept Name")
    client.force_login(user)
    response = client.post(reverse("profile"), {"legal_name": "", "preferred_name": "Typed"})
    assert 'value="Typed"' in response.content.decode()
    user.refresh_from_db()
    assert user.legal_name == "Kept Name"


def test_email_is_unique_regardless_of_case():
    UserFactory(email="same@example.test")
    with pytest.raises(Exception):  # noqa: B017 - the database refuses, whatever its error class
        User.objects.create_user(email="SAME@example.test", password="x", legal_name="Other")
