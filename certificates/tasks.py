"""Background work for credentials, run after the change has committed: signed digital
credentials, certificate PDFs and emails.

Every task is safe to run twice, because a task whose worker died is run again
(``manage.py recover_tasks``):

- ``render_certificate`` is idempotent: the credential is signed once (under a row lock), and
  the PDF has one fixed name per certificate, replaced under the same lock, so however often it
  runs there is exactly one file. If the file cannot be written (disk full, folder not
  writable) the task fails with a logged error and the certificate is unchanged, except that it
  no longer points at a file that is gone; ``manage.py rerender_certificates --missing`` makes
  the missing files once storage is fixed.
- The email tasks only read and send. Run again, they send again: the email goes out at least
  once, and twice only if the worker died in the moment between the mail server taking the
  message and the worker recording the result (sending is the task's last step). Mail servers
  give no way to make that exactly once, and a repeated notice is a nuisance, never a wrong
  record.
"""

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

from config.storage import STORAGE_ERRORS

from . import selectors
from .models import Certificate, CertificateKind, IssuanceReview

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
    """A credential earned, or a course's certificate of completion ready."""
    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    if certificate.kind == CertificateKind.COURSE:
        subject = _("Your certificate of completion for %(title)s")
        template = "certificates/email/completed.txt"
    else:
        subject = _("You have earned %(title)s")
        template = "certificates/email/issued.txt"
    send_email(
        subject % {"title": certificate.title},
        template,
        {"certificate": certificate, "url": settings.SITE_URL + reverse("credentials")},
        certificate.holder.email,
    )


@task()
def notify_registrars_of_review(review_id: int) -> None:
    """One email to each registrar that a record waits for review. It names the program, not
    the trainee: an email travels further than the admin, where the queue shows who it is."""
    review = IssuanceReview.objects.select_related("enrollment__version").get(pk=review_id)
    registrars = selectors.registrars_to_notify()
    if not registrars:
        logger.warning(
            "Review %s is waiting, and no active registrar with an email address can be told. "
            "Add someone to the Registrars group.",
            review_id,
        )
    title = review.enrollment.version.title
    url = settings.SITE_URL + reverse("certificates_admin:reviews")
    for registrar in registrars:
        send_email(
            _("A record is waiting for review: %(title)s") % {"title": title},
            "certificates/email/review_waiting.txt",
            {"registrar": registrar, "title": title, "url": url},
            registrar.email,
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
    old_file_gone = False
    try:
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().get(pk=certificate_id)
            if storage.exists(name):
                storage.delete(name)
            old_file_gone = True
            stored = storage.save(name, ContentFile(content))
            Certificate.objects.filter(pk=certificate_id).update(
                pdf=stored, pdf_rendered_at=timezone.now()
            )
    except STORAGE_ERRORS as error:
        if old_file_gone:
            _forget_lost_pdf(certificate_id, storage, name)
        logger.error(
            "Could not store the PDF of certificate %s (id %s) as %s in private storage: %s. "
            "Its status, code and credential are unchanged; %s. Make room or make the folder "
            "writable, then run `manage.py rerender_certificates --missing`.",
            certificate.number,
            certificate_id,
            name,
            error,
            "it has no PDF until then" if old_file_gone else "its previous PDF is kept",
        )
        raise


def _forget_lost_pdf(certificate_id: int, storage, name: str) -> None:
    """After a failed write: the previous file was deleted and what the write left is at best
    half a file. Remove it, and stop the certificate pointing at it, so its holder is told the
    PDF is being prepared instead of getting an error, and ``rerender_certificates --missing``
    finds it."""
    try:
        if storage.exists(name):
            storage.delete(name)
    except STORAGE_ERRORS:
        logger.warning("Could not remove the partly written file %s", name)
    Certificate.objects.filter(pk=certificate_id, pdf=name).update(pdf="", pdf_rendered_at=None)
