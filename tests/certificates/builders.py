"""Builders for credential tests: programs written straight into the tables (the importer has
its own tests), and a trainee's record made through the real services, so every event fires."""

import datetime
import hashlib
import json

from django.utils import timezone

from certificates.models import (
    AttestationText,
    CredentialProgram,
    ProgramVersion,
    ProgramVersionAttestation,
)
from courses import services as course_services
from courses.models import Domain
from hours import services as hour_services

ICRC_DOMAINS = [
    "advocacy",
    "mentoring-education",
    "recovery-wellness-support",
    "ethical-responsibility",
]


def hours_rule(total, by_domain=(), within_days=None) -> dict:
    return {
        "total": str(total),
        "by_domain": [[code, str(value)] for code, value in by_domain],
        "within_days": within_days,
    }


def make_program(
    slug="micro",
    *,
    title=None,
    issuance="automatic",
    courses=(),
    training=None,
    practice=None,
    supervision=None,
    attestations=(),
    validity_days=730,
    domains=ICRC_DOMAINS,
    program=None,
) -> ProgramVersion:
    """A new program (or, given ``program``, its next version) with these requirements.
    ``attestations`` are ``(code, text)`` pairs; a changed text gets the next version."""
    texts = []
    for code, text in attestations:
        latest = AttestationText.objects.filter(code=code).order_by("-version").first()
        if latest is None or latest.text != text:
            latest = AttestationText.objects.create(
                code=code,
                version=(latest.version + 1) if latest else 1,
                title=code.replace("-", " ").capitalize(),
                text=text,
            )
        texts.append(latest)
    requirements = {"domains": list(domains), "courses": list(courses)}
    for name, rule in (
        ("training", training),
        ("practice", practice),
        ("supervision", supervision),
    ):
        if rule is not None:
            requirements[name] = rule
    requirements["attestations"] = [[text.code, text.version] for text in texts]
    document = {"slug": slug, "requirements": requirements, "issuance": issuance}
    if program is None:
        program = CredentialProgram.objects.create(slug=slug)
    number = program.versions.count() + 1
    version = ProgramVersion.objects.create(
        program=program,
        number=number,
        title=title or f"{slug.replace('-', ' ').title()} credential",
        description="What this credential shows.",
        kind="micro-credential",
        issuance=issuance,
        validity_days=validity_days,
        requirements=requirements,
        renewal={"training": hours_rule(2, [("ethical-responsibility", 1)]), "grace_days": 30},
        document=document,
        digest=hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest(),
    )
    for order, text in enumerate(texts):
        ProgramVersionAttestation.objects.create(
            version=version, attestation=text, sort_order=order
        )
    program.current_version = version
    program.save(update_fields=["current_version"])
    return version


def complete_course(trainee, course) -> None:
    course_services.enrollment_create(trainee=trainee, course=course)
    for module in course.get_children().live().specific():
        course_services.module_mark_done(trainee=trainee, module=module)


def approve_hours(
    world, *, ledger="practice", domain="recovery-wellness-support", minutes=120, days_ago=1
):
    """Log, submit and approve one entry of ``world.trainee`` (the supervisor must hold a
    qualification)."""
    entry = hour_services.entry_save(
        trainee=world.trainee,
        values={
            "ledger": ledger,
            "supervision_format": "individual" if ledger == "supervision" else "",
            "date": timezone.localdate() - datetime.timedelta(days=days_ago),
            "minutes": minutes,
            "domain": Domain.objects.get(code=domain),
            "activity": "one_to_one",
            "setting": "detox",
            "delivery": "in_person",
            "description": "Support after an admission.",
        },
    )
    hour_services.entries_submit(
        trainee=world.trainee, entries=[entry], supervisor=world.supervisor
    )
    hour_services.entries_decide(supervisor=world.supervisor, entry_ids=[entry.pk], approve=True)
    return entry
