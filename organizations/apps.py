from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organizations")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import permissions  # noqa: F401 - registers the rules permissions
        from .staff_groups import ensure_staff_groups

        post_migrate.connect(
            ensure_staff_groups, sender=self, dispatch_uid="alongside_staff_groups"
        )
