"""Sign-offs are insert-only in the database itself, on SQLite and on PostgreSQL."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from hours import services
from hours.models import SignOff, SignOffEntry
from hours.triggers import maintenance
from tests.factories import QualificationFactory


@pytest.fixture
def sign_off(world, values):
    QualificationFactory(user=world.supervisor)
    entry = services.entry_save(trainee=world.trainee, values=values())
    services.entries_submit(trainee=world.trainee, entries=[entry], supervisor=world.supervisor)
    return services.entries_decide(supervisor=world.supervisor, entry_ids=[entry.pk], approve=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE hours_signoff SET reason = 'edited'",
        "DELETE FROM hours_signoff",
        "UPDATE hours_signoffentry SET entry_id = entry_id",
        "DELETE FROM hours_signoffentry",
    ],
)
def test_update_and_delete_fail(sign_off, statement):
    # Raw SQL, as a shell session or a bug would send it: the ORM's own checks are bypassed.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    sign_off.refresh_from_db()
    assert sign_off.reason == ""
    assert SignOffEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_maintenance_switch_allows_a_deliberate_change(sign_off):
    with maintenance():
        SignOff.objects.filter(pk=sign_off.pk).update(reason="restored from backup")
    sign_off.refresh_from_db()
    assert sign_off.reason == "restored from backup"
    with pytest.raises(DatabaseError), transaction.atomic():
        SignOff.objects.update(reason="again")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_tables(sign_off):
    call_command("flush", "--no-input", verbosity=0)
    assert not SignOff.objects.exists()
