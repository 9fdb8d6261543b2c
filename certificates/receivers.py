"""Events from the apps below that can meet a requirement: re-evaluate the trainee's programs.

Runs inside the event's transaction (in a savepoint, see ``services.programs_reevaluate``), so
a credential is issued in the same commit as the completed course or the approved hours.
"""

from django.dispatch import receiver

from courses.signals import course_completed
from hours.signals import hours_changed

from . import services


@receiver(course_completed, dispatch_uid="certificates.course_completed")
def on_course_completed(sender, *, enrollment, trainee, **kwargs):
    services.course_certificate_issue(enrollment=enrollment)
    services.programs_reevaluate(trainee_id=trainee.pk)


@receiver(hours_changed, dispatch_uid="certificates.hours_changed")
def on_hours_changed(sender, *, trainee_ids, **kwargs):
    for trainee_id in trainee_ids:
        services.programs_reevaluate(trainee_id=trainee_id)
