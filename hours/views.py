"""Hours pages: the trainee's log, the supervisor's review queue, exports and the registrar's
reopen. Thin: each parses input, calls one service, renders. Scoping is by selectors, so
someone else's entry is a 404."""

import csv
from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from wagtail import hooks

from certificates.ratelimit import count_export, export_rate_limited
from cms.rendering import render_pdf
from cms.spreadsheets import formula_safe
from organizations.roles import REGISTRAR, SUPERVISOR, person_roles

from . import selectors, services
from .filters import ReviewFilter
from .forms import EntryForm, RejectForm, ReopenForm
from .models import HourEntry, SignOff, Status

PAGE_SIZE = 25


@login_required
def hours_index(request):
    entries = selectors.entries_of(request.user)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hours/index.html",
        {
            "entries": page,
            "totals": selectors.totals_of(request.user),
            "sendable": entries.filter(status__in=[Status.DRAFT, Status.REJECTED]).order_by("date"),
            "supervisors": services.current_supervisors_of(request.user),
            "sections": _sections(request),
        },
    )


def _sections(request) -> list:
    """Panels that apps above add to the hours page (the credentials app shows totals against
    the trainee's programs), through the ``register_hours_sections`` hook."""
    panels = [
        panel for build in hooks.get_hooks("register_hours_sections") if (panel := build(request))
    ]
    return sorted(panels, key=lambda panel: panel.order)


@login_required
@require_http_methods(["GET", "POST"])
def entry_form(request, pk=None):
    entry = get_object_or_404(HourEntry, pk=pk, trainee=request.user) if pk else None
    form = EntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in services.FIELDS}
        try:
            services.entry_save(
                trainee=request.user,
                values=values,
                entry=entry,
                names_confirmed=form.cleaned_data["names_confirmed"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, problems in error.message_dict.items():
                    for problem in problems:
                        form.add_error(field if field in form.fields else None, problem)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("Saved as a draft. Send it for review when you are ready."))
            return redirect("hours_index")
    return render(request, "hours/entry_form.html", {"form": form, "entry": entry})


@login_required
@require_POST
def entries_submit(request):
    ids = [int(pk) for pk in request.POST.getlist("entries") if pk.isdigit()]
    entries = list(HourEntry.objects.filter(pk__in=ids, trainee=request.user))
    supervisor_id = request.POST.get("supervisor", "")
    assignment = next(
        (
            a
            for a in services.current_supervisors_of(request.user)
            if str(a.supervisor_id) == supervisor_id
        ),
        None,
    )
    if not entries:
        messages.error(request, _("Choose the entries to send."))
    elif assignment is None or len(entries) != len(set(ids)):
        messages.error(
            request, _("Choose one of your current supervisors, and only your own entries.")
        )
    else:
        try:
            services.entries_submit(
                trainee=request.user, entries=entries, supervisor=assignment.supervisor
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Sent %(count)d entry to %(name)s for review.",
                    "Sent %(count)d entries to %(name)s for review.",
                    len(entries),
                )
                % {"count": len(entries), "name": assignment.supervisor.display_name},
            )
    return redirect("hours_index")


def _require_supervisor(user):
    if SUPERVISOR not in person_roles(user):
        raise PermissionDenied(_("Only supervisors review hours."))


