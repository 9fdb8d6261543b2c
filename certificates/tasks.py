"""Emails about credentials, sent by the background worker after the change has committed.

Each task only reads and sends, so running it twice is a nuisance, never a wrong record."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Certificate, IssuanceReview

logger = logging.getLogger(__name__)


def _send(subject: str, template: str, context: dict, to: str) -> None:
    try:
        send_mail(subject, render_to_string(template, context), None, [to])
    except Exception:
        logger.exception("Could not send %r", subject)


@task()
def notify_holder_of_issue(certificate_id: int) -> None:
    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    _send(
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
    _send(
        _("About your %(title)s review") % {"title": enrollment.version.title},
        "certificates/email/declined.txt",
        {
            "review": review,
            "title": enrollment.version.title,
            "url": settings.SITE_URL + reverse("program_detail", args=[enrollment.program.slug]),
        },
        enrollment.trainee.email,
    )
