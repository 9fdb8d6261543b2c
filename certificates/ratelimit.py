"""A per-client limit on the public verification pages, so nobody can walk the code space or
scrape credentials.

Counts live in the default cache, which production points at Redis (``CACHE_URL``): every app
server then shares one count per client. The window is a fixed minute; a client over the limit
gets a 429 with ``Retry-After`` and a page saying when to try again. The client address is the
one django-axes uses for lockouts (``axes.helpers.get_client_ip_address``), so proxies are
handled in one place.
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


def verify_rate_limited(view):
    """Limit a public verification view to ``VERIFY_RATE_LIMIT`` requests a minute per client."""

    @functools.wraps(view)
    def limited(request, *args, **kwargs):
        retry_after = hit(
            scope="verify",
            client=get_client_ip_address(request) or "unknown",
            limit=settings.VERIFY_RATE_LIMIT,
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
        else:
            response = render(
                request,
                "certificates/verify/rate_limited.html",
                {"message": message, "retry_after": retry_after},
                status=429,
            )
        response["Retry-After"] = str(retry_after)
        response["X-Robots-Tag"] = "noindex"
        return response

    return limited
