import pytest

from courses import services
from courses.models import Enrollment, ModuleCompletion, ReflectionAnswer
from tests.course_pages import catalog, make_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reflection_id(module):
    return next(block.id for block in module.specific.body if block.block_type == "reflection")


class TestCoursePage:
    def test_anonymous_visitor_sees_the_course_and_is_offered_an_account(self, client):
        course = make_course(content_note="Mentions of overdose.")
        page = client.get(course.url).content.decode()
        assert course.summary in page
        assert "Mentions of overdose." in page
        assert "Create a free account to enroll" in page
        assert "Module 1" in page
        assert 'href="/courses/course/module-1/"' not in page  # modules are not links yet

    def test_enroll_then_progress_and_continue_link(self, client, world):
        course = make_course(modules=3)
        client.force_login(world.trainee)
        response = client.post(course.url, follow=True)
        assert "You are enrolled in" in response.content.decode()
        assert response.redirect_chain[-1][0] == course.modules().first().url
        services.module_mark_done(trainee=world.trainee, module=course.modules().first())
        page = client.get(course.url).content.decode()
        assert "1 of 3 modules done" in page
        assert "Continue where you left off: Module 2" in page
        assert "private" in client.get(course.url)["Cache-Control"]

    def test_enrolling_twice_says_so(self, client, world):
        course = make_course()
        client.force_login(world.trainee)
        client.post(course.url)
        response = client.post(course.url, follow=True)
        assert "You are already enrolled in this course." in response.content.decode()
        assert Enrollment.objects.count() == 1

    def test_unmet_prerequisites_are_explained_with_links(self, client, world):
        basics = make_course("basics", modules=1)
        advanced = make_course("advanced", prerequisites=[basics])
        client.force_login(world.trainee)
        page = client.get(advanced.url).content.decode()
        assert "Complete these courses first" in page
        assert f'href="{basics.url}"' in page
        assert "Enroll in this course" not in page
        response = client.post(advanced.url, follow=True)
        assert "Please complete these courses first: Basics." in response.content.decode()
        assert not Enrollment.objects.exists()


class TestModulePage:
    def test_content_is_for_enrolled_trainees_only(self, client, world):
        course = make_course()
        module = course.modules().first()
        for person in (None, world.trainee):
            if person:
                client.force_login(person)
            response = client.get(module.url)
            page = response.content.decode()
            assert "Teaching text for module 1" not in page
            assert "Enroll in the course to read it" in page
            assert "no-store" in response["Cache-Control"]
            assert "private" in response["Cache-Control"]
        services.enrollment_create(trainee=world.trainee, course=course)
        response = client.get(module.url)
        page = response.content.decode()
        assert "Teaching text for module 1" in page
        assert "Show the discussion" in page
        assert "no-store" in response["Cache-Control"]
        assert Enrollment.objects.get().last_module_id == module.pk

    def test_mark_done_moves_on_and_completes(self, client, world):
        course = make_course(modules=2)
        first, second = course.modules()
        client.force_login(world.trainee)
        client.post(course.url)
        response = client.post(first.url, {"action": "done"})
        assert response.url == second.url
        response = client.post(second.url, {"action": "done"}, follow=True)
        assert "you completed Course" in response.content.decode()
        assert Enrollment.objects.get().completed_at is not None

    def test_marking_done_without_enrolling_is_refused(self, client, world):
        course = make_course()
        client.force_login(world.trainee)
        response = client.post(course.modules().first().url, {"action": "done"}, follow=True)
        assert "Enroll in the course first" in response.content.decode()
        assert not ModuleCompletion.objects.exists()

    def test_reflection_saved_privately_and_a_too_long_one_keeps_the_text(self, client, world):
        course = make_course(modules=1)
        module = course.modules().get()
        client.force_login(world.trainee)
        client.post(course.url)
        block_id = reflection_id(module)
        response = client.post(
            module.url,
            {"action": "reflection", "block_id": block_id, "text": "I felt seen."},
            follow=True,
        )
        assert "Only you can see it." in response.content.decode()
        assert "I felt seen." in response.content.decode()
        too_long = "a" * 5001
        response = client.post(
            module.url, {"action": "reflection", "block_id": block_id, "text": too_long}
        )
        assert response.status_code == 400
        assert too_long in response.content.decode()
        assert ReflectionAnswer.objects.get().text == "I felt seen."
        # Nobody else sees it, not even another enrolled trainee.
        other = UserFactory()
        services.enrollment_create(trainee=other, course=course)
        client.force_login(other)
        assert "I felt seen." not in client.get(module.url).content.decode()


