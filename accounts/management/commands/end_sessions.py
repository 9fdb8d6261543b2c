"""Sign one person, or everyone, out of every device (ASVS 7.4.5): after a suspected
compromise, or when a staff member leaves in a hurry."""

from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.security import end_other_sessions, log_security_event


class Command(BaseCommand):
    help = _("Sign one person, or everyone, out of every device.")

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--email", help=_("The person's email address."))
        target.add_argument("--everyone", action="store_true", help=_("Everyone who is signed in."))

    def handle(self, *args, email=None, everyone=False, **options):
        if everyone:
            with transaction.atomic():
                ended, _counts = Session.objects.all().delete()
                UserSession.objects.all().delete()
            log_security_event("session.ended", by="end_sessions", scope="everyone")
            self.stdout.write(_("Ended every session: %(count)d.") % {"count": ended})
            return
        person = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if person is None:
            raise CommandError(_("Nobody has the email address %(email)s.") % {"email": email})
        ended = end_other_sessions(None, person)
        log_security_event("session.ended", user=person, by="end_sessions", count=ended)
        self.stdout.write(
            _("Ended %(count)d sessions of %(email)s.") % {"count": ended, "email": person.email}
        )
