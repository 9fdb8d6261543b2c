"""Two events meeting the last requirement at the same moment issue one credential. Real
concurrent connections, so PostgreSQL; the constraint itself is checked on every database."""

import pytest
from django.db import IntegrityError, connection, transaction

from certificates import codes, services
from certificates.models import Certificate, ProgramEnrollment
from tests.concurrency import run_together

from .builders import make_program


@pytest.mark.django_db(transaction=True)
def test_concurrent_events_issue_one_credential(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server that several connections share (PostgreSQL)")
    version = make_program("micro")  # no requirements: met the moment it is evaluated
    ProgramEnrollment.objects.create(
        trainee=world.trainee, program=version.program, version=version
    )

    def event():
        with transaction.atomic():
            return services.programs_reevaluate(trainee_id=world.trainee.pk)

    results, errors = run_together(event, count=4)
    assert errors == []
    assert sorted(len(issued) for issued in results) == [0, 0, 0, 1]
    assert Certificate.objects.filter(holder=world.trainee, kind="program").count() == 1


@pytest.mark.django_db
def test_the_database_refuses_a_second_initial_credential(world):
    version = make_program("micro")
    enrollment = ProgramEnrollment.objects.create(
        trainee=world.trainee, program=version.program, version=version
    )
    [certificate] = services.programs_reevaluate(trainee_id=world.trainee.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            holder=world.trainee,
            kind="program",
            program_enrollment=enrollment,
            program_version=version,
            name_as_printed="Someone",
            title=certificate.title,
            verification_code=codes.new_code(),
            issued_at=certificate.issued_at,
            snapshot={},
        )
    assert Certificate.objects.filter(program_enrollment=enrollment).count() == 1
