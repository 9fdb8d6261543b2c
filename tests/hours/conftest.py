import datetime

import pytest
from django.utils import timezone

from courses.domains import ensure_icrc_domains
from courses.models import Domain
from tests.factories import QualificationFactory


@pytest.fixture
def values(db):
    ensure_icrc_domains()

    def build(**changes):
        data = {
            "ledger": "practice",
            "supervision_format": "",
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "minutes": 60,
            "domain": Domain.objects.get(code="recovery-wellness-support"),
            "activity": "one_to_one",
            "setting": "detox",
            "delivery": "in_person",
            "description": "One-to-one support after an admission.",
        }
        data.update(changes)
        return data

    return build


@pytest.fixture
def qualified(world):
    QualificationFactory(user=world.supervisor)
    return world
