"""The personal dashboard is a list of panels, one per thing a person's roles let them do.

The site shell provides the panels below. Apps built on top add theirs through the
``register_dashboard_panels`` Wagtail hook: a function taking the request and returning a
``Panel`` or ``None`` (nothing to show for this person).
"""

from dataclasses import dataclass, field

from allauth.mfa.utils import is_mfa_enabled
from wagtail import hooks

from organizations import selectors
from organizations.roles import EDITOR, ORG_ADMIN, REGISTRAR, SUPERVISOR, TRAINEE, person_roles


@dataclass
class Panel:
    template: str
    order: int
    context: dict = field(default_factory=dict)


def organizations_panel(request):
    if ORG_ADMIN not in person_roles(request.user):
        return None
    organizations = list(selectors.organizations_administered_by(request.user))
    return Panel("cms/panels/organizations.html", 60, {"organizations": organizations})


def supervision_panel(request):
    roles = person_roles(request.user)
    context = {}
    if TRAINEE in roles:
        context["my_supervisors"] = list(selectors.current_supervisors_of(request.user))
    if SUPERVISOR in roles:
        context["my_supervisees"] = list(
            selectors.current_supervisees_of(request.user).order_by("legal_name")
        )
    if not context:
        return None
    context["memberships"] = list(selectors.memberships_of(request.user))
    return Panel("cms/panels/supervision.html", 50, context)


def staff_panel(request):
    roles = person_roles(request.user)
    if not roles & {REGISTRAR, EDITOR}:
        return None
    return Panel(
        "cms/panels/staff.html",
        80,
        {"is_registrar": REGISTRAR in roles, "is_editor": EDITOR in roles},
    )


def security_panel(request):
    return Panel("cms/panels/security.html", 90, {"mfa_enabled": is_mfa_enabled(request.user)})


SHELL_PANELS = [supervision_panel, organizations_panel, staff_panel, security_panel]


def panels_for(request) -> list[Panel]:
    builders = list(SHELL_PANELS)
    for hook in hooks.get_hooks("register_dashboard_panels"):
        builders.append(hook)
    panels = [panel for build in builders if (panel := build(request)) is not None]
    return sorted(panels, key=lambda panel: panel.order)
