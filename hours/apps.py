from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HoursConfig(AppConfig):
    name = "hours"
    verbose_name = _("Supervised hours")

    def ready(self):
        from . import triggers  # noqa: F401 - registers the SQLite maintenance function
