"""Programs and credentials on the site. Thin: each view parses input, calls one service or
selector, renders. Program pages are public; progress and credentials are the person's own."""

import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from cms.rendering import render_pdf
from courses.models import Enrollment
from courses.selectors import training_hours_by_domain
from hours import selectors as hour_selectors
from hours.models import Ledger
from organizations.roles import TRAINEE, person_roles

from . import (
    display,
    eligibility,
    lifecycle,
    lifecycle_services,
    selectors,
    services,
    sharing,
    tasks,
    verification,
)
from .forms import AttestationSignForm
from .models import AttestationSignature, Certificate, CredentialProgram
from .ratelimit import count_export, export_rate_limited

logger = logging.getLogger(__name__)


def _program(slug: str) -> CredentialProgram:
    return get_object_or_404(
        CredentialProgram.objects.select_related("current_version"),
        slug=slug,
        current_version__isnull=False,
    )


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def program_list(request):
    started = set()
    if request.user.is_authenticated:
        started = set(request.user.program_enrollments.values_list("program_id", flat=True))
    response = render(
        request,
        "certificates/program_list.html",
        {"programs": selectors.public_programs(), "started": started},
    )
    return _private(response) if request.user.is_authenticated else response


def program_detail(request, slug):
    program = _program(slug)
    today = timezone.localdate()
    progress = None
    if request.user.is_authenticated:
        progress = next(
            iter(selectors.programs_of(request.user, today=today, program=program)), None
        )
    version = progress.version if progress else program.current_version
    evaluation = (
        progress.evaluation
        if progress
        else eligibility.evaluate(
            selectors.requirements_of(version), eligibility.Record(), today=today
        )
    )
    names = selectors.names_for([version])
    attestations = selectors.attestations_of(version)
    signed = set()
    if progress:
        signed = {
            (code, number)
            for code, number in request.user.attestation_signatures.values_list(
                "attestation__code", "attestation__version"
            )
        }
    context = {
        "program": program,
        "version": version,
        "progress": progress,
        "rows": display.rows_of(evaluation, names),
        "gaps": display.gaps_of(evaluation, names) if progress else [],
        "attestations": [
            {"text": text, "signed": (text.code, text.version) in signed} for text in attestations
        ],
        "renewal": _renewal_rows(version, names),
        "issuer": settings.CREDENTIAL_ISSUER_NAME,
        "can_start": request.user.is_authenticated
        and progress is None
        and TRAINEE in person_roles(request.user),
        "newer_version": progress is not None and progress.version.pk != program.current_version_id,
    }
    response = render(request, "certificates/program_detail.html", context)
    return _private(response) if request.user.is_authenticated else response


def _renewal_rows(version, names) -> list:
    if not version.renewal or not version.renewal.get("training"):
        return []
    rule = selectors.hours_rule_of(version.renewal["training"])
    requirements = eligibility.Requirements.build(
        domains=tuple(version.requirements.get("domains", [])), training=rule
    )
    evaluation = eligibility.evaluate(
        requirements, eligibility.Record(), today=timezone.localdate()
    )
    return display.rows_of(evaluation, names)


