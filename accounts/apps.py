from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # Security events (logins, lockouts, logouts, two-step verification) go to the
        # ``alongside.security`` logger; see accounts/security.py.
        from .security import connect_receivers

        connect_receivers()


class AlongsideUsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's user admin, with forms for our User (legal and preferred name, no username)."""

    user_viewset = "accounts.viewsets.UserViewSet"
