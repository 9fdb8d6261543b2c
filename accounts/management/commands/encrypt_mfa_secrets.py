"""Encrypt every stored two-step verification secret with the current key.

    manage.py encrypt_mfa_secrets [--dry-run]

Run it once after upgrading to encryption at rest (secrets stored before are plain text), and
after every key rotation: a new first key in ``MFA_ENCRYPTION_KEY``, setting it for the first
time, or a new ``SECRET_KEY`` with the old one in ``SECRET_KEY_FALLBACKS``. Only then remove the
old key. Secrets already encrypted with the current key are left alone, so it is safe to run
again. All or nothing: it runs in one transaction, and if any secret cannot be decrypted (its key
is missing) it names the authenticators and changes nothing. accounts/mfa_adapter.py describes
the keys.
"""

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.mfa_adapter import ENCRYPTED_FIELDS, MFAAdapter, MFASecretUnreadable


class Command(BaseCommand):
    help = "Encrypt two-step verification secrets with the current key (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would change, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        adapter = get_adapter()
        if not isinstance(adapter, MFAAdapter):
            raise CommandError("MFA_ADAPTER must be accounts.mfa_adapter.MFAAdapter.")
        changed = unchanged = 0
        unreadable = []
        with transaction.atomic():
            authenticators = Authenticator.objects.select_for_update().order_by("pk")
            for authenticator in authenticators:
                data = dict(authenticator.data)
                touched = False
                for field in ENCRYPTED_FIELDS:
                    if field not in data:
                        continue
                    value = data[field]
                    values = value if isinstance(value, list) else [value]
                    try:
                        new_values = [adapter.reencrypt(item) for item in values]
                    except MFASecretUnreadable:
                        unreadable.append(authenticator)
                        break
                    if all(new is None for new in new_values):
                        unchanged += len(values)
                        continue
                    merged = [
                        old if new is None else new
                        for old, new in zip(values, new_values, strict=True)
                    ]
                    data[field] = merged if isinstance(value, list) else merged[0]
                    changed += sum(new is not None for new in new_values)
                    touched = True
                if touched and not dry_run:
                    authenticator.data = data
                    authenticator.save(update_fields=["data"])
            if unreadable:
                listed = ", ".join(
                    f"{item.pk} (user {item.user_id}, {item.type})" for item in unreadable
                )
                # Raised inside the transaction, so nothing already converted is kept.
                raise CommandError(
                    f"Nothing was changed: {len(unreadable)} authenticator(s) are encrypted with "
                    f"a key the site does not have: {listed}. Put that key back in "
                    "MFA_ENCRYPTION_KEY or SECRET_KEY_FALLBACKS and run this again."
                )
        if dry_run:
            self.stdout.write(
                f"Dry run: {changed} secret(s) would be encrypted with the current key; "
                f"{unchanged} already are. Nothing was changed."
            )
        else:
            self.stdout.write(
                f"{changed} secret(s) encrypted with the current key; {unchanged} already were."
            )
