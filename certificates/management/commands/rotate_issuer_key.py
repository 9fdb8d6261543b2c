"""Make a new signing key for digital credentials and retire the current one.

    manage.py rotate_issuer_key [--dry-run]

The new key signs every credential and status list from now on. The old key becomes a previous
key: its private half is removed from the keys file, its public half stays in the file and in
the DID document (``/.well-known/did.json``), so every credential it signed still verifies.
Resolvers may keep the DID document for five minutes, so a credential signed in the first
minutes after a rotation may fail a check that uses an older copy; it passes once their copy
is refreshed.

Refused when the keys come from the ``ISSUER_KEYS`` environment variable: the site cannot
change them, so rotate them where that variable is set (make a new key, move the old one to
``previous`` with only its public key, and restart). Touches no database table, so there is
no transaction to run it in; ``--dry-run`` shows what would change and writes nothing. Back up
the keys file after a rotation.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.openbadges import did, keys


class Command(BaseCommand):
    help = "Make a new signing key for digital credentials; the old one keeps verifying."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would change, and change nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            rotation = keys.rotate(now=timezone.now(), dry_run=dry_run)
        except keys.KeysFromEnvironmentError as error:
            raise CommandError(
                _(
                    "The issuer keys come from the ISSUER_KEYS environment variable, so this "
                    "command cannot change them. Rotate them where ISSUER_KEYS is set: add a "
                    "new current key, keep the old one under previous with only its public "
                    "key, then restart the site."
                )
            ) from error
        self.stdout.write(
            _("New signing key: %(new)s. Retired key, still published: %(old)s.")
            % {
                "new": did.verification_method(rotation.current.id),
                "old": did.verification_method(rotation.retired.id),
            }
        )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was changed."))
        else:
            self.stdout.write(
                _("Keys saved in %(path)s. Back this file up now.") % {"path": rotation.path}
            )
