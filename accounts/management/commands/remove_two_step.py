"""Remove a person's two-step verification after the identity check in docs/security.md
("Lost two-step verification"): for someone who has lost both their authenticator and their
recovery codes. Run from the server by a registrar, so that nobody can do it from a browser
session that may itself be taken over."""

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.security import end_other_sessions, log_security_event


class Command(BaseCommand):
    help = _(
        "Remove a person's two-step verification after checking who they are, and sign them "
        "out everywhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help=_("The person's email address."))
        parser.add_argument(
            "--checked-by", required=True, help=_("Who checked the person's identity.")
        )
        parser.add_argument(
            "--how", required=True, help=_("How: in person or on video, and which document.")
        )

    def handle(self, *args, email, checked_by, how, **options):
        checked_by, how = checked_by.strip(), how.strip()
        if not checked_by or not how:
            raise CommandError(_("Say who checked the person's identity, and how."))
        person = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if person is None:
            raise CommandError(_("Nobody has the email address %(email)s.") % {"email": email})
        with transaction.atomic():
            removed, _counts = Authenticator.objects.filter(user=person).delete()
            if not removed:
                raise CommandError(_("This person has no two-step verification to remove."))
            ended = end_other_sessions(None, person)
        log_security_event(
            "auth.mfa.removed",
            user=person,
            factor="all",
            by="remove_two_step",
            checked_by=checked_by[:200],
            how=how[:200],
        )
        self.stdout.write(
            _(
                "Removed two-step verification for %(email)s and ended %(sessions)d sessions. "
                "They can now log in with their password and should set it up again at once."
            )
            % {"email": person.email, "sessions": ended}
        )
