"""Registrars' commands: removing a lost two-step verification after an identity check, and
signing one person or everyone out of every device."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory


def signed_in(user) -> Client:
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return client


def is_signed_in(client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_removing_two_step_needs_the_identity_check_and_ends_every_session(db, caplog):
    person, other = UserFactory(), UserFactory()
    phone, laptop, theirs = signed_in(person), signed_in(person), signed_in(other)
    TOTP.activate(person, generate_totp_secret())
    with pytest.raises(CommandError, match="who checked"):
        run("remove_two_step", person.email, "--checked-by", " ", "--how", "passport")
    assert Authenticator.objects.filter(user=person).exists()  # nothing changed

    out = run(
        "remove_two_step",
        person.email.upper(),
        "--checked-by",
        "Robin Diaz",
        "--how",
        "video call, driving licence",
    )

    assert "Removed two-step verification" in out and "ended 2 sessions" in out
    assert not Authenticator.objects.filter(user=person).exists()
    assert not is_signed_in(phone) and not is_signed_in(laptop)
    assert is_signed_in(theirs)
    assert "event=auth.mfa.removed" in caplog.text and "Robin Diaz" in caplog.text
    with pytest.raises(CommandError, match="no two-step verification"):
        run("remove_two_step", person.email, "--checked-by", "Robin", "--how", "in person")


def test_an_unknown_address_is_said_plainly(db):
    with pytest.raises(CommandError, match="Nobody has the email address"):
        run("remove_two_step", "nobody@example.org", "--checked-by", "R", "--how", "in person")
    with pytest.raises(CommandError, match="Nobody has the email address"):
        run("end_sessions", "--email", "nobody@example.org")


def test_ending_one_persons_sessions_leaves_everyone_else_signed_in(db, caplog):
    person, other = UserFactory(), UserFactory()
    first, second, theirs = signed_in(person), signed_in(person), signed_in(other)
    assert "Ended 2 sessions" in run("end_sessions", "--email", person.email)
    assert f"event=session.ended user_id={person.pk}" in caplog.text
    assert not is_signed_in(first) and not is_signed_in(second)
    assert is_signed_in(theirs)


def test_ending_everyones_sessions(db):
    clients = [signed_in(UserFactory()) for _ in range(3)]
    assert "Ended every session: 3." in run("end_sessions", "--everyone")
    assert not any(is_signed_in(client) for client in clients)
    assert not Session.objects.exists() and not UserSession.objects.exists()
