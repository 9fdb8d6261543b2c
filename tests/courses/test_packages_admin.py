"""The course packages admin: editors upload packages and download courses; nobody else can."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import courses.package_admin  # noqa: F401 - registers the admin hooks (also done by wagtail_hooks)
from assessments.models import Quiz
from cms.demo import ensure_site
from courses.models import CourseIndexPage, CoursePage
from courses.packages import export_course, import_packages

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(settings.BASE_DIR) / "content" / "courses" / "professional-boundaries.json"
UPLOAD = "/admin/course-packages/"


@pytest.fixture
def home():
    return ensure_site(lambda message: None)


@pytest.fixture
def course(home):
    import_packages([(SHIPPED.name, SHIPPED.read_bytes())])
    return CoursePage.objects.get(slug="professional-boundaries")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def example_bytes(**changes) -> bytes:
    doc = json.loads((FIXTURES / "example-course.json").read_text(encoding="utf-8"))
    doc.update(changes)
    return json.dumps(doc).encode()


def test_the_urls_are_where_they_are_documented(course):
    assert reverse("course_packages:upload") == UPLOAD
    assert reverse("course_packages:export", args=[course.pk]) == (
        f"/admin/course-packages/export/{course.pk}/"
    )


def test_anonymous_people_are_sent_to_log_in(client, course):
    for url in (UPLOAD, reverse("course_packages:export", args=[course.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert client.post(UPLOAD, {"files": [upload("a.json", example_bytes())]}).status_code == 302
    assert CoursePage.objects.count() == 1


@pytest.mark.parametrize("who", ["trainee", "supervisor", "org_admin"])
def test_people_without_admin_access_get_nothing(client, world, course, who):
    client.force_login(getattr(world, who))
    for url in (UPLOAD, reverse("course_packages:export", args=[course.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert b"course-package" not in response.content


def refused(response) -> bool:
    """Wagtail answers a refused admin view by sending the person back to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def test_staff_without_page_permissions_are_refused(client, world, course):
    client.force_login(world.registrar)
    assert refused(client.get(UPLOAD))
    assert refused(client.post(UPLOAD, {"files": [upload("a.json", example_bytes())]}))
    assert not CoursePage.objects.filter(slug="boundaries-basics").exists()
    assert refused(client.get(reverse("course_packages:export", args=[course.pk])))
    assert UPLOAD.encode() not in client.get("/admin/").content


def test_editors_see_the_menu_item_and_the_upload_form(client, world, home):
    client.force_login(world.editor)
    assert UPLOAD.encode() in client.get("/admin/").content
    response = client.get(UPLOAD)
    assert response.status_code == 200
    assert b"Course packages" in response.content
    assert b'type="file"' in response.content and b"multiple" in response.content


def test_an_editor_imports_several_files_and_sees_the_report(client, world, home):
    client.force_login(world.editor)
    files = [
        upload(
            "advanced.json", example_bytes(slug="advanced", prerequisites=["boundaries-basics"])
        ),
        upload("basics.json", example_bytes()),
    ]
    response = client.post(UPLOAD, {"files": files})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Import finished." in content
    assert "boundaries-basics" in content and "advanced" in content and "Created" in content
    assert "quizzes are validated but not stored yet" not in content
    course = CoursePage.objects.get(slug="advanced")
    assert course.live
    assert course.latest_revision.user == world.editor
    quiz = Quiz.objects.get(module__in=course.modules())
    assert [row.question.latest_revision.user for row in quiz.quiz_questions.all()] == [
        world.editor,
        world.editor,
    ]


def test_an_editor_can_reorder_and_remove_modules(client, world, course):
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    doc["modules"] = [doc["modules"][2], doc["modules"][0], doc["modules"][1]]
    client.force_login(world.editor)
    response = client.post(UPLOAD, {"files": [upload("pb.json", json.dumps(doc).encode())]})
    assert "Updated" in response.content.decode()
    slugs = [module["slug"] for module in doc["modules"]]
    assert [module.slug for module in course.modules()] == slugs


def test_a_refused_upload_lists_every_problem_and_saves_nothing(client, world, home):
    client.force_login(world.editor)
    bad = json.loads(example_bytes(slug="bad"))
    bad["delivery"] = "<b>by post</b>"
    bad["modules"][0]["quiz"]["questions"][0]["choices"][0]["correct"] = True
    files = [
        upload("good.json", example_bytes()),
        upload("bad.json", json.dumps(bad).encode()),
        upload("junk.json", bytes(range(256))),
    ]
    response = client.post(UPLOAD, {"files": files})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "junk.json" in content and "is not UTF-8 text" in content
    assert "<code>delivery</code>: must be one of: self-paced" in content
    assert "<code>modules[0].quiz.questions[0].choices</code>" in content
    assert "<b>by post</b>" not in content
    assert not CoursePage.objects.exists()
    assert not CourseIndexPage.objects.exists()


def test_a_check_only_upload_saves_nothing(client, world, home):
    client.force_login(world.editor)
    response = client.post(UPLOAD, {"files": [upload("a.json", example_bytes())], "dry_run": "on"})
    assert "Nothing was saved." in response.content.decode()
    assert not CoursePage.objects.exists()


def test_only_json_files_are_accepted(client, world, home):
    client.force_login(world.editor)
    response = client.post(UPLOAD, {"files": [upload("notes.pdf", b"%PDF")]})
    assert response.status_code == 200
    assert (
        "Choose course package files ending in .json (not notes.pdf)." in response.content.decode()
    )


def test_an_editor_downloads_a_course_package(client, world, course):
    client.force_login(world.editor)
    response = client.get(reverse("course_packages:export", args=[course.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="professional-boundaries.json"'
    assert json.loads(response.content) == export_course(course)
    assert (
        client.get(reverse("course_packages:export", args=[course.get_parent().pk])).status_code
        == 404
    )


def test_the_download_is_offered_in_the_page_listing_and_header(client, world, course):
    client.force_login(world.editor)
    url = reverse("course_packages:export", args=[course.pk]).encode()
    assert url in client.get(reverse("wagtailadmin_explore", args=[course.get_parent().pk])).content
    assert url in client.get(reverse("wagtailadmin_explore", args=[course.pk])).content
    catalog_listing = client.get(
        reverse("wagtailadmin_explore", args=[course.get_parent().get_parent().pk])
    )
    assert b"/admin/course-packages/export/" not in catalog_listing.content
