"""Builders for course page trees in tests: a catalog, courses and modules, published."""

from decimal import Decimal

from cms.demo import ensure_site
from courses.domains import ensure_icrc_domains
from courses.models import (
    CourseContactHours,
    CourseIndexPage,
    CoursePage,
    CoursePrerequisite,
    Domain,
    ModulePage,
)


def catalog() -> CourseIndexPage:
    existing = CourseIndexPage.objects.first()
    if existing:
        return existing
    home = ensure_site(lambda message: None)
    page = CourseIndexPage(title="Courses", slug="courses")
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def make_course(
    slug="course",
    *,
    modules=2,
    hours=None,
    prerequisites=(),
    title=None,
    delivery="self-paced",
    content_note="",
    reflection=True,
) -> CoursePage:
    ensure_icrc_domains()  # a flushed database (transactional tests) has lost them
    course = CoursePage(
        title=title or slug.replace("-", " ").title(),
        slug=slug,
        summary=f"What {slug} teaches, in a sentence.",
        delivery=delivery,
        content_note=content_note,
        objectives=[("objective", "Name one thing")],
    )
    catalog().add_child(instance=course)
    for code, value in (hours or {"ethical-responsibility": "1.5"}).items():
        CourseContactHours.objects.create(
            course=course, domain=Domain.objects.get(code=code), hours=Decimal(value)
        )
    for prerequisite in prerequisites:
        CoursePrerequisite.objects.create(course=course, prerequisite=prerequisite)
    course.save_revision().publish()
    for number in range(1, modules + 1):
        body = [
            ("heading", f"Part {number}"),
            ("text", f"<p>Teaching text for module {number}.</p>"),
            (
                "scenario",
                {
                    "title": "At the detox unit",
                    "situation": "<p>A peer asks you for a ride.</p>",
                    "questions": ["What would you say?"],
                    "discussion": "<p>Offer other ways to get there.</p>",
                },
            ),
        ]
        if reflection:
            body.append(("reflection", {"prompt": "What does this bring up for you?"}))
        module = ModulePage(
            title=f"Module {number}", slug=f"module-{number}", minutes=30, body=body
        )
        course.add_child(instance=module)
        module.save_revision().publish()
    course.refresh_from_db()
    return course
