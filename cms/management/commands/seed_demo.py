"""Load the demo data: the organization, an account for every role, the home page and (as the
apps that provide them land) the shipped courses and programs.

Idempotent: it creates what is missing and changes nothing that exists. Refuses to run with
DEBUG off unless given ``--force``, because the demo accounts share a published password.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cms.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_steps


class DryRun(Exception):
    """Raised to roll the transaction back after a dry run."""


class Command(BaseCommand):
    help = "Create the demo organization, accounts and content (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (the demo accounts have a public password).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would be created, then roll back."
        )

    def handle(self, *args, force=False, dry_run=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production site. The demo accounts share a "
                "published password; run with --force only if you really want them here."
            )
        changes = []

        def report(message):
            changes.append(message)
            if options.get("verbosity", 1) > 1:
                self.stdout.write(f"  {message}")

        try:
            with transaction.atomic():
                for step in seed_steps():
                    step(report)
                if dry_run:
                    raise DryRun
        except DryRun:
            self.stdout.write(
                f"Dry run: {len(changes)} change(s) would be made; nothing was saved."
            )
            for message in changes:
                self.stdout.write(f"  {message}")
            return
        if options.get("verbosity", 1) == 0:
            return
        if changes:
            self.stdout.write(self.style.SUCCESS(f"Demo data ready ({len(changes)} change(s))."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for email, name, role in DEMO_LOGINS:
            self.stdout.write(f"  {email:<26} {name:<15} {role}")
