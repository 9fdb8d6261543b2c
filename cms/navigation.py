"""The site's navigation: the union of what each of a person's roles needs.

Items of the site shell are listed here; apps built on top of it (courses, hours, credentials)
add theirs through the ``register_site_navigation`` Wagtail hook, so an item appears only once
the page it links to exists.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from organizations.roles import EDITOR, ORG_ADMIN, REGISTRAR, person_roles

EVERYONE_SIGNED_IN = None


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    """A URL name, or a path starting with "/" for pages of the page tree."""
    order: int
    roles: frozenset[str] | None = EVERYONE_SIGNED_IN
    """Shown to anyone holding one of these roles; ``None`` means every signed-in person."""
    public: bool = False
    """Also shown to visitors who are not signed in."""

    def visible_to(self, roles: frozenset[str]) -> bool:
        return self.roles is EVERYONE_SIGNED_IN or bool(self.roles & roles)

    @property
    def url(self) -> str:
        return self.url_name if self.url_name.startswith("/") else reverse(self.url_name)


SHELL_ITEMS = [
    NavItem(_("Dashboard"), "dashboard", order=10),
    NavItem(_("Organization"), "organization_index", order=60, roles=frozenset({ORG_ADMIN})),
    NavItem(_("Admin"), "wagtailadmin_home", order=90, roles=frozenset({REGISTRAR, EDITOR})),
]


def all_items() -> list[NavItem]:
    items = list(SHELL_ITEMS)
    for hook in hooks.get_hooks("register_site_navigation"):
        items.extend(hook())
    return sorted(items, key=lambda item: item.order)


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return [{"label": item.label, "url": item.url} for item in all_items() if item.public]
    roles = person_roles(user)
    return [
        {"label": item.label, "url": item.url} for item in all_items() if item.visible_to(roles)
    ]
