"""Delete ended sessions and what is kept about them: a daily job.

Django keeps an expired session's row until ``clearsessions`` deletes it, and the list of a
person's signed-in devices (``allauth.usersessions``) keeps each session's IP address and
browser until the person next opens that list. Neither should outlive the session: this
deletes expired sessions, then every device record whose session is gone.
"""

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("Delete expired sessions and the device records of sessions that have ended.")

    def handle(self, *args, **options):
        expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
        call_command("clearsessions")
        with transaction.atomic():
            ended, _counts = UserSession.objects.exclude(
                session_key__in=Session.objects.values("session_key")
            ).delete()
        self.stdout.write(
            _("Expired sessions deleted: %(sessions)d. Device records deleted: %(devices)d.")
            % {"sessions": expired, "devices": ended}
        )
