"""Every change a trainee makes to their learning record goes through here.

Same order as everywhere: check the precondition, lock what changes, save, log. A refused
change raises ``ValidationError`` with a message for the trainee, and changes nothing.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from . import selectors
from .models import (
    CoursePage,
    Enrollment,
    ModuleCompletion,
    ModulePage,
    ReflectionAnswer,
    TrainingHourCredit,
)
from .signals import course_completed

REFLECTION_MAX_LENGTH = 5000


def _enrollment_for_module(trainee, module: ModulePage) -> Enrollment:
    course_path = module.path[: -ModulePage.steplen]
    enrollment = (
        Enrollment.objects.select_related("course")
        .filter(trainee=trainee, course__path=course_path)
        .first()
    )
    if enrollment is None:
        raise ValidationError(
            _("Enroll in the course first. Then you can mark its modules as done."),
            code="not_enrolled",
        )
    return enrollment


def enrollment_create(*, trainee, course: CoursePage) -> Enrollment:
    if not course.live:
        raise ValidationError(_("This course is not open for enrollment."), code="not_live")
    if Enrollment.objects.filter(trainee=trainee, course=course).exists():
        raise ValidationError(_("You are already enrolled in this course."), code="duplicate")
    missing = selectors.unmet_prerequisites(trainee, course)
    if missing:
        raise ValidationError(
            _("Please complete these courses first: %(courses)s.")
            % {"courses": ", ".join(prerequisite.title for prerequisite in missing)},
            code="prerequisites",
        )
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(trainee=trainee, course=course)
    except IntegrityError as exc:
        # Two clicks at once: the database keeps exactly one enrollment.
        raise ValidationError(
            _("You are already enrolled in this course."), code="duplicate"
        ) from exc
    log(instance=enrollment, action="alongside.course.enroll", user=trainee)
    return enrollment


@transaction.atomic
def module_mark_done(*, trainee, module: ModulePage) -> tuple[ModuleCompletion, bool]:
    """Mark a module done (again is harmless). Returns the completion and whether this made the
    whole course complete."""
    enrollment = _enrollment_for_module(trainee, module)
    completion, _created = ModuleCompletion.objects.get_or_create(
        enrollment=enrollment, module=module
    )
    if enrollment.last_module_id != module.pk:
        Enrollment.objects.filter(pk=enrollment.pk).update(last_module=module)
    completed_now = enrollment_refresh_completion(enrollment=enrollment)
    return completion, completed_now


def module_visited(*, enrollment: Enrollment, module: ModulePage) -> None:
    """Remember where the trainee is, for "continue where you left off"."""
    if enrollment.last_module_id != module.pk:
        Enrollment.objects.filter(pk=enrollment.pk).update(last_module=module)
        enrollment.last_module_id = module.pk


@transaction.atomic
def enrollment_refresh_completion(*, enrollment: Enrollment) -> bool:
    """Complete the course if every requirement is now met, crediting its contact hours to the
    trainee's ledger, by domain, dated today. Returns True only the first time; running it
    again (or twice at once) credits nothing more."""
    enrollment = (
        Enrollment.objects.select_for_update().select_related("course").get(pk=enrollment.pk)
    )
    if enrollment.completed_at is not None:
        return False
    course = enrollment.course
    status = selectors.course_status(enrollment, list(course.modules()))
    if not status.complete:
        return False
    now = timezone.now()
    enrollment.completed_at = now
    enrollment.save(update_fields=["completed_at"])
    credits = [
        TrainingHourCredit(
            trainee_id=enrollment.trainee_id,
            enrollment=enrollment,
            course=course,
            domain_id=row.domain_id,
            hours=row.hours,
            earned_on=timezone.localdate(now),
        )
        for row in course.contact_hours.all()
    ]
    TrainingHourCredit.objects.bulk_create(credits)
    log(
        instance=enrollment,
        action="alongside.course.complete",
        user=enrollment.trainee,
        data={"hours": {str(c.domain_id): str(c.hours) for c in credits}},
    )
    course_completed.send(sender=Enrollment, enrollment=enrollment, trainee=enrollment.trainee)
    return True


def _reflection_prompt_ids(module: ModulePage) -> set[str]:
    return {block.id for block in module.body if block.block_type == "reflection"}


def reflection_save(
    *, trainee, module: ModulePage, block_id: str, text: str
) -> ReflectionAnswer | None:
    """Save (or, when emptied, delete) the trainee's private answer to one reflection prompt."""
    _enrollment_for_module(trainee, module)
    if block_id not in _reflection_prompt_ids(module):
        raise ValidationError(
            _("This reflection prompt has changed. Please reload the page and try again."),
            code="unknown_prompt",
        )
    text = text.strip()
    if len(text) > REFLECTION_MAX_LENGTH:
        raise ValidationError(
            _("Please keep your reflection under %(limit)d characters (it has %(length)d).")
            % {"limit": REFLECTION_MAX_LENGTH, "length": len(text)},
            code="too_long",
        )
    if not text:
        ReflectionAnswer.objects.filter(trainee=trainee, module=module, block_id=block_id).delete()
        return None
    answer, _created = ReflectionAnswer.objects.update_or_create(
        trainee=trainee, module=module, block_id=block_id, defaults={"text": text}
    )
    return answer
