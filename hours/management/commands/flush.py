"""Django's ``flush``, with the sign-off maintenance switch on.

Sign-off rows are protected by triggers that refuse DELETE; emptying the whole database (as
``manage.py flush`` and the test suite's teardown do) is the one deliberate exception.
"""

from django.core.management.commands.flush import Command as DjangoFlush

from hours.triggers import maintenance


class Command(DjangoFlush):
    def handle(self, **options):
        with maintenance():
            return super().handle(**options)
