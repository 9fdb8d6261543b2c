"""Course packages in the Wagtail admin: an upload page that imports one or more package files
(showing every problem, or what changed), and a download of any course as a package, linked
from the page listing and the course's page header.

Importing publishes pages, so the upload needs permission to add and publish pages in the
course catalog; downloading a course needs permission to edit it. Hooks are registered when
this module is imported (from ``courses.wagtail_hooks``).
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import widgets as wagtailadmin_widgets
from wagtail.admin.menu import MenuItem
from wagtail.models import Page, Site
from wagtail.permission_policies.pages import PagePermissionPolicy

from cms.exchange_forms import ImportForm, ImportView, JsonFilesField

from .models import CourseIndexPage, CoursePage
from .packages import (
    CREATED,
    UNCHANGED,
    UPDATED,
    dump_package,
    import_packages,
)
from .packages import export_course as course_package

STATUS_LABELS = {
    CREATED: gettext_lazy("Created"),
    UPDATED: gettext_lazy("Updated"),
    UNCHANGED: gettext_lazy("Unchanged"),
}


def _catalog_or_its_parent() -> Page | None:
    """Where an import writes: the course catalog, or (before there is one) the home page."""
    catalog = CourseIndexPage.objects.first()
    if catalog is not None:
        return catalog
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page if site else Page.get_first_root_node()


def can_import_packages(user) -> bool:
    """Whether ``user`` may add and publish pages where an import writes them."""
    target = _catalog_or_its_parent()
    if target is None or not getattr(user, "is_authenticated", False):
        return False
    allowed = PagePermissionPolicy().user_has_permission_for_instance
    return allowed(user, "add", target) and allowed(user, "publish", target)


def can_export_course(user, course: Page) -> bool:
    """Whether ``user`` may download ``course``: the same people who may edit it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return PagePermissionPolicy().user_has_permission_for_instance(user, "change", course)


class PackageUploadForm(ImportForm):
    files = JsonFilesField(
        wrong_type=gettext_lazy("Choose course package files ending in .json (not %(names)s)."),
        label=gettext_lazy("Course package files"),
        help_text=gettext_lazy(
            "One or more .json files in the course-package/1 format, up to 5 MB each. Courses "
            "are matched by slug: a new slug creates a course, a known one updates it."
        ),
    )


class PackageUploadView(ImportView):
    """Upload course packages. Shows every problem of a refused batch, or the import report."""

    form_class = PackageUploadForm
    template_name = "courses/admin/package_upload.html"
    page_title = gettext_lazy("Course packages")
    header_icon = "download"
    action_url_name = "course_packages:upload"
    status_labels = STATUS_LABELS
    results_attribute = "courses"

    def may_import(self, user) -> bool:
        return can_import_packages(user)

    def run_import(self, files, *, dry_run: bool, user):
        return import_packages(files, dry_run=dry_run, user=user)


def export_view(request, page_id: int):
    """The course as a package file, downloaded as ``<slug>.json``."""
    course = get_object_or_404(CoursePage, pk=page_id)
    if not can_export_course(request.user, course):
        raise PermissionDenied
    response = HttpResponse(
        dump_package(course_package(course)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{course.slug}.json"'
    return response


urlpatterns = [
    path("", PackageUploadView.as_view(), name="upload"),
    path("export/<int:page_id>/", export_view, name="export"),
]


@hooks.register("register_admin_urls")
def register_package_urls():
    return [path("course-packages/", include((urlpatterns, "course_packages")))]


class PackagesMenuItem(MenuItem):
    def is_shown(self, request):
        return can_import_packages(request.user)


@hooks.register("register_admin_menu_item")
def register_packages_menu_item():
    return PackagesMenuItem(
        gettext_lazy("Course packages"),
        reverse("course_packages:upload"),
        name="course-packages",
        icon_name="download",
        order=260,
    )


def _download_button(page, user, priority: int):
    if issubclass(page.specific_class or Page, CoursePage) and can_export_course(user, page):
        yield wagtailadmin_widgets.Button(
            _("Download course package"),
            reverse("course_packages:export", args=[page.pk]),
            icon_name="download",
            attrs={"download": ""},
            priority=priority,
        )


@hooks.register("register_page_listing_more_buttons")
def page_listing_download_button(page, user, next_url=None):
    yield from _download_button(page, user, priority=90)


@hooks.register("register_page_header_buttons")
def page_header_download_button(page, user, view_name=None, next_url=None):
    yield from _download_button(page, user, priority=90)
