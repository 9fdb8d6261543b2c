"""Forms of the organization credential check: the upload, and the results posted back for the
CSV download. Both read their input through ``organization_checks`` within the same bounds."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import organization_checks as checks


class CheckUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of codes"),
        allow_empty_file=True,
        error_messages={"required": _("Choose a CSV file to check.")},
        help_text=_(
            "The first row names the columns: “code”, and “name” if you want names compared. "
            "One code on each row below. At most 1 MB and 5,000 rows."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> list[checks.Row]:
        """The rows of the file; the file itself is read once and kept nowhere."""
        upload = self.cleaned_data["file"]
        upload.seek(0)
        try:
            return checks.read_rows(upload.file, size=upload.size)
        except checks.CheckFileProblem as problem:
            raise ValidationError(problem.message, code=problem.code) from problem


ROWS_TEXT_MAX_CHARS = 6 * checks.MAX_FILE_BYTES + 32 * checks.MAX_ROWS
"""The longest text ``rows_to_text`` can write for an accepted file: every character of it
escaped as ``\\uXXXX`` (6 characters), plus each row's brackets, commas and line number."""


class CheckDownloadForm(forms.Form):
    rows = forms.CharField(
        widget=forms.HiddenInput,
        strip=False,
        max_length=ROWS_TEXT_MAX_CHARS,
        error_messages={
            "max_length": _("We could not read these results again. Please upload your file again.")
        },
    )

    def clean_rows(self) -> list[checks.Row]:
        try:
            return checks.rows_from_text(self.cleaned_data["rows"])
        except checks.CheckFileProblem as problem:
            raise ValidationError(problem.message, code=problem.code) from problem
