"""Events from the apps below that can meet a requirement: re-evaluate the trainee's programs.

Runs inside the event's transaction (in a savepoint, see ``services.programs_reevaluate``), so
a credential is issued in the same commit as the completed course or the approved hours. Also:
a domain or attestation text saved or deleted refreshes the cached names of requirements.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from courses.models import Domain
from courses.signals import course_completed
from hours.signals import hours_changed

from . import selectors, services
from .models import AttestationText


@receiver(course_completed, dispatch_uid="certificates.course_completed")
def on_course_completed(sender, *, enrollment, trainee, **kwargs):
    services.course_certificate_issue(enrollment=enrollment)
    services.programs_reevaluate(trainee_id=trainee.pk)


@receiver(hours_changed, dispatch_uid="certificates.hours_changed")
def on_hours_changed(sender, *, trainee_ids, **kwargs):
    for trainee_id in trainee_ids:
        services.programs_reevaluate(trainee_id=trainee_id)


@receiver(post_save, sender=Domain, dispatch_uid="certificates.domain_saved")
@receiver(post_delete, sender=Domain, dispatch_uid="certificates.domain_deleted")
@receiver(post_save, sender=AttestationText, dispatch_uid="certificates.attestation_saved")
@receiver(post_delete, sender=AttestationText, dispatch_uid="certificates.attestation_deleted")
def on_names_changed(**kwargs):
    selectors.names_changed()
