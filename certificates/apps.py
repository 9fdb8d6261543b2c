from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Credentials")

    def ready(self):
        from . import (
            permissions,  # noqa: F401 - registers the rules permissions
            receivers,  # noqa: F401 - listens for events that can meet a requirement
            verification,  # noqa: F401 - forgets cached verification pages on a change
        )
