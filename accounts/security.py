"""Security events, written to the ``alongside.security`` logger, and the start of a signed-in
session (for the absolute session lifetime, enforced by ``config.security``).

Each event is one line: ``event=<name>`` followed by ``key=value`` fields, and the same fields
as a dict on the log record (``record.security``) for a structured handler. The fields are the
who, where and what of the event: the person's id (never their name or email address), the
client address, the method and the path, and what happened.

Never logged: passwords, one-time codes, verification codes, invitation and password-reset
keys, email addresses. Paths that carry a secret are shortened by ``redact_path`` (a
verification code keeps its first four characters, enough to correlate repeated attempts); a
login name that was tried is logged only as a keyed hash (``login_digest``), so repeated
attempts on one account can be linked without writing the address down. Values that are not
plain tokens are written as JSON strings, so a crafted value (a path with a line break, say)
cannot start a new line or forge another field.

Events (see docs/security.md for the inventory):

``auth.login.succeeded``  ``auth.login.failed``  ``auth.lockout``  ``auth.logout``
``auth.reauthenticated``
``auth.mfa.failed``  ``auth.mfa.added``  ``auth.mfa.removed``  ``auth.password.changed``
``auth.password.reset``  ``session.expired``  ``session.ended``  ``access.mfa_required``  ``access.denied`` (403)
``access.not_found`` (404 to a signed-in person)  ``access.rate_limited`` (429)
``data.exported`` (a person downloaded their own data)
"""

import hashlib
import hmac
import json
import logging
import re
import time

from django.conf import settings
from django.contrib.auth import get_user_model

logger = logging.getLogger("alongside.security")

SESSION_STARTED_AT = "alongside_session_started_at"
"""Session key holding when the person logged in (seconds since the epoch)."""

_PLAIN = re.compile(r"[A-Za-z0-9_.:/@+\-\[\]]{1,300}")

# A path segment that is a secret, after the given prefix. The first four characters of a
# verification code are kept; keys and tokens are removed entirely.
_SECRET_SEGMENTS = (
    (re.compile(r"^(/verify/)(?!credential/)([^/]+)"), 4),
    (re.compile(r"^(/invitations/)([^/]+)"), 0),
    (re.compile(r"^(/accounts/confirm-email/)([^/]+)"), 0),
    (re.compile(r"^(/accounts/password/reset/key/)([0-9A-Za-z]+-[^/]+)"), 0),
)


def redact_path(path: str) -> str:
    """``path`` with any secret it carries shortened to what may be logged."""
    for pattern, keep in _SECRET_SEGMENTS:
        match = pattern.match(path)
        if match:
            secret = match.group(2)
            if secret.endswith("…"):
                return path  # already shortened
            return f"{match.group(1)}{secret[:keep]}…{path[match.end() :]}"
    return path


def login_digest(login: str) -> str:
    """A keyed hash of a login name as typed (case and spaces ignored): the same name gives the
    same digest, so attempts on one account can be correlated, but the log never holds it."""
    normalized = (login or "").strip().lower().encode()
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"alongside.security.login:" + normalized, hashlib.sha256).hexdigest()[:16]


def client_address(request) -> str:
    """The client's address as the lockouts and rate limits see it (``config.security``)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or ""


def _text(value) -> str:
    text = str(value)
    return text if _PLAIN.fullmatch(text) else json.dumps(text)


def log_security_event(event: str, *, request=None, user=None, level=logging.INFO, **fields):
    """Write one security event. ``user`` defaults to the request's signed-in person."""
    data: dict = {"event": event}
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        data["user_id"] = user.pk
    if request is not None:
        where = {
            "ip": client_address(request),
            "method": request.method,
            "path": redact_path(request.path or ""),
        }
        data.update((key, value) for key, value in where.items() if value)
    data.update((key, value) for key, value in fields.items() if value is not None)
    message = " ".join(f"{key}={_text(value)}" for key, value in data.items())
    logger.log(level, message, extra={"security": data})


# Receivers, connected in ``AccountsConfig.ready``. ------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_AT] = time.time()
    from allauth.mfa.utils import is_mfa_enabled

    log_security_event(
        "auth.login.succeeded",
        request=request,
        user=user,
        factors=2 if is_mfa_enabled(user) else 1,
    )


def on_authentication_step(sender, request, user, method, **kwargs):
    """A confirmed password (or code) on the re-authentication page gets a new session key, as
    a login does: whatever key was seen before the step no longer works."""
    if not kwargs.get("reauthenticated") or request is None or not hasattr(request, "session"):
        return
    old_key = request.session.session_key
    request.session.cycle_key()
    _follow_new_session_key(request, user, old_key)
    log_security_event("auth.reauthenticated", request=request, user=user, factor=method)


