"""Fixed-window request limits, counted in the shared cache.

- ``verify_rate_limited``: the public verification pages, per client address, so nobody can walk
  the code space or scrape credentials (``VERIFY_RATE_LIMIT`` a minute).
- ``export_rate_limited``: documents made on request for a signed-in person (the hours record
  PDF, the program packet PDF, the registrars' certificate ZIP, a lost certificate PDF made
  again), per person, so a script cannot keep the servers busy rendering
  (``EXPORT_RATE_LIMIT`` a minute).

Counts live in the default cache, which production points at Redis (``CACHE_URL``): every app
server then shares one count per client. The window is a fixed minute; a client over the limit
gets a 429 with ``Retry-After`` and a page saying when to try again (``SecurityLogMiddleware``
logs it as ``access.rate_limited``). The client address is the one django-axes uses for
lockouts (``axes.helpers.get_client_ip_address``), so proxies are handled in one place.
"""

import functools
import hashlib
import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

WINDOW_SECONDS = 60


def _key(scope: str, client: str, window: int) -> str:
    digest = hashlib.sha256(client.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{window}:{digest}"


def hit(*, scope: str, client: str, limit: int, now: float | None = None) -> int | None:
    """Count one request. Returns None when allowed, or the seconds until the window ends."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = _key(scope, client, window)
    # add() is atomic: only the first request of the window creates the counter.
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:
            # The counter expired between add() and incr(): this request starts a new count.
            cache.set(key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
    if count <= limit:
        return None
    return max(1, int((window + 1) * WINDOW_SECONDS - now))


def _client_address(request) -> str:
    return get_client_ip_address(request) or "unknown"


def _refusal(request, template: str, message: str, retry_after: int):
    """The 429 page in the site's style, with ``Retry-After``."""
    response = render(
        request, template, {"message": message, "retry_after": retry_after}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response


def verify_rate_limited(view):
    """Limit a public verification view to ``VERIFY_RATE_LIMIT`` requests a minute per client."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        retry_after = hit(
            scope="verify", client=_client_address(request), limit=settings.VERIFY_RATE_LIMIT
        )
        if retry_after is None:
            return view(request, *args, **kwargs)
        message = _(
            "You have checked many credentials in a short time. Please wait a minute and try again."
        )
        if request.path.endswith(".json"):
            response = JsonResponse(
                {"error": "rate_limited", "message": message, "retry_after": retry_after},
                status=429,
            )
            response["Retry-After"] = str(retry_after)
        else:
            response = _refusal(
                request, "certificates/verify/rate_limited.html", message, retry_after
            )
        response["X-Robots-Tag"] = "noindex"
        return response

    return limited


class _ExportRefused(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


_EXPORT_SCOPE = "_export_rate_limit_scope"


def export_rate_limited(scope: str):
    """Limit a view that makes a document on request to ``EXPORT_RATE_LIMIT`` a minute per
    signed-in person (per client address for anyone else), counted separately per ``scope``.

    The view counts the request itself, by calling ``count_export(request)`` once it has
    checked that the person may have the document and before the work starts. So whoever may
    not have it still gets the view's own 302, 403 or 404, never a 429, and a refused request
    uses none of the person's allowance. Over the limit, ``count_export`` ends the view and the
    person gets a 429 page with ``Retry-After``."""

    def decorator(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            setattr(request, _EXPORT_SCOPE, scope)
            try:
                return view(request, *args, **kwargs)
            except _ExportRefused as refused:
                message = _(
                    "You have downloaded several documents in a short time. "
                    "Please wait a minute and try again."
                )
                return _refusal(request, "rate_limited.html", message, refused.retry_after)

        return limited

    return decorator


def count_export(request) -> None:
    """Count one export for the view's ``export_rate_limited`` scope; over the limit, end the
    view with a 429. Call it after the permission check, right before the heavy work."""
    scope = getattr(request, _EXPORT_SCOPE, None)
    if scope is None:
        raise RuntimeError("count_export() needs the view to be decorated with export_rate_limited")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        client = f"user:{user.pk}"
    else:
        client = f"ip:{_client_address(request)}"
    retry_after = hit(scope=f"export:{scope}", client=client, limit=settings.EXPORT_RATE_LIMIT)
    if retry_after is not None:
        raise _ExportRefused(retry_after)
