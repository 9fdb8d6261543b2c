from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site")

    def ready(self):
        # The footer cache's receivers must listen in every process, including those that
        # never render a page (a shell, a worker) but may save the settings.
        from . import context_processors  # noqa: F401
