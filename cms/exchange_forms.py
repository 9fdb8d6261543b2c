"""What the admin import pages share (course packages, credential programs): the upload field,
the form and the view."""

from django import forms
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .exchange import MAX_BYTES, PackageError

MAX_FILES = 50


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class JsonFilesField(forms.FileField):
    """One or more uploaded ``.json`` files. ``wrong_type`` is the translated message for other
    files, with ``%(names)s``."""

    widget = MultipleFileInput(attrs={"accept": ".json,application/json"})

    def __init__(self, *args, wrong_type: str, **kwargs):
        self.wrong_type = wrong_type
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(JsonFilesField, self).clean(item, initial) for item in files]
        if len(cleaned) > MAX_FILES:
            raise forms.ValidationError(
                _("Upload at most %(count)s files at a time.") % {"count": MAX_FILES}
            )
        wrong = [item.name for item in cleaned if not item.name.lower().endswith(".json")]
        if wrong:
            raise forms.ValidationError(str(self.wrong_type) % {"names": ", ".join(wrong)})
        return cleaned


class ImportForm(forms.Form):
    """Files plus "Check only". Subclasses set ``files`` with their own labels."""

    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only"),
        help_text=gettext_lazy("Show what the import would change, and save nothing."),
        required=False,
    )


class ImportView(WagtailAdminTemplateMixin, FormView):
    """An admin page that uploads exchange files and shows every problem of a refused batch,
    or the import report. Subclasses set ``form_class``, ``template_name``, ``page_title``,
    ``action_url_name``, ``status_labels``, ``results_attribute`` (the report's list of rows,
    each with a ``status``), ``may_import(user)`` and ``run_import(files, dry_run, user)``."""

    action_url_name = ""
    status_labels: dict = {}
    results_attribute = ""

    def may_import(self, user) -> bool:
        return False

    def run_import(self, files, *, dry_run: bool, user):
        raise ImproperlyConfigured(f"{type(self).__name__} must define run_import()")

    def dispatch(self, request, *args, **kwargs):
        if not self.may_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def form_valid(self, form):
        # Read one byte past the limit: enough for the importer to refuse a larger file.
        files = [(item.name, item.read(MAX_BYTES + 1)) for item in form.cleaned_data["files"]]
        context = {"form": form}
        try:
            context["report"] = self.run_import(
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
                (self.status_labels[row.status], row)
                for row in getattr(report, self.results_attribute)
            ]
        context.update(
            action_url=reverse(self.action_url_name),
            submit_button_label=_("Import"),
            submit_button_active_label=_("Importing…"),
        )
        return context
