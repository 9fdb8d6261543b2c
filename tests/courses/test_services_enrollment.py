from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses import selectors, services
from courses.models import Enrollment, ModuleCompletion, ReflectionAnswer, TrainingHourCredit
from tests.course_pages import make_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_enroll_once(world):
    course = make_course()
    services.enrollment_create(trainee=world.trainee, course=course)
    with pytest.raises(ValidationError, match="already enrolled"):
        services.enrollment_create(trainee=world.trainee, course=course)
    assert Enrollment.objects.filter(trainee=world.trainee).count() == 1


def test_prerequisites_must_be_completed_first(world):
    basics = make_course("basics", modules=1)
    advanced = make_course("advanced", prerequisites=[basics])
    with pytest.raises(ValidationError, match="complete these courses first: Basics"):
        services.enrollment_create(trainee=world.trainee, course=advanced)
    assert not Enrollment.objects.exists()
    services.enrollment_create(trainee=world.trainee, course=basics)
    services.module_mark_done(trainee=world.trainee, module=basics.modules().get())
    services.enrollment_create(trainee=world.trainee, course=advanced)


def test_marking_a_module_of_a_course_one_is_not_enrolled_in_is_refused(world):
    course = make_course()
    with pytest.raises(ValidationError, match="Enroll in the course first"):
        services.module_mark_done(trainee=world.trainee, module=course.modules().first())
    assert not ModuleCompletion.objects.exists()


def test_completing_every_module_completes_the_course_and_credits_hours_once(world):
    course = make_course(hours={"ethical-responsibility": "1.5", "advocacy": "0.5"})
    services.enrollment_create(trainee=world.trainee, course=course)
    first, second = course.modules()
    assert services.module_mark_done(trainee=world.trainee, module=first)[1] is False
    assert services.module_mark_done(trainee=world.trainee, module=second)[1] is True
    # Again: harmless, nothing more credited.
    assert services.module_mark_done(trainee=world.trainee, module=second)[1] is False
    enrollment = Enrollment.objects.get()
    assert enrollment.completed_at is not None
    credits = {c.domain.code: c.hours for c in TrainingHourCredit.objects.all()}
    assert credits == {"ethical-responsibility": Decimal("1.50"), "advocacy": Decimal("0.50")}
    assert TrainingHourCredit.objects.get(domain__code="advocacy").earned_on == timezone.localdate()
    assert selectors.training_hours_by_domain(world.trainee) == [
        {"code": "advocacy", "name": "Advocacy", "hours": Decimal("0.50")},
        {
            "code": "ethical-responsibility",
            "name": "Ethical Responsibility",
            "hours": Decimal("1.50"),
        },
    ]
    assert services.enrollment_refresh_completion(enrollment=enrollment) is False
    assert TrainingHourCredit.objects.count() == 2


def test_reflection_is_private_saved_and_clearable(world):
    course = make_course(modules=1)
    module = course.modules().get()
    prompt_id = next(block.id for block in module.specific.body if block.block_type == "reflection")
    services.enrollment_create(trainee=world.trainee, course=course)
    services.reflection_save(trainee=world.trainee, module=module, block_id=prompt_id, text="Mine")
    other = UserFactory()
    assert selectors.reflections_for(other, module) == {}
    assert selectors.reflections_for(world.trainee, module)[prompt_id].text == "Mine"
    services.reflection_save(trainee=world.trainee, module=module, block_id=prompt_id, text="  ")
    assert not ReflectionAnswer.objects.exists()


@pytest.mark.parametrize(
    ("block_id", "text", "message"),
    [("not-a-prompt", "x", "has changed"), (None, "x" * 5001, "under 5000 characters")],
)
def test_reflection_refusals(world, block_id, text, message):
    course = make_course(modules=1)
    module = course.modules().get().specific
    services.enrollment_create(trainee=world.trainee, course=course)
    block_id = block_id or next(b.id for b in module.body if b.block_type == "reflection")
    with pytest.raises(ValidationError, match=message):
        services.reflection_save(trainee=world.trainee, module=module, block_id=block_id, text=text)
    assert not ReflectionAnswer.objects.exists()
