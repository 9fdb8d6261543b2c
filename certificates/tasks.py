"""Background work for credentials, run after the change has committed: signed digital
credentials, certificate PDFs and emails. Every task is safe to run twice: a render replaces the one file, and a repeated email
is a nuisance, never a wrong record."""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Certificate, IssuanceReview

logger = logging.getLogger(__name__)


def send_email(subject: str, template: str, context: dict, to: str) -> None:
    """Send one plain-text email; a failure is logged, never raised (the change it reports has
    already committed)."""
    try:
        send_mail(subject, render_to_string(template, context), None, [to])
    except Exception:
        logger.exception("Could not send %r", subject)


@task()
def notify_holder_of_issue(certificate_id: int) -> None:
    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    send_email(
        _("You have earned %(title)s") % {"title": certificate.title},
        "certificates/email/issued.txt",
        {"certificate": certificate, "url": settings.SITE_URL + reverse("credentials")},
        certificate.holder.email,
    )


@task()
def notify_trainee_of_decline(review_id: int) -> None:
    review = IssuanceReview.objects.select_related(
        "enrollment__trainee", "enrollment__version", "enrollment__program"
    ).get(pk=review_id)
    enrollment = review.enrollment
    send_email(
        _("About your %(title)s review") % {"title": enrollment.version.title},
        "certificates/email/declined.txt",
        {
            "review": review,
            "title": enrollment.version.title,
            "url": settings.SITE_URL + reverse("program_detail", args=[enrollment.program.slug]),
        },
        enrollment.trainee.email,
    )


@task()
def render_certificate(certificate_id: int) -> None:
    """Sign the certificate's digital credential if it is not signed yet, then render and store
    its PDF with the signed credential attached. Safe to run again (a worker died): the
    credential is signed once, and the file has one fixed name, so there is always exactly one.
    """
    from .documents import certificate_pdf
    from .openbadges.services import credential_sign

    credential_sign(certificate_id=certificate_id)
    certificate = Certificate.objects.select_related("program_version").get(pk=certificate_id)
    content = certificate_pdf(certificate)
    name = f"certificates/{certificate.verification_code}.pdf"
    storage = certificate.pdf.storage
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
        if storage.exists(name):
            storage.delete(name)
        stored = storage.save(name, ContentFile(content))
        Certificate.objects.filter(pk=certificate_id).update(
            pdf=stored, pdf_rendered_at=timezone.now()
        )
