"""Registrars in the Wagtail admin: the issuance review queue (approve, or decline with a
reason the trainee reads), and the programs with their versions and the people on each
(moving someone to another version). URLs and menu items are registered from
``certificates.wagtail_hooks``. Every view checks the registrar permission first.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import display, eligibility, selectors, services
from .forms import ReviewApproveForm, ReviewDeclineForm
from .models import (
    AttestationSignature,
    CredentialProgram,
    IssuanceReview,
    ProgramEnrollment,
    ProgramVersion,
)

REVIEW_PERMISSION = "certificates.review_issuance"


class RegistrarOnly:
    permission = REVIEW_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ReviewQueueView(RegistrarOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "certificates/admin/review_queue.html"
    page_title = gettext_lazy("Credential reviews")
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviews"] = selectors.pending_reviews()
        return context


class ReviewDetailView(RegistrarOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "certificates/admin/review_detail.html"
    page_title = gettext_lazy("Review a credential")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.review = get_object_or_404(
            IssuanceReview.objects.select_related(
                "enrollment__trainee", "enrollment__version", "enrollment__program", "decided_by"
            ),
            pk=kwargs["pk"],
        )
        return super(RegistrarOnly, self).dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.review.enrollment.trainee.legal_name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrollment = self.review.enrollment
        version = enrollment.version
        evaluation = eligibility.evaluate(
            selectors.requirements_of(version),
            selectors.record_of(enrollment.trainee),
            today=timezone.localdate(),
        )
        context.update(
            review=self.review,
            enrollment=enrollment,
            version=version,
            evaluation=evaluation,
            rows=display.rows_of(evaluation, selectors.names_for([version])),
            signatures=AttestationSignature.objects.filter(
                signer=enrollment.trainee, attestation__in=version.attestations.all()
            ).select_related("attestation"),
            approve_form=kwargs.get("approve_form") or ReviewApproveForm(),
            decline_form=kwargs.get("decline_form") or ReviewDeclineForm(),
            record_url=reverse("hours_record", args=[enrollment.trainee_id]),
        )
        return context

    def post(self, request, *args, **kwargs):
        approve = request.POST.get("action") == "approve"
        form = (ReviewApproveForm if approve else ReviewDeclineForm)(request.POST)
        if form.is_valid():
            try:
                if approve:
                    certificate = services.review_approve(
                        registrar=request.user,
                        review=self.review,
                        exam_confirmed=form.cleaned_data["exam_confirmed"],
                    )
                    messages.success(
                        request,
                        _("Issued %(title)s to %(name)s (certificate %(number)s).")
                        % {
                            "title": certificate.title,
                            "name": certificate.name_as_printed,
                            "number": certificate.number,
                        },
                    )
                else:
                    services.review_decline(
                        registrar=request.user,
                        review=self.review,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("Declined. The trainee sees your reason on the program page.")
                    )
                return redirect("certificates_admin:reviews")
            except ValidationError as error:
                form.add_error(None, error)
        key = "approve_form" if approve else "decline_form"
        return self.render_to_response(self.get_context_data(**{key: form}))


class ProgramIndexView(RegistrarOnly, WagtailAdminTemplateMixin, TemplateView):
    template_name = "certificates/admin/program_index.html"
    page_title = gettext_lazy("Credential programs")
    header_icon = "doc-full"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["programs"] = (
            CredentialProgram.objects.select_related("current_version")
            .annotate(version_count=Count("versions", distinct=True))
            .annotate(enrollment_count=Count("enrollments", distinct=True))
            .order_by("slug")
        )
        return context


class ProgramEnrollmentsView(RegistrarOnly, WagtailAdminTemplateMixin, TemplateView):
    """Who is working toward a program, on which version; move someone to another version."""

    template_name = "certificates/admin/program_enrollments.html"
    page_title = gettext_lazy("People in a program")
    header_icon = "group"
    permission = "certificates.move_enrollment"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.program = get_object_or_404(
            CredentialProgram.objects.select_related("current_version"), pk=kwargs["pk"]
        )
        return super(RegistrarOnly, self).dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.program)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            program=self.program,
            versions=ProgramVersion.objects.filter(program=self.program).order_by("-number"),
            enrollments=ProgramEnrollment.objects.filter(program=self.program)
            .select_related("trainee", "version")
            .order_by("trainee__legal_name"),
        )
        return context

    def post(self, request, *args, **kwargs):
        enrollment = get_object_or_404(
            ProgramEnrollment, pk=request.POST.get("enrollment", ""), program=self.program
        )
        version = get_object_or_404(
            ProgramVersion, pk=request.POST.get("version", ""), program=self.program
        )
        try:
            services.enrollment_move(registrar=request.user, enrollment=enrollment, version=version)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s is now on version %(number)s.")
                % {"name": enrollment.trainee.legal_name, "number": version.number},
            )
        return redirect("certificates_admin:program_enrollments", pk=self.program.pk)


urlpatterns = [
    path("reviews/", ReviewQueueView.as_view(), name="reviews"),
    path("reviews/<int:pk>/", ReviewDetailView.as_view(), name="review"),
    path("", ProgramIndexView.as_view(), name="programs"),
    path("<int:pk>/people/", ProgramEnrollmentsView.as_view(), name="program_enrollments"),
]
