"""How django-axes finds the login name in an allauth login."""


def username_from_request(request, credentials) -> str:
    """Return the email address being tried, lower-cased, so ``A@x.org`` and ``a@x.org`` share a
    lockout counter. Allauth passes ``email`` to ``authenticate``; its form posts ``login``."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if not value and request is not None and request.method == "POST":
        value = request.POST.get("login", "")
    return (value or "").strip().lower()
