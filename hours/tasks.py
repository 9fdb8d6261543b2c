"""Emails about hours, sent by the background worker after the change has committed.

Each task is safe to run twice: it only reads and sends, and sending the same notice twice is
a nuisance, never a wrong record."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from .models import HourEntry, SignOff

logger = logging.getLogger(__name__)


def _send(subject: str, template: str, context: dict, to: str) -> None:
    try:
        send_mail(subject, render_to_string(template, context), None, [to])
    except Exception:
        logger.exception("Could not send %r", subject)


@task()
def notify_supervisor_of_batch(supervisor_id: int, trainee_id: int, entry_ids: list[int]) -> None:
    """One email per submitted batch, not one per entry."""
    people = get_user_model().objects.in_bulk([supervisor_id, trainee_id])
    entries = list(HourEntry.objects.filter(pk__in=entry_ids))
    minutes = sum(entry.minutes for entry in entries)
    _send(
        _("Hours to review from %(name)s") % {"name": people[trainee_id].display_name},
        "hours/email/batch_submitted.txt",
        {
            "trainee": people[trainee_id],
            "count": len(entries),
            "hours": minutes / 60,
            "url": settings.SITE_URL + reverse("hours_review"),
        },
        people[supervisor_id].email,
    )


@task()
def notify_trainee_of_decision(sign_off_id: int) -> None:
    sign_off = SignOff.objects.select_related("decided_by").get(pk=sign_off_id)
    entries = list(HourEntry.objects.filter(sign_offs=sign_off).select_related("trainee"))
    if not entries:
        return
    trainee = entries[0].trainee
    _send(
        _("Your hours were approved")
        if sign_off.action == SignOff.Action.APPROVE
        else _("Your hours need a change"),
        "hours/email/decision.txt",
        {
            "trainee": trainee,
            "sign_off": sign_off,
            "entries": entries,
            "url": settings.SITE_URL + reverse("hours_index"),
        },
        trainee.email,
    )
