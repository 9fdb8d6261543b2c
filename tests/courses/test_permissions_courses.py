import pytest

from courses import services
from courses.selectors import enrollment_of
from tests.course_pages import make_course

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["trainee", "other_trainee", "supervisor", "independent"])
def test_study_permission_agrees_with_enrollment(world, who):
    course = make_course()
    services.enrollment_create(trainee=world.trainee, course=course)
    person = getattr(world, who)
    enrolled = enrollment_of(person, course) is not None
    for module in course.modules():
        assert person.has_perm("courses.study_module", module) is enrolled
    assert person.has_perm("courses.study_module", course) is enrolled
