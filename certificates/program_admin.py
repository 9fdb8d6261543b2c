"""Importing credential programs in the Wagtail admin: an upload page at
``/admin/programs/import/`` that imports one or more program files, showing every problem of a
refused batch or what the import changed.

Only people with the ``certificates.import_program`` permission (registrars and superusers) may
use it, and only they see the "Import programs" menu item (``import_menu_item()``, for a menu
group to reuse). The hooks are registered when this module is imported, which
``certificates.wagtail_hooks`` does.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.exchange import MAX_BYTES, PackageError
from cms.exchange_forms import JsonFilesField

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


class ProgramImportForm(forms.Form):
    files = JsonFilesField(
        wrong_type=gettext_lazy("Choose credential program files ending in .json (not %(names)s)."),
        label=gettext_lazy("Credential program files"),
        help_text=gettext_lazy(
            "One or more .json files in the credential-program/1 format, up to 5 MB each. "
            "Programs are matched by slug: a new slug creates a program, a known one gets a new "
            "version if its file changed."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only"),
        help_text=gettext_lazy("Show what the import would change, and save nothing."),
        required=False,
    )


class ProgramImportView(WagtailAdminTemplateMixin, FormView):
    """Upload credential programs. Shows every problem of a refused batch, or the report."""

    form_class = ProgramImportForm
    template_name = "certificates/admin/program_import.html"
    page_title = gettext_lazy("Import programs")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not can_import_programs(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def form_valid(self, form):
        # Read one byte past the limit: enough for the importer to refuse a larger file.
        files = [(item.name, item.read(MAX_BYTES + 1)) for item in form.cleaned_data["files"]]
        context = {"form": form}
        try:
            context["report"] = import_programs(
                files, dry_run=form.cleaned_data["dry_run"], user=self.request.user
            )
        except PackageError as error:
            context["problems"] = error.problems
        return self.render_to_response(self.get_context_data(**context))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = context.get("report")
        if report is not None:
            context["rows"] = [
                (STATUS_LABELS[program.status], program) for program in report.programs
            ]
        context.update(
            action_url=reverse(URL_NAME),
            submit_button_label=_("Import"),
            submit_button_active_label=_("Importing…"),
        )
        return context


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
