"""A person's own data, as one JSON file they download from their profile: what they gave us,
what they did, and what was recorded about them (the right of access people expect of a service
that holds sensitive records).

Each app adds its part through the ``register_personal_data`` Wagtail hook: a function that
takes the person and returns a dict of named sections, each a list or dict of plain values
(read through that app's selectors, a fixed number of queries whatever the amount of data).
This module adds the account itself and puts the sections together, so ``accounts`` depends on
no app above it.

Left out on purpose: secrets (the password hash, two-step secrets), staff's internal notes, and
other people's records. Other people appear only by name where they work with the person: a
trainee's supervisor, a supervisor's trainees, whoever decided an hour entry.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.utils import timezone
from wagtail import hooks

FORMAT = "alongside-personal-data/1"


def account_section(user) -> dict:
    return {
        "account": {
            "email": user.email,
            "legal_name": user.legal_name,
            "preferred_name": user.preferred_name,
            "joined_at": user.date_joined,
            "last_login_at": user.last_login,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "two_step_methods": [
                {"type": method.type, "added_at": method.created_at}
                for method in Authenticator.objects.filter(user=user).order_by("pk")
            ],
        }
    }


def personal_data(user) -> dict:
    sections = account_section(user)
    for section in hooks.get_hooks("register_personal_data"):
        sections.update(section(user))
    return {"format": FORMAT, "exported_at": timezone.now(), **sections}
