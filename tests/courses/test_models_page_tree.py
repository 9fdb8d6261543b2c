import pytest

from cms.models import HomePage, StandardPage
from courses.models import CourseIndexPage, CoursePage, ModulePage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (CourseIndexPage, HomePage, True),
        (CoursePage, CourseIndexPage, True),
        (ModulePage, CoursePage, True),
        # Editors cannot build another shape.
        (CoursePage, HomePage, False),
        (ModulePage, CourseIndexPage, False),
        (ModulePage, ModulePage, False),
        (CoursePage, CoursePage, False),
        (StandardPage, CoursePage, False),
        (CourseIndexPage, StandardPage, False),
    ],
)
def test_page_tree_shape(child, parent, allowed):
    assert (child in parent.allowed_subpage_models()) is allowed
    assert (parent in child.allowed_parent_page_models()) is allowed


def test_only_one_catalog(world):
    from tests.course_pages import catalog

    home = catalog().get_parent().specific
    assert not CourseIndexPage.can_create_at(home)