def _follow_new_session_key(request, user, old_key) -> None:
    """Keep the person's list of sessions (``allauth.usersessions``) pointing at this session
    after its key changed, so it is still listed as "this device" and is never mistaken for
    another device and ended."""
    from allauth import app_settings as allauth_settings

    if not allauth_settings.USERSESSIONS_ENABLED:
        return
    from allauth.usersessions.models import UserSession

    new_key = request.session.session_key
    moved = UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
    if not moved and user is not None and user.is_authenticated:
        UserSession.objects.create_from_request(request, user=user)


def end_other_sessions(request, user) -> int:
    """End every signed-in session of ``user`` except the one making ``request`` (ASVS 7.4.3).
    Returns how many were ended. Uses allauth's list of sessions, which records each login."""
    from allauth import app_settings as allauth_settings

    if not allauth_settings.USERSESSIONS_ENABLED or user is None:
        return 0
    from allauth.usersessions.adapter import get_adapter
    from allauth.usersessions.models import UserSession

    current = getattr(getattr(request, "session", None), "session_key", None)
    others = [
        session
        for session in UserSession.objects.filter(user_id=user.pk)
        if session.session_key != current
    ]
    get_adapter().end_sessions(others)
    return len(others)


def on_login_failed(sender, credentials, request=None, **kwargs):
    credentials = credentials or {}
    login = credentials.get("email") or credentials.get("username") or ""
    if not login and request is not None and request.method == "POST":
        login = request.POST.get("login", "")
    known = get_user_model().objects.filter(email__iexact=login.strip()).first() if login else None
    log_security_event(
        "auth.login.failed",
        request=request,
        user=known,
        level=logging.WARNING,
        login=login_digest(login) if login else None,
        account="known" if known else "unknown",
    )


def on_locked_out(sender, request, username, ip_address, **kwargs):
    log_security_event(
        "auth.lockout",
        request=request,
        level=logging.WARNING,
        login=login_digest(username) if username else None,
    )


LOGGED_OUT = "alongside_logged_out"
"""Set on a request during which the person was logged out; the response then asks the browser
to clear what it kept of the session (``config.security.PersonalPagesNoStoreMiddleware``)."""


def on_logged_out(sender, request, user, **kwargs):
    if request is not None:
        setattr(request, LOGGED_OUT, True)
    log_security_event("auth.logout", request=request, user=user)


def on_mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    log_security_event(
        "auth.mfa.failed",
        request=request,
        user=user,
        level=logging.WARNING,
        factor=authenticator.type,
        reauthentication=bool(reauthentication),
    )


def on_mfa_added(sender, request, user, authenticator, **kwargs):
    end_other_sessions(request, user)
    log_security_event("auth.mfa.added", request=request, user=user, factor=authenticator.type)


def on_mfa_removed(sender, request, user, authenticator, **kwargs):
    end_other_sessions(request, user)
    log_security_event("auth.mfa.removed", request=request, user=user, factor=authenticator.type)


def on_mfa_reset(sender, request, user, authenticator, **kwargs):
    """New recovery codes replace the old ones: a changed factor, so other sessions end too."""
    end_other_sessions(request, user)


def on_password_changed(sender, request, user, **kwargs):
    log_security_event("auth.password.changed", request=request, user=user)


def on_password_reset(sender, request, user, **kwargs):
    log_security_event("auth.password.reset", request=request, user=user)


def connect_receivers() -> None:
    from allauth.account import signals as account_signals
    from allauth.mfa import signals as mfa_signals
    from axes.signals import user_locked_out
    from django.contrib.auth import signals as auth_signals

    uid = "alongside.security"
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid=f"{uid}.login")
    account_signals.authentication_step_completed.connect(
        on_authentication_step, dispatch_uid=f"{uid}.step"
    )
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid=f"{uid}.failed")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid=f"{uid}.logout")
    user_locked_out.connect(on_locked_out, dispatch_uid=f"{uid}.lockout")
    mfa_signals.authentication_failed.connect(on_mfa_failed, dispatch_uid=f"{uid}.mfa_failed")
    mfa_signals.authenticator_added.connect(on_mfa_added, dispatch_uid=f"{uid}.mfa_added")
    mfa_signals.authenticator_removed.connect(on_mfa_removed, dispatch_uid=f"{uid}.mfa_removed")
    mfa_signals.authenticator_reset.connect(on_mfa_reset, dispatch_uid=f"{uid}.mfa_reset")
    account_signals.password_changed.connect(on_password_changed, dispatch_uid=f"{uid}.changed")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid=f"{uid}.reset")
