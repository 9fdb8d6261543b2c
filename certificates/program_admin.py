"""Importing credential programs in the Wagtail admin: an upload page at
``/admin/programs/import/`` that imports one or more program files, showing every problem of a
refused batch or what the import changed.

Only people with the ``certificates.import_program`` permission (registrars and superusers) may
use it, and only they see the "Import programs" menu item (``import_menu_item()``, for a menu
group to reuse). The hooks are registered when this module is imported, which
``certificates.wagtail_hooks`` does.
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.exchange_forms import ImportForm, ImportView, JsonFilesField

from .program_files import CREATED, UNCHANGED, UPDATED, import_programs

PERMISSION = "certificates.import_program"
URL_NAME = "certificates_program_import"
STATUS_LABELS = {
    CREATED: gettext_lazy("Created"),
    UPDATED: gettext_lazy("New version"),
    UNCHANGED: gettext_lazy("Unchanged"),
}


def can_import_programs(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PERMISSION))


class ProgramImportForm(ImportForm):
    files = JsonFilesField(
        wrong_type=gettext_lazy("Choose credential program files ending in .json (not %(names)s)."),
        label=gettext_lazy("Credential program files"),
        help_text=gettext_lazy(
            "One or more .json files in the credential-program/1 format, up to 5 MB each. "
            "Programs are matched by slug: a new slug creates a program, a known one gets a new "
            "version if its file changed."
        ),
    )


class ProgramImportView(ImportView):
    """Upload credential programs. Shows every problem of a refused batch, or the report."""

    form_class = ProgramImportForm
    template_name = "certificates/admin/program_import.html"
    page_title = gettext_lazy("Import programs")
    header_icon = "upload"
    action_url_name = URL_NAME
    status_labels = STATUS_LABELS
    results_attribute = "programs"

    def may_import(self, user) -> bool:
        return can_import_programs(user)

    def run_import(self, files, *, dry_run: bool, user):
        return import_programs(files, dry_run=dry_run, user=user)


@hooks.register("register_admin_urls")
def register_program_import_url():
    return [path("programs/import/", ProgramImportView.as_view(), name=URL_NAME)]


class ProgramImportMenuItem(MenuItem):
    def is_shown(self, request):
        return can_import_programs(request.user)


def import_menu_item() -> MenuItem:
    """The "Import programs" menu item, shown only to people who may import programs (in the
    Credentials menu, see ``wagtail_hooks``)."""
    return ProgramImportMenuItem(
        gettext_lazy("Import programs"),
        reverse(URL_NAME),
        name="import-programs",
        icon_name="upload",
        order=310,
    )
