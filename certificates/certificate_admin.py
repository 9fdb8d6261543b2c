"""Certificates in the Wagtail admin, for registrars: a searchable viewset (holder name,
certificate number, verification code typed any way), a page per certificate with its actions
(revoke, suspend, lift a suspension, re-issue after a legal-name correction), and a ZIP of the
PDFs of a search. Nothing here is editable as a form: every change goes through a service that
checks, logs and re-renders."""

import io
import zipfile

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies.base import BasePermissionPolicy

from organizations.roles import REGISTRARS_GROUP

from . import lifecycle_services, selectors, tasks
from .codes import normalize_code
from .models import Certificate, CertificateStatus, StatusReason
from .models.credentials import SHOWN_STATUS_LABELS
from .ratelimit import count_export, export_rate_limited

ZIP_LIMIT = 500


def is_registrar(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.has_perm("certificates.review_issuance")
    )


class RegistrarViewOnly(BasePermissionPolicy):
    """Registrars may list and inspect certificates; nobody adds, edits or deletes them here."""

    def user_has_permission(self, user, action):
        return action == "view" and is_registrar(user)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name=REGISTRARS_GROUP))
            .distinct()
        )


def search_certificates(queryset, query: str):
    """By holder name, number, or verification code (typed with any case, spaces or dashes)."""
    query = query.strip()[:200]
    if not query:
        return queryset
    condition = (
        Q(name_as_printed__icontains=query)
        | Q(holder__legal_name__icontains=query)
        | Q(number__iexact=query)
    )
    code = normalize_code(query)
    if code:
        condition |= Q(verification_code=code)
    return queryset.filter(condition)


class CertificateFilterSet(WagtailFilterSet):
    """Status as the holder and the verification page see it today (expiring and expired
    come from the calendar), and the kind of certificate."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=list(SHOWN_STATUS_LABELS.items()),
        method="filter_shown_status",
    )

    class Meta:
        model = Certificate
        fields = ["status", "kind"]

    def filter_shown_status(self, queryset, name, value):
        return selectors.with_shown_status(queryset, value, today=timezone.localdate())


def matching_certificates(query):
    """The certificates a listing's search and filters select (the ZIP takes the same)."""
    found = search_certificates(Certificate.objects.all(), query.get("q", ""))
    return CertificateFilterSet(query, queryset=found).qs


class CertificateIndexView(generic.IndexView):
    search_fields = ["name_as_printed"]  # shows the search box; the search itself is ours

    def search_queryset(self, queryset):
        return search_certificates(queryset, self.search_query) if self.is_searching else queryset

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("holder")

    @cached_property
    def header_buttons(self):
        query = f"?{self.request.GET.urlencode()}" if self.request.GET else ""
        return [
            *super().header_buttons,
            HeaderButton(
                _("Download these PDFs (ZIP)"),
                url=reverse("certificates_zip") + query,
                icon_name="download",
            ),
        ]


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason (shown publicly)"),
        choices=[("", "---------"), *StatusReason.choices],
    )
    note = forms.CharField(
        label=gettext_lazy("Note for staff (not shown publicly)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note for staff"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReissueForm(forms.Form):
    legal_name = forms.CharField(label=gettext_lazy("Corrected legal name"), max_length=200)


class CertificateInspectView(generic.InspectView):
    template_name = "certificates/admin/certificate_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.object
        context.update(
            certificate=certificate,
            shown_status=certificate.get_shown_status_display(),
            revoke_form=kwargs.get("revoke_form") or ReasonForm(prefix="revoke"),
            suspend_form=kwargs.get("suspend_form") or ReasonForm(prefix="suspend"),
            lift_form=kwargs.get("lift_form") or NoteForm(prefix="lift"),
            reissue_form=kwargs.get("reissue_form")
            or ReissueForm(prefix="reissue", initial={"legal_name": certificate.holder.legal_name}),
            can_change=certificate.status
            in (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED),
            pdf_url=reverse("certificate_pdf", args=[certificate.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        certificate = self.object
        action = request.POST.get("action")
        forms_by_action = {
            "revoke": ReasonForm,
            "suspend": ReasonForm,
            "lift": NoteForm,
            "reissue": ReissueForm,
        }
        if action not in forms_by_action:
            return redirect(request.path)
        form = forms_by_action[action](request.POST, prefix=action)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "revoke":
                    lifecycle_services.certificate_revoke(
                        registrar=request.user, certificate=certificate, **data
                    )
                    messages.success(
                        request, _("Revoked %(number)s.") % {"number": certificate.number}
                    )
                elif action == "suspend":
                    lifecycle_services.certificate_suspend(
                        registrar=request.user, certificate=certificate, **data
                    )
                    messages.success(
                        request, _("Suspended %(number)s.") % {"number": certificate.number}
                    )
                elif action == "lift":
                    lifecycle_services.certificate_lift_suspension(
                        registrar=request.user, certificate=certificate, note=data["note"]
                    )
                    messages.success(
                        request,
                        _("The suspension of %(number)s is lifted.")
                        % {"number": certificate.number},
                    )
                else:
                    new = lifecycle_services.certificate_reissue(
                        registrar=request.user,
                        certificate=certificate,
                        legal_name=data["legal_name"],
                    )
                    messages.success(
                        request,
                        _("Re-issued as %(number)s in the name %(name)s.")
                        % {"number": new.number, "name": new.name_as_printed},
                    )
                    return redirect(self.get_inspect_url(new))
                return redirect(request.path)
            except ValidationError as error:
                form.add_error(None, error)
        return self.render_to_response(self.get_context_data(**{f"{action}_form": form}))

    def get_inspect_url(self, certificate):
        return reverse(self.request.resolver_match.view_name, args=[certificate.pk])


@export_rate_limited("certificates_zip")
def zip_view(request):
    """The PDFs of the certificates matching the search and filters, as one ZIP (at most
    ``ZIP_LIMIT``). Certificates whose PDF is not rendered yet are rendered first."""
    if not is_registrar(request.user):
        raise PermissionDenied
    count_export(request)
    certificates = list(
        matching_certificates(request.GET).order_by("-issued_at", "-pk")[:ZIP_LIMIT]
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for certificate in certificates:
            if not certificate.pdf:
                tasks.render_certificate.call(certificate.pk)
                certificate.refresh_from_db()
            with certificate.pdf.open("rb") as handle:
                archive.writestr(f"{certificate.number}.pdf", handle.read())
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="certificates.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "success"
    menu_label = gettext_lazy("Certificates")
    add_to_admin_menu = False
    url_prefix = "credentials/certificates"
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "number",
        "name_as_printed",
        "title",
        Column("shown_status", label=gettext_lazy("Status"), accessor="get_shown_status_display"),
        "issued_at",
        "expires_on",
    ]
    filterset_class = CertificateFilterSet
    inspect_view_fields = [
        "number",
        "name_as_printed",
        "title",
        "kind",
        "issue_reason",
        "status",
        "status_reason",
        "status_note",
        "status_changed_at",
        "issued_at",
        "expires_on",
        "previous",
        "superseded_by",
    ]
    form_fields = ["name_as_printed"]
