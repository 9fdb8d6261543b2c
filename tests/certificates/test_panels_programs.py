"""The programs panels on the dashboard and the hours page: a trainee on a program gets their
progress within the same query budgets as everyone else, and the names shown follow edits."""

import pytest
from django.urls import reverse

from certificates import selectors, services
from courses.models import Domain
from tests.factories import QualificationFactory

from .builders import approve_hours, hours_rule, make_program


@pytest.fixture
def on_program(world):
    QualificationFactory(user=world.supervisor)
    version = make_program(
        "cprs",
        title="Certified Peer Recovery Specialist",
        training=hours_rule(46, [("advocacy", 10)]),
        practice=hours_rule(500, [("recovery-wellness-support", 100)]),
        supervision=hours_rule(25),
        attestations=[("code-of-ethics", "I will follow the code of ethics.")],
    )
    services.program_start(trainee=world.trainee, program=version.program)
    return world


@pytest.mark.parametrize(
    ("url_name", "budget"),
    # The budgets of tests/courses/test_views_course_pages.py (dashboard) and
    # tests/hours/test_views_hours.py (hours page), set for a trainee on no program.
    [("dashboard", 24), ("hours_index", 18)],
)
def test_a_trainee_on_a_program_stays_within_the_page_budget(
    client, on_program, url_name, budget, django_assert_max_num_queries
):
    world = on_program
    approve_hours(world, minutes=120, days_ago=3)
    client.force_login(world.trainee)
    client.get(reverse(url_name))
    with django_assert_max_num_queries(budget) as first:
        page = client.get(reverse(url_name)).content.decode()
    assert "Certified Peer Recovery Specialist" in page
    assert "Advocacy" in page  # a domain the program asks hours of, by its name
    for days_ago in range(4, 12):
        approve_hours(world, ledger="supervision", minutes=60, days_ago=days_ago)
    second = make_program("second", title="Second program", training=hours_rule(4))
    services.program_start(trainee=world.trainee, program=second.program)
    with django_assert_max_num_queries(len(first.captured_queries)):
        page = client.get(reverse(url_name)).content.decode()
    assert "Second program" in page


def test_a_renamed_domain_shows_on_the_next_page(client, on_program):
    world = on_program
    client.force_login(world.trainee)
    page = client.get(reverse("hours_index")).content.decode()
    assert "Advocacy" in page and "Advocacy and voice" not in page
    domain = Domain.objects.get(code="advocacy")
    domain.name = "Advocacy and voice"
    domain.save()
    assert "Advocacy and voice" in client.get(reverse("hours_index")).content.decode()


def test_the_record_behind_every_gap_is_read_in_four_queries(on_program, django_assert_num_queries):
    """Completed courses, training credits, approved hours and signatures, however many."""
    world = on_program
    for days_ago in range(1, 6):
        approve_hours(world, minutes=60, days_ago=days_ago)
    with django_assert_num_queries(4):
        record = selectors.record_of(world.trainee)
    assert sum(row.hours for row in record.hours) == 5
