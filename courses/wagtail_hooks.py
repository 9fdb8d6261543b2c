"""How courses plug into the site shell and the admin: the Courses navigation item, the
dashboard panels, the demo content, the competency domains viewset and the audit log actions."""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from cms.dashboard import Panel
from cms.navigation import NavItem
from organizations.roles import TRAINEE, person_roles

from . import (
    package_admin,  # noqa: F401 - registers the course package admin views
    selectors,
)
from .domains import ensure_icrc_domains
from .models import CourseIndexPage, Domain

CATALOG_PATH = "/courses/"
SHIPPED_COURSES = Path(settings.BASE_DIR) / "content" / "courses"


@hooks.register("register_site_navigation")
def courses_navigation():
    return [NavItem(_("Courses"), CATALOG_PATH, order=20, roles=frozenset({TRAINEE}), public=True)]


def my_courses_panel(request):
    if TRAINEE not in person_roles(request.user):
        return None
    catalog = CourseIndexPage.objects.live().first()
    return Panel(
        "courses/panels/my_courses.html",
        10,
        {
            "courses": selectors.courses_of(request.user),
            "catalog_url": catalog.url if catalog else "",
        },
    )


def training_hours_panel(request):
    if TRAINEE not in person_roles(request.user):
        return None
    return Panel(
        "courses/panels/training_hours.html",
        20,
        {"hours": selectors.training_hours_by_domain(request.user)},
    )


@hooks.register("register_dashboard_panels")
def courses_dashboard_panel(request):
    return my_courses_panel(request)


@hooks.register("register_dashboard_panels")
def hours_dashboard_panel(request):
    return training_hours_panel(request)


def seed_courses(report) -> None:
    from .packages import import_packages

    if ensure_icrc_domains():
        report("created the IC&RC competency domains")
    files = sorted(SHIPPED_COURSES.glob("*.json"))
    result = import_packages([(path.name, path.read_bytes()) for path in files])
    for line in result.changes():
        report(line)


@hooks.register("register_demo_seed_steps")
def courses_seed_step():
    return [(20, seed_courses)]


class DomainViewSet(ModelViewSet):
    model = Domain
    url_prefix = "learning/domains"
    icon = "tag"
    menu_label = _("Competency domains")
    add_to_admin_menu = True
    menu_order = 250
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    form_fields = ["code", "name"]


@hooks.register("register_admin_viewset")
def register_domains():
    return DomainViewSet()


@hooks.register("register_log_actions")
def register_course_log_actions(actions):
    actions.register_action("alongside.course.enroll", _("Enroll"), _("Enrolled in a course"))
    actions.register_action(
        "alongside.course.complete", _("Complete course"), _("Course completed")
    )


@hooks.register("register_personal_data")
def personal_data_sections(user):
    """This app's part of a person's download of their own data (``accounts.personal_data``)."""
    from .selectors import personal_data

    return personal_data(user)
