import logging

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.security import log_security_event

from .permissions import requires_mfa

# Paths a person without MFA may still open: setting it up, logging out, and static files.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/media/")


class RequireMFAMiddleware:
    """When ``MFA_REQUIRED_FOR_PRIVILEGED`` is on, supervisors, organization admins, registrars
    and editors must set up two-step verification before they use anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_PRIVILEGED
            and request.user.is_authenticated
            and not request.path_info.startswith(ALLOWED_PREFIXES)
            and requires_mfa(request.user)
            and not is_mfa_enabled(request.user)
        ):
            log_security_event("access.mfa_required", request=request, level=logging.WARNING)
            messages.warning(
                request,
                _("Your role needs two-step verification. Please set it up to continue."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
