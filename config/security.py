"""Site-wide security middleware and the client address the site trusts.

- ``SessionLifetimeMiddleware``: a session ends ``SESSION_ABSOLUTE_TIMEOUT`` seconds after the
  login, however active it was (the idle timeout is the session cookie's age, see settings).
- ``SecurityLogMiddleware``: refused requests (403, 404 to a signed-in person, 429) are
  security events (``accounts.security``).
- ``PersonalPagesNoStoreMiddleware``: every response to a signed-in person is ``no-store``
  unless the view chose its own cache policy. Public pages and static files keep theirs.
- ``client_ip``: the client address for lockouts, rate limits, signatures and logs, read from
  ``X-Forwarded-For`` only as far as ``TRUSTED_PROXY_COUNT`` proxies vouch for it.

docs/security.md says which ASVS requirement each one meets.
"""

import ipaddress
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers
from django.utils.translation import ngettext

from accounts.security import LOGGED_OUT, SESSION_STARTED_AT, log_security_event

SESSION_REFRESHED_AT = "alongside_session_refreshed_at"


def client_ip(request) -> str:
    """The address of the client, as django-axes (``AXES_CLIENT_IP_CALLABLE``) and everything
    that asks axes for it see it.

    With ``TRUSTED_PROXY_COUNT`` = 0 (the default, for a site reached directly) this is
    ``REMOTE_ADDR``. Behind n reverse proxies that each append the address they saw to
    ``X-Forwarded-For`` (nginx: ``proxy_set_header X-Forwarded-For
    $proxy_add_x_forwarded_for``), it is the n-th address from the right: the one the outermost
    proxy saw. Anything a client writes into the header itself sits further left and is
    ignored, so nobody can pick the address their lockout or rate limit is counted against."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [part.strip() for part in header.split(",") if part.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class SessionLifetimeMiddleware:
    """Log a person out once their session is older than ``SESSION_ABSOLUTE_TIMEOUT`` seconds
    (counted from the login, recorded by ``accounts.security.on_logged_in``), however active
    it has been. The request then goes on as anonymous, so a page that needs a login asks for
    one, with a message saying why.

    While the session lives, activity renews it (the idle timeout is the cookie's and the stored
    session's age), but at most once every ``SESSION_REFRESH_SECONDS``: between renewals a
    request reads the session and writes nothing. A person idle for ``SESSION_IDLE_TIMEOUT``
    seconds is therefore logged out up to that many seconds early, never late."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            started = request.session.get(SESSION_STARTED_AT)
            now = time.time()
            if not isinstance(started, int | float) or started > now:
                # A session from before this rule (or with a clock gone wrong) starts now.
                request.session[SESSION_STARTED_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                log_security_event(
                    "session.expired", request=request, user=user, reason="absolute_timeout"
                )
                logout(request)
                hours = max(1, round(settings.SESSION_ABSOLUTE_TIMEOUT / 3600))
                messages.info(
                    request,
                    ngettext(
                        "For your safety, you are logged out %(hours)s hour after logging in. "
                        "Please log in again.",
                        "For your safety, you are logged out %(hours)s hours after logging in. "
                        "Please log in again.",
                        hours,
                    )
                    % {"hours": hours},
                )
            else:
                refreshed = request.session.get(SESSION_REFRESHED_AT)
                if (
                    not isinstance(refreshed, int | float)
                    or refreshed > now
                    or now - refreshed >= settings.SESSION_REFRESH_SECONDS
                ):
                    # Changing the session marks it for saving, with a new expiry.
                    request.session[SESSION_REFRESHED_AT] = now
        return self.get_response(request)


class SecurityLogMiddleware:
    """Refused requests as security events: every 403 (permission checks, CSRF failures), every
    404 answered to a signed-in person (someone else's object is a 404 here, by design), and
    every 429 (lockouts, rate limits). Anonymous 404s are scanners' noise and are not logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status == 403:
            event = "access.denied"
        elif status == 429:
            event = "access.rate_limited"
        elif status == 404 and request.user.is_authenticated:
            event = "access.not_found"
        else:
            return response
        log_security_event(event, request=request, level=logging.WARNING, status=status)
        return response


class PersonalPagesNoStoreMiddleware:
    """``Cache-Control: no-store`` (with ``private``, ``no-cache``, ``max-age=0``) on every
    response to a signed-in person whose view set no cache policy of its own: what a person
    sees while logged in (their hours, credentials, answers, organization) must not stay in the
    browser's cache or any shared cache after they leave. Anonymous responses and static files
    (served before this middleware) keep their own caching.

    The response that logs someone out (the logout page, or the end of a session's lifetime)
    also carries ``Clear-Site-Data: "cache", "storage"``, so pages kept from before are
    dropped too. Cookies are left to the logout itself, which keeps the new anonymous session
    that carries the "you have logged out" message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, LOGGED_OUT, False):
            response["Clear-Site-Data"] = '"cache", "storage"'
            add_never_cache_headers(response)
        elif request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
