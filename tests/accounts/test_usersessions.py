"""People see where they are signed in and can end the other sessions (ASVS 7.5.2); changing
two-step verification ends the other sessions by itself (ASVS 7.4.3)."""

import datetime
import time

import pytest
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.usersessions.models import UserSession
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.templatetags.account_sessions import device_name
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


def signed_in_client(user, user_agent, address="127.0.0.1") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    return client


def is_signed_in(client) -> bool:
    response = client.get(reverse("dashboard"))
    if response.status_code == 302:
        assert response.url.startswith(reverse("account_login"))
        return False
    assert response.status_code == 200
    return True


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_the_sessions_page_asks_an_anonymous_visitor_to_log_in(client):
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_profile_links_to_the_sessions_page(client):
    client.force_login(UserFactory())
    page = client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("usersessions_list")}"' in page


def test_a_person_sees_their_own_sessions_and_no_one_elses():
    person = UserFactory()
    laptop = signed_in_client(person, FIREFOX_WINDOWS, "198.51.100.7")
    phone = signed_in_client(person, SAFARI_IPHONE, "203.0.113.9")
    signed_in_client(UserFactory(), EDGE_MAC, "192.0.2.44")

    response = laptop.get(reverse("usersessions_list"))
    assert response.status_code == 200
    sessions = response.context["sessions"]
    assert {session.session_key for session in sessions} == {
        laptop.session.session_key,
        phone.session.session_key,
    }
    page = response.content.decode()
    assert "Firefox on Windows" in page
    assert "Safari on iPhone" in page
    assert "198.51.100.7" in page and "203.0.113.9" in page
    # The other person's session is not shown.
    assert "Microsoft Edge" not in page and "192.0.2.44" not in page
    assert page.count("This device") == 1
    assert "Sign out other devices" in page
    assert "<script" not in page.split("</header>")[1]
    assert "style=" not in page


def test_signing_out_other_devices_ends_them_and_keeps_this_one():
    person = UserFactory()
    laptop = signed_in_client(person, FIREFOX_WINDOWS)
    phone = signed_in_client(person, SAFARI_IPHONE)
    someone_else = signed_in_client(UserFactory(), EDGE_MAC)

    response = laptop.post(reverse("usersessions_list"), follow=True)
    assert "Your other devices are signed out." in response.content.decode()

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    assert is_signed_in(someone_else)
    assert list(UserSession.objects.filter(user=person).values_list("session_key", flat=True)) == [
        laptop.session.session_key
    ]
    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "You are not signed in anywhere else." in page
    assert "Sign out other devices" not in page


def test_turning_two_step_verification_on_and_off_ends_the_other_sessions(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    person = UserFactory()
    laptop = signed_in_client(person, FIREFOX_WINDOWS)
    phone = signed_in_client(person, SAFARI_IPHONE)

    # Turning it on: the password again (which gives a new session key), then the code.
    laptop.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    secret = laptop.get(reverse("mfa_activate_totp")).context["form"].secret
    # allauth announces the new factor once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = laptop.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    # This session is still listed as this device after its key changed.
    sessions = laptop.get(reverse("usersessions_list")).context["sessions"]
    assert [session.session_key for session in sessions] == [laptop.session.session_key]

    # The phone logs in again, with a code; turning it off ends that session again.
    time_machine.shift(datetime.timedelta(seconds=60))
    phone.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    phone.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert is_signed_in(phone)
    with django_capture_on_commit_callbacks(execute=True):
        response = laptop.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()

    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


def test_new_recovery_codes_end_the_other_sessions():
    person = UserFactory()
    laptop = signed_in_client(person, FIREFOX_WINDOWS)
    phone = signed_in_client(person, SAFARI_IPHONE)
    # As allauth announces it once new codes replace the old ones.
    request = RequestFactory().post(reverse("mfa_generate_recovery_codes"))
    request.user, request.session = person, laptop.session
    mfa_signals.authenticator_reset.send(
        sender=Authenticator,
        request=request,
        user=person,
        authenticator=Authenticator(user=person, type=Authenticator.Type.RECOVERY_CODES),
    )
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (EDGE_MAC, "Microsoft Edge on macOS"),
        ("", "Unknown browser"),
        ("curl/8.5.0", "curl/8.5.0"),
        ("x" * 300, "x" * 59 + "…"),
    ],
)
def test_device_names_are_short(user_agent, expected):
    assert device_name(user_agent) == expected