@pytest.mark.parametrize("count", [1, 50])
def test_module_page_query_budget_does_not_grow(
    client, world, count, django_assert_max_num_queries
):
    course = make_course(modules=count if count > 1 else 1)
    for number in range(count - 1):
        other = make_course(f"other-{number}", modules=1)
        services.enrollment_create(trainee=world.trainee, course=other)
        services.enrollment_create(trainee=UserFactory(verified_email=False), course=course)
    services.enrollment_create(trainee=world.trainee, course=course)
    module = course.modules().first()
    for done in list(course.modules())[: count // 2]:
        services.module_mark_done(trainee=world.trainee, module=done)
    client.force_login(world.trainee)
    client.get(module.url)
    with django_assert_max_num_queries(24):
        response = client.get(module.url)
    assert "Teaching text for module 1" in response.content.decode()


class TestCatalog:
    def test_filters_search_and_pagination(self, client):
        make_course("ethics-basics", title="Ethics basics", hours={"ethical-responsibility": "1"})
        make_course(
            "advocacy-long", title="Advocacy in depth", hours={"advocacy": "6"}, delivery="blended"
        )
        for number in range(12):
            make_course(f"extra-{number}", title=f"Extra {number:02d}", modules=1)
        catalog_url = catalog().url
        page = client.get(catalog_url).content.decode()
        assert "14 courses" in page
        assert "Page 1 of 2" in page
        page = client.get(catalog_url, {"domain": "advocacy"}).content.decode()
        assert "Advocacy in depth" in page and "Ethics basics" not in page
        page = client.get(catalog_url, {"length": "long"}).content.decode()
        assert "Advocacy in depth" in page and "Extra 00" not in page
        page = client.get(catalog_url, {"delivery": "blended"}).content.decode()
        assert "1 course" in page
        page = client.get(catalog_url, {"q": "advocacy"}).content.decode()
        assert "Advocacy in depth" in page and "Ethics basics" not in page
        page = client.get(catalog_url, {"page": "2"}).content.decode()
        assert "Page 2 of 2" in page

    def test_catalog_query_count_is_fixed(self, client, django_assert_max_num_queries):
        for number in range(15):
            make_course(f"c-{number}", modules=1)
        with django_assert_max_num_queries(18):
            assert client.get(catalog().url).status_code == 200


def test_dashboard_shows_my_courses_next_step_and_hours(
    client, world, django_assert_max_num_queries
):
    done_course = make_course("finished", modules=1, hours={"advocacy": "2"})
    ongoing = make_course("ongoing", modules=3)
    for course in (done_course, ongoing):
        services.enrollment_create(trainee=world.trainee, course=course)
    services.module_mark_done(trainee=world.trainee, module=done_course.modules().get())
    services.module_mark_done(trainee=world.trainee, module=ongoing.modules().first())
    client.force_login(world.trainee)
    with django_assert_max_num_queries(24):  # 23, and one for the programs panel
        page = client.get("/dashboard/").content.decode()
    assert "My courses" in page
    assert "1 of 3 modules done" in page
    assert "Next step: Module 2" in page
    assert "Completed" in page
    assert "Advocacy" in page and ">2<" in page