@login_required
@require_POST
def program_start(request, slug):
    program = _program(slug)
    if not request.user.has_perm("certificates.start_program"):
        raise PermissionDenied
    try:
        services.program_start(trainee=request.user, program=program)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You have started %(title)s. Everything you have already done counts.")
            % {"title": program.current_version.title},
        )
    return redirect("program_detail", slug=program.slug)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def attestation_sign(request, slug, code):
    program = _program(slug)
    enrollment = selectors.enrollment_of(request.user, program)
    if enrollment is None:
        raise Http404
    attestation = next(
        (text for text in selectors.attestations_of(enrollment.version) if text.code == code),
        None,
    )
    if attestation is None:
        raise Http404
    already = request.user.attestation_signatures.filter(attestation=attestation).first()
    form = AttestationSignForm(request.POST or None)
    if request.method == "POST" and already is None and form.is_valid():
        try:
            services.attestation_sign(
                trainee=request.user,
                attestation=attestation,
                typed_name=form.cleaned_data["typed_name"],
                confirmed=form.cleaned_data["confirmed"],
                ip_address=get_client_ip_address(request),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("typed_name" if error.code == "name_mismatch" else None, message)
        else:
            messages.success(
                request, _("Thank you. You signed %(title)s.") % {"title": attestation.title}
            )
            return redirect("program_detail", slug=program.slug)
    return render(
        request,
        "certificates/attestation_sign.html",
        {"program": program, "attestation": attestation, "form": form, "signature": already},
    )


@login_required
@require_POST
def review_request(request, slug):
    program = _program(slug)
    enrollment = selectors.enrollment_of(request.user, program)
    if enrollment is None:
        raise Http404
    try:
        services.review_request(trainee=request.user, enrollment=enrollment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your record has been sent to a registrar for review."))
    return redirect("program_detail", slug=program.slug)


@never_cache
@login_required
def credentials(request):
    today = timezone.localdate()
    certificates = list(selectors.certificates_of(request.user).select_related("program_version"))
    versions = [c.program_version for c in certificates if c.program_version_id]
    names = selectors.names_for(versions) if versions else None
    record = selectors.record_of(request.user) if versions else None
    items = []
    for certificate in certificates:
        renewal = None
        version = certificate.program_version
        if version and version.renewal and certificate.status == "active":
            grace = version.renewal.get("grace_days")
            if lifecycle.can_renew(
                stored=certificate.status,
                expires_on=certificate.expires_on,
                grace_days=grace,
                today=today,
            ):
                evaluation = lifecycle_services.renewal_evaluation(
                    certificate, today=today, record=record
                )
                renewal = {
                    "met": evaluation.met,
                    "gaps": display.gaps_of(evaluation, names),
                    "rows": display.rows_of(evaluation, names),
                }
        shareable = certificate.shown_status(today) in verification.VALID_STATUSES
        items.append(
            {
                "certificate": certificate,
                "renewal": renewal,
                "check_url": verification.record_url(certificate),
                "linkedin": sharing.linkedin_add_url(
                    title=certificate.title,
                    issuer=settings.CREDENTIAL_ISSUER_NAME,
                    issued_on=timezone.localdate(certificate.issued_at),
                    expires_on=certificate.expires_on,
                    check_url=verification.record_url(certificate),
                    certificate_number=certificate.number,
                )
                if shareable
                else None,
            }
        )
    return render(request, "certificates/credentials.html", {"items": items, "today": today})


@login_required
@require_POST
def certificate_renew(request, pk):
    certificate = get_object_or_404(Certificate, pk=pk, holder=request.user)
    try:
        new = lifecycle_services.certificate_renew(holder=request.user, certificate=certificate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Renewed. Your new certificate %(number)s is valid until %(date)s.")
            % {
                "number": new.number,
                "date": date_format(new.expires_on, "DATE_FORMAT") if new.expires_on else "-",
            },
        )
    return redirect("credentials")


@never_cache
@login_required
@export_rate_limited("certificate_pdf_render")
def certificate_pdf(request, pk):
    """The stored PDF, for its holder and for registrars; anyone else gets a 404."""
    certificate = get_object_or_404(Certificate, pk=pk)
    if not request.user.has_perm("certificates.view_certificate", certificate):
        raise Http404
    try:
        handle = certificate.pdf.open("rb") if certificate.pdf else None
    except FileNotFoundError:
        # Lost outside the app (a restore without its files, a removed folder): make it again.
        logger.warning("The PDF of certificate %s is missing from storage.", certificate.number)
        handle = None
    if handle is None:
        count_export(request)  # only making it again is limited, not downloading it
        tasks.render_certificate.enqueue(certificate.pk)
        return render(
            request, "certificates/pdf_pending.html", {"certificate": certificate}, status=202
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )
    return _private(response)


@login_required
@export_rate_limited("program_packet")
def program_packet(request, slug):
    """The application packet a trainee sends to a certification board: progress on the
    program, training, the approved hour logs with their sign-offs, signed statements and
    credentials, in one PDF. Rendered on request, like the hours record, so it shows the
    latest record; only for someone who started the program."""
    program = _program(slug)
    enrollment = selectors.enrollment_of(request.user, program)
    if enrollment is None:
        raise Http404
    count_export(request)
    response = HttpResponse(
        render_pdf(
            "certificates/packet_pdf.html",
            _packet_context(request.user, enrollment),
            request=request,
        ),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{program.slug}-application-packet.pdf"'
    )
    return _private(response)


def _packet_context(user, enrollment) -> dict:
    """Everything the packet prints, in a fixed number of queries however long the record."""
    version = enrollment.version
    today = timezone.localdate()
    evaluation = eligibility.evaluate(
        selectors.requirements_of(version), selectors.record_of(user), today=today
    )
    training = training_hours_by_domain(user)
    entries = list(hour_selectors.approved_entries_of(user))
    sign_offs = {}
    for entry in entries:
        entry.approval = next(iter(entry.approvals), None)
        if entry.approval is not None:
            sign_offs.setdefault(entry.approval.pk, entry.approval)
    logs = []
    for ledger in (Ledger.PRACTICE, Ledger.SUPERVISION):
        rows = [entry for entry in entries if entry.ledger == ledger]
        logs.append(
            {"ledger": ledger, "entries": rows, "total": sum(entry.hours for entry in rows)}
        )
    return {
        "applicant": user,
        "program": enrollment.program,
        "version": version,
        "issuer": settings.CREDENTIAL_ISSUER_NAME,
        "prepared_on": today,
        "met": evaluation.met,
        "rows": display.rows_of(evaluation, selectors.names_for([version])),
        "training": training,
        "training_total": sum(row["hours"] for row in training),
        "courses": list(
            Enrollment.objects.completed()
            .filter(trainee=user)
            .select_related("course")
            .annotate(hours=Sum("hour_credits__hours"))
            .order_by("completed_at", "pk")
        ),
        "logs": logs,
        "sign_offs": sorted(sign_offs.values(), key=lambda s: (s.decided_at, s.pk)),
        "signatures": list(
            AttestationSignature.objects.filter(
                signer=user, attestation__in=version.attestations.all()
            )
            .select_related("attestation")
            .order_by("signed_at", "pk")
        ),
        "certificates": list(selectors.certificates_of(user)),
        "today": today,
        "verify_site": f"{settings.SITE_URL}/verify/",
    }
