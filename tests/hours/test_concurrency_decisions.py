"""Two supervisors (or two tabs) deciding the same entry at the same moment: exactly one
decision wins, the other is told plainly. Real concurrent connections, so PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from hours import services
from hours.models import HourEntry, SignOff
from tests.concurrency import run_together
from tests.factories import AssignmentFactory, MembershipFactory, QualificationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_decision_wins(world, values):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that several connections share (PostgreSQL)")
    QualificationFactory(user=world.supervisor)
    cover = MembershipFactory(organization=world.org, is_trainee=False, is_supervisor=True).user
    QualificationFactory(user=cover)
    AssignmentFactory(organization=world.org, supervisor=cover, trainee=world.trainee)
    entry = services.entry_save(trainee=world.trainee, values=values())
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    deciders = iter([(world.supervisor, True), (cover, False)])

    def decide():
        supervisor, approve = next(deciders)
        return services.entries_decide(
            supervisor=supervisor,
            entry_ids=[entry.pk],
            approve=approve,
            reason="" if approve else "Check the date",
        )

    results, errors = run_together(decide)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError) and "already decided" in errors[0].messages[0]
    assert SignOff.objects.count() == 1
    assert HourEntry.objects.get().status in {"approved", "rejected"}
