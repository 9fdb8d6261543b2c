"""Credential pages for organization admins: the roster of members' credentials and the bulk
check of verification codes. Thin: each looks the organization up through
``organizations.selectors.organization_for_admin`` (anyone who does not administer it gets a
404), calls one selector, renders.

Neither page stores anything. The roster reads the members' choices live, so a member who stops
sharing disappears from it at once. The bulk check keeps no rows, no files and nothing in the
session: see ``organization_credential_check`` for how its download works without storing.
"""

import csv

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from cms.spreadsheets import formula_safe
from organizations.selectors import organization_for_admin

from . import organization_checks as checks
from . import organization_selectors
from .organization_forms import CheckDownloadForm, CheckUploadForm

DOWNLOAD_FIELD_MARGIN = 16_384
"""Room left for the other form fields when the rows are posted back for the download."""


@never_cache
@login_required
@require_safe
def organization_credentials(request, slug):
    organization = organization_for_admin(request.user, slug)
    today = timezone.localdate()
    return render(
        request,
        "certificates/organization/credentials.html",
        {
            "organization": organization,
            "roster": organization_selectors.roster_of(organization, today=today),
            "today": today,
        },
    )


def _limits() -> dict:
    return {
        "max_rows": number_format(checks.MAX_ROWS, force_grouping=True),
        "max_megabytes": checks.MAX_FILE_BYTES // 1_000_000,
        "max_code_chars": checks.MAX_CODE_CHARS,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def organization_credential_check(request, slug):
    """Check many verification codes at once from an uploaded CSV file.

    GET shows the upload form. POST with a file reads it as a stream within the bounds of
    ``organization_checks`` and shows one result per row; a file that cannot be checked shows
    the form again with the reason (always a 200 page, never an error).

    The download of the results stores nothing, by design: the results page carries the rows it
    just read (line, code and name as typed, already bounded) back to the browser as JSON in a
    hidden field of a "Download results as CSV" form. Posting that form reads the rows again
    with the same bounds, checks them again (so the CSV is as of the moment of download, and a
    tampered field can only ask about other codes, which the upload allows anyway), and answers
    with the CSV. There is no row, file or session entry to clean up, and the person does not
    have to choose the file a second time. The form is posted as multipart so the field is not
    inflated by URL encoding; the largest file accepted fits within Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``, and if a setting ever makes it not fit, the page says so
    instead of offering a download that would fail.
    """
    organization = organization_for_admin(request.user, slug)
    if request.method == "POST" and "rows" in request.POST:
        return _download(request, organization)
    form = CheckUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    context = {"organization": organization, "form": form, **_limits()}
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["file"]
        checked = organization_selectors.check_rows(rows, today=timezone.localdate())
        rows_text = checks.rows_to_text(rows)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        context.update(
            {
                "checked": checked,
                "summary": checks.summary(checked),
                "names_given": any(row.name is not None for row in rows),
                "mismatches": sum(1 for item in checked if item.name_differs),
                "download_form": CheckDownloadForm(initial={"rows": rows_text}),
                "download_fits": limit is None
                or len(rows_text.encode()) + DOWNLOAD_FIELD_MARGIN <= limit,
            }
        )
        context["form"] = CheckUploadForm()  # for the next file
    return render(request, "certificates/organization/check.html", context)


def _download(request, organization):
    form = CheckDownloadForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "certificates/organization/check.html",
            {
                "organization": organization,
                "form": CheckUploadForm(),
                "problems": form.errors.get("rows", []),
                **_limits(),
            },
        )
    today = timezone.localdate()
    checked = organization_selectors.check_rows(form.cleaned_data["rows"], today=today)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="credential-check-{organization.slug}-{today.isoformat()}.csv"'
    )
    # A byte-order mark, so spreadsheet programs read names with accents correctly.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(checks.csv_header())
    for row in checks.csv_rows(checked):
        writer.writerow([formula_safe(cell) for cell in row])
    return response