def supervisor_required(view):
    """Checked before re-authentication, so nobody else is asked for a password for nothing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        _require_supervisor(request.user)
        return view(request, *args, **kwargs)

    return wrapper


@login_required
@supervisor_required
@reauthentication_required
def review_queue(request):
    queue = selectors.review_queue(request.user)
    trainees = selectors.trainees_visible_to(request.user).filter(pk__in=queue.values("trainee"))
    review_filter = ReviewFilter(request.GET or None, queryset=queue, trainees=trainees)
    entries = review_filter.qs if review_filter.is_bound and review_filter.is_valid() else queue
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "hours/review.html",
        {"filter": review_filter, "entries": page, "query_string": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
@supervisor_required
@reauthentication_required
def review_approve(request):
    if request.method == "GET":
        # Back from confirming the password: choose the entries again on the queue.
        return redirect("hours_review")
    ids = [int(pk) for pk in request.POST.getlist("entries") if pk.isdigit()]
    try:
        sign_off = services.entries_decide(supervisor=request.user, entry_ids=ids, approve=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Approved %(count)d entry. Sign-off %(digest)s.",
                "Approved %(count)d entries. Sign-off %(digest)s.",
                len(ids),
            )
            % {"count": len(ids), "digest": sign_off.digest[:12]},
        )
    return redirect("hours_review")


@login_required
@require_http_methods(["GET", "POST"])
@supervisor_required
@reauthentication_required
def review_reject(request, pk):
    entry = get_object_or_404(selectors.review_queue(request.user), pk=pk)
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entries_decide(
                supervisor=request.user,
                entry_ids=[entry.pk],
                approve=False,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Sent back to %(name)s with your reason.") % {"name": entry.trainee.display_name},
            )
            return redirect("hours_review")
    return render(request, "hours/reject.html", {"entry": entry, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def entry_reopen(request, pk):
    if REGISTRAR not in person_roles(request.user):
        raise PermissionDenied(_("Only registrars reopen approved hours."))
    entry = get_object_or_404(
        HourEntry.objects.select_related("trainee", "domain"), pk=pk, status=Status.APPROVED
    )
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_reopen(
                registrar=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The entry was reopened. The approval stays on record."))
            return redirect("hours_record", trainee_id=entry.trainee_id)
    return render(request, "hours/reopen.html", {"entry": entry, "form": form})


def _record_context(request, trainee_id):
    trainee = get_object_or_404(selectors.trainees_visible_to(request.user), pk=trainee_id)
    entries = list(
        selectors.entries_of(trainee)
        .filter(status=Status.APPROVED)
        .order_by("ledger", "domain__name", "date")
    )
    sign_offs = list(
        SignOff.objects.filter(entries__trainee=trainee)
        .distinct()
        .select_related("decided_by")
        .order_by("decided_at")
    )
    return {
        "trainee": trainee,
        "entries": entries,
        "totals": selectors.totals_of(trainee),
        "sign_offs": sign_offs,
        "generated_at": timezone.now(),
        "is_registrar": REGISTRAR in person_roles(request.user),
    }


@login_required
def hours_record(request, trainee_id):
    return render(request, "hours/record.html", _record_context(request, trainee_id))


@login_required
def hours_record_csv(request, trainee_id):
    context = _record_context(request, trainee_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="supervised-practice-record-{trainee_id}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Date"),
            _("Ledger"),
            _("Domain"),
            _("Minutes"),
            _("Activity"),
            _("Setting"),
            _("Delivery"),
            _("Description"),
        ]
    )
    for entry in context["entries"]:
        writer.writerow(
            [
                entry.date.isoformat(),
                entry.get_ledger_display(),
                entry.domain.name,
                entry.minutes,
                entry.get_activity_display(),
                entry.get_setting_display(),
                entry.get_delivery_display(),
                formula_safe(entry.description),
            ]
        )
    writer.writerow([])
    writer.writerow(
        [_("Sign-off"), _("Supervisor"), _("Qualification"), _("Date"), _("SHA-256 digest")]
    )
    for sign_off in context["sign_offs"]:
        qualification = sign_off.qualification or {}
        writer.writerow(
            [
                sign_off.get_action_display(),
                sign_off.decided_by.legal_name,
                f"{qualification.get('credential', '')} {qualification.get('number', '')}".strip(),
                timezone.localdate(sign_off.decided_at).isoformat(),
                sign_off.digest,
            ]
        )
    return response


@login_required
@export_rate_limited("hours_record_pdf")
def hours_record_pdf(request, trainee_id):
    """The record as a PDF a board accepts. Rendered on request: it is one person's current
    record, small, and must reflect the latest sign-offs."""
    context = _record_context(request, trainee_id)
    count_export(request)  # after the 404 for someone else's record
    response = HttpResponse(
        render_pdf("hours/record_pdf.html", context, request=request),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="supervised-practice-record-{trainee_id}.pdf"'
    )
    return response
