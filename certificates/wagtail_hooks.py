"""How credentials plug into the site shell and the admin: navigation, the dashboard panel,
the programs section of the hours page, the shipped programs in the demo, the registrars'
admin pages and the audit log actions."""

import datetime
from pathlib import Path

from django.conf import settings
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.dashboard import Panel
from cms.navigation import NavItem
from organizations.roles import REGISTRAR, TRAINEE, person_roles

from . import admin_views, certificate_admin, display, eligibility, program_admin, selectors
from .models import Certificate, CertificateTemplate

SHIPPED_PROGRAMS = Path(settings.BASE_DIR) / "content" / "programs"


@hooks.register("register_site_navigation")
def credentials_navigation():
    return [
        NavItem(_("Programs"), "program_list", order=25, roles=frozenset({TRAINEE}), public=True),
        NavItem(_("Credentials"), "credentials", order=40, roles=frozenset({TRAINEE})),
    ]


def _programs_context(request) -> list[dict]:
    progress = selectors.programs_of(request.user, today=timezone.localdate())
    names = selectors.names_for([item.version for item in progress])
    items = []
    for item in progress:
        totals = [
            row
            for row, evaluated in zip(
                display.rows_of(item.evaluation, names), item.evaluation.items, strict=True
            )
            if evaluated.kind == eligibility.HOURS_TOTAL
        ]
        items.append(
            {"progress": item, "totals": totals, "gaps": display.gaps_of(item.evaluation, names)}
        )
    return items


@hooks.register("register_dashboard_panels")
def programs_dashboard_panel(request):
    if TRAINEE not in person_roles(request.user):
        return None
    return Panel(
        "certificates/panels/my_programs.html", 5, {"programs": _programs_context(request)}
    )


@hooks.register("register_dashboard_panels")
def reviews_dashboard_panel(request):
    if REGISTRAR not in person_roles(request.user):
        return None
    waiting = selectors.pending_reviews().count()
    return Panel("certificates/panels/reviews_waiting.html", 70, {"waiting": waiting})


@hooks.register("register_hours_sections")
def programs_hours_section(request):
    """The hours page shows the trainee's totals against each program they pursue."""
    items = _programs_context(request)
    if not items:
        return None
    return Panel("certificates/panels/hours_against_programs.html", 10, {"programs": items})


def seed_programs(report) -> None:
    from .program_files import import_programs

    files = sorted(SHIPPED_PROGRAMS.glob("*.json"))
    result = import_programs([(path.name, path.read_bytes()) for path in files])
    for line in result.changes():
        report(line)


DEMO_HOLDER = "trainee@example.org"
DEMO_COURSE = "ethics-and-confidentiality"


def seed_demo_credential(report) -> None:
    """The demo trainee finished one course a month ago, so the demo has a certificate to find,
    check and (as a registrar) revoke."""
    from django.contrib.auth import get_user_model

    from courses.models import CoursePage, Enrollment, TrainingHourCredit

    from .services import course_certificate_issue

    holder = get_user_model().objects.filter(email=DEMO_HOLDER).first()
    course = CoursePage.objects.filter(slug=DEMO_COURSE).first()
    if holder is None or course is None or holder.certificates.exists():
        return
    finished = timezone.now() - datetime.timedelta(days=30)
    enrollment, _created = Enrollment.objects.get_or_create(
        trainee=holder, course=course, defaults={"enrolled_at": finished}
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=finished)
    enrollment.completed_at = finished
    TrainingHourCredit.objects.bulk_create(
        TrainingHourCredit(
            trainee=holder,
            enrollment=enrollment,
            course=course,
            domain_id=row.domain_id,
            hours=row.hours,
            earned_on=timezone.localdate(finished),
        )
        for row in course.contact_hours.all()
    )
    certificate = course_certificate_issue(enrollment=enrollment)
    report(f"issued {certificate.number} ({course.title}) to {holder.email}")


@hooks.register("register_demo_seed_steps")
def programs_seed_step():
    return [(30, seed_programs), (40, seed_demo_credential)]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("programs/", include((admin_views.urlpatterns, "certificates_admin"))),
        path("credentials/certificates-zip/", certificate_admin.zip_view, name="certificates_zip"),
    ]


register_permission_policy(Certificate, certificate_admin.RegistrarViewOnly(Certificate))
certificate_viewset = certificate_admin.CertificateViewSet("certificates")


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return certificate_viewset


class CertificateTemplateViewSet(SnippetViewSet):
    model = CertificateTemplate
    icon = "doc-full-inverse"
    menu_label = _("Certificate templates")
    add_to_admin_menu = False
    list_display = ["__str__", "heading", "signatory_name"]
    url_prefix = "credentials/templates"


register_snippet(CertificateTemplateViewSet)


class TemplatesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("certificates.change_certificatetemplate")


class RegistrarMenuItem(MenuItem):
    def is_shown(self, request):
        return REGISTRAR in person_roles(request.user)


@hooks.register("register_admin_menu_item")
def credentials_menu():
    items = [
        RegistrarMenuItem(
            _("Reviews"),
            reverse("certificates_admin:reviews"),
            name="credential-reviews",
            icon_name="tasks",
            order=10,
        ),
        RegistrarMenuItem(
            _("Programs"),
            reverse("certificates_admin:programs"),
            name="credential-programs",
            icon_name="doc-full",
            order=20,
        ),
        RegistrarMenuItem(
            _("Certificates"),
            reverse("certificates:index"),
            name="certificates",
            icon_name="success",
            order=15,
        ),
        program_admin.import_menu_item(),
        TemplatesMenuItem(
            _("Certificate templates"),
            reverse("wagtailsnippets_certificates_certificatetemplate:list"),
            name="certificate-templates",
            icon_name="doc-full-inverse",
            order=40,
        ),
    ]
    return CredentialsSubmenu(
        _("Credentials"), Menu(items=items), name="credentials", icon_name="success", order=300
    )


class CredentialsSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return REGISTRAR in person_roles(request.user)


@hooks.register("register_log_actions")
def register_credential_log_actions(actions):
    for action, label, message in [
        ("alongside.program.import", _("Import program"), _("Program version imported")),
        ("alongside.program.start", _("Start program"), _("Started a program")),
        ("alongside.program.move", _("Move program version"), _("Moved to another version")),
        ("alongside.attestation.sign", _("Sign statement"), _("Signed a statement")),
        ("alongside.program.review_request", _("Ask for review"), _("Asked for a review")),
        ("alongside.program.review_approve", _("Approve review"), _("Review approved")),
        ("alongside.program.review_decline", _("Decline review"), _("Review declined")),
        ("alongside.certificate.issue", _("Issue certificate"), _("Certificate issued")),
        ("alongside.certificate.revoke", _("Revoke certificate"), _("Certificate revoked")),
        ("alongside.certificate.suspend", _("Suspend certificate"), _("Certificate suspended")),
        ("alongside.certificate.lift", _("Lift suspension"), _("Suspension lifted")),
        ("alongside.certificate.reissue", _("Re-issue certificate"), _("Certificate re-issued")),
        ("alongside.certificate.renew", _("Renew credential"), _("Credential renewed")),
    ]:
        actions.register_action(action, label, message)


@hooks.register("register_personal_data")
def personal_data_sections(user):
    """This app's part of a person's download of their own data (``accounts.personal_data``)."""
    from .selectors import personal_data

    return personal_data(user)
