"""Filters for the page listing a person's signed-in sessions (``usersessions/``)."""

import re

from django import template
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()

# Checked in order: most browsers also name the ones they are built on ("Chrome", "Safari").
_BROWSERS = (
    ("Edg", "Microsoft Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)
_EDGE = re.compile(r"\bEdg(e|A|iOS)?/")


def _first(user_agent: str, known) -> str:
    for marker, name in known:
        if marker == "Edg":
            if _EDGE.search(user_agent):
                return name
        elif marker in user_agent:
            return name
    return ""


@register.filter
def device_name(user_agent: str) -> str:
    """A short name for the browser and device a session was started from, such as "Firefox on
    Windows", from its user agent. Anything not recognised is shown shortened as it came."""
    user_agent = (user_agent or "").strip()
    if not user_agent:
        return _("Unknown browser")
    browser = _first(user_agent, _BROWSERS)
    system = _first(user_agent, _SYSTEMS)
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or Truncator(user_agent).chars(60)


@register.filter
def not_current(sessions) -> list:
    """The sessions other than the one viewing the page."""
    return [session for session in sessions if not session.is_current()]
