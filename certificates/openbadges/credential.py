"""The Open Badges 3.0 ``OpenBadgeCredential`` for a certificate, before it is signed.

``build`` is a pure function from plain values (``Facts``) to the JSON document; ``facts_of``
reads those values from a certificate, its program version or course, and its snapshot.

Only terms the two contexts define are used, spelled as their terms (a JSON member no context
defines would be left out of what the proof signs, and strict verifiers refuse it). What the
credential says about its holder is kept to what Open Badges needs: the email address only as
a salted SHA-256 hash, the name as printed (the same as on the PDF and the public verification
page) as a plain ``name`` identifier, and hours by domain as evidence, never notes, clients,
scores or anything else from the record.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import display, eligibility, selectors, wording
from ..models import Certificate, CertificateKind, Issuance
from . import contexts, did
from .proofs import iso_utc

REVOCATION, SUSPENSION = "revocation", "suspension"
PURPOSES = (REVOCATION, SUSPENSION)

ACHIEVEMENT_TYPES = {
    # OB 3.0 AchievementType values for our program kinds.
    "certification": "Certification",
    "certificate-of-completion": "CertificateOfCompletion",
    "micro-credential": "MicroCredential",
}
COURSE_ACHIEVEMENT_TYPE = "CertificateOfCompletion"
DOMAIN_TARGET_TYPE = "ext:Domain"
"""OB 3.0's AlignmentTargetType has no value for a competency domain, so it is an extension
value (the ``ext:`` prefix is how the enumeration is extended)."""


@dataclass(frozen=True)
class Alignment:
    code: str
    name: str
    url: str


@dataclass(frozen=True)
class Evidence:
    name: str
    narrative: str


@dataclass(frozen=True)
class Facts:
    """Everything a credential says, as plain values."""

    credential_id: str
    title: str
    issuer_did: str
    issuer_name: str
    issuer_url: str
    issued_at: datetime.datetime
    valid_until: datetime.datetime | None
    email: str
    salt: str
    name_as_printed: str
    number: str
    achievement_id: str
    achievement_type: str
    achievement_name: str
    achievement_description: str
    criteria: str
    alignment_framework: str
    alignments: tuple[Alignment, ...]
    credits_available: Decimal | None
    evidence: tuple[Evidence, ...]
    status_list_urls: dict
    """purpose -> the URL of the status list for that purpose."""
    status_index: int


def identity_hash(email: str, salt: str) -> str:
    """``sha256$<hex>`` of the email address followed by the salt, as Open Badges hashes a
    recipient's identity."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def _number(value: Decimal) -> int | float:
    """A JSON number for an ``xsd:float`` term: a whole number as an integer, so every JSON-LD
    processor writes the same canonical literal."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def build(facts: Facts) -> dict:
    """The unsigned OpenBadgeCredential."""
    achievement = {
        "id": facts.achievement_id,
        "type": ["Achievement"],
        "achievementType": facts.achievement_type,
        "name": facts.achievement_name,
        "description": facts.achievement_description,
        "criteria": {"narrative": facts.criteria},
    }
    if facts.alignments:
        achievement["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": alignment.name,
                "targetUrl": alignment.url,
                "targetCode": alignment.code,
                "targetType": DOMAIN_TARGET_TYPE,
                "targetFramework": facts.alignment_framework,
            }
            for alignment in facts.alignments
        ]
    if facts.credits_available is not None:
        achievement["creditsAvailable"] = _number(facts.credits_available)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": identity_hash(facts.email, facts.salt),
                "salt": facts.salt,
            },
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": facts.name_as_printed,
            },
        ],
        "achievement": achievement,
    }
    if facts.number:
        subject["licenseNumber"] = facts.number
    document = {
        "@context": list(contexts.CREDENTIAL_CONTEXT),
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": facts.issuer_did,
            "type": ["Profile"],
            "name": facts.issuer_name,
            "url": facts.issuer_url,
        },
        "name": facts.title,
        "validFrom": iso_utc(facts.issued_at),
        "credentialSubject": subject,
    }
    if facts.valid_until is not None:
        document["validUntil"] = iso_utc(facts.valid_until)
    if facts.evidence:
        document["evidence"] = [
            {"type": ["Evidence"], "name": item.name, "narrative": item.narrative}
            for item in facts.evidence
        ]
    document["credentialStatus"] = [
        {
            "id": f"{facts.status_list_urls[purpose]}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(facts.status_index),
            "statusListCredential": facts.status_list_urls[purpose],
        }
        for purpose in PURPOSES
    ]
    return document


# Reading the facts of a certificate ------------------------------------------------------------


def credential_url(verification_code: str) -> str:
    return f"{settings.SITE_URL}/verify/{verification_code}/credential.json"


def status_list_url(list_number: int, purpose: str) -> str:
    return f"{settings.SITE_URL}/credentials/status/{list_number}/{purpose}.json"


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last second of ``day`` in the site's time zone: a credential that expires on a date
    is valid through that whole day where the site is."""
    return datetime.datetime.combine(
        day, datetime.time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )


def _hours_lines(hours_by_domain: list[tuple[str, Decimal]]) -> str:
    lines = [
        "- "
        + ngettext("%(domain)s: %(count)s hour", "%(domain)s: %(count)s hours", _plural(value))
        % {"domain": name, "count": wording.format_hours(value)}
        for name, value in hours_by_domain
    ]
    total = sum((value for _name, value in hours_by_domain), Decimal(0))
    lines.append(
        ngettext("Total: %(count)s hour", "Total: %(count)s hours", _plural(total))
        % {"count": wording.format_hours(total)}
    )
    return "\n".join(lines)


def _plural(value: Decimal) -> int:
    return int(value) if value == value.to_integral_value() else 2


LEDGER_EVIDENCE = {
    eligibility.TRAINING: lambda: _("Training hours by domain"),
    eligibility.PRACTICE: lambda: _("Supervised practice hours by domain"),
    eligibility.SUPERVISION: lambda: _("Supervision hours by domain"),
}


def _program_evidence(snapshot: dict) -> list[Evidence]:
    names = snapshot.get("domains") or {}
    evidence = []
    for ledger in eligibility.LEDGERS:
        by_domain = (snapshot.get("hours") or {}).get(ledger) or {}
        rows = [(names.get(code, code), Decimal(value)) for code, value in by_domain.items()]
        if rows:
            evidence.append(Evidence(name=LEDGER_EVIDENCE[ledger](), narrative=_hours_lines(rows)))
    renewal = snapshot.get("renewal") or {}
    if renewal.get("training_hours"):
        rows = [
            (names.get(code, code), Decimal(value))
            for code, value in renewal["training_hours"].items()
        ]
        evidence.append(
            Evidence(
                name=_("Continuing education hours by domain, for this renewal"),
                narrative=_hours_lines(rows),
            )
        )
    return evidence


def _program_facts(certificate: Certificate) -> dict:
    version = certificate.program_version
    snapshot = certificate.snapshot or {}
    slug = (snapshot.get("program") or {}).get("slug") or version.program.slug
    requirements = selectors.requirements_of(version)
    names = selectors.names_for([version])
    evaluation = eligibility.evaluate(
        requirements, eligibility.Record(), today=timezone.localdate()
    )
    lines = [f"- {row.requirement}" for row in display.rows_of(evaluation, names)]
    criteria = _("To earn this credential, a person met every requirement of %(title)s:") % {
        "title": version.title
    }
    criteria = "\n".join([criteria, "", *lines])
    if version.issuance == Issuance.REVIEW:
        criteria += "\n" + _("A registrar checked the record before the credential was issued.")
    domains = names.domains
    training = version.requirements.get("training") or {}
    program_url = f"{settings.SITE_URL}/programs/{quote(slug)}/"
    return {
        "achievement_id": f"{program_url}#version-{version.number}",
        "achievement_type": ACHIEVEMENT_TYPES.get(version.kind, "Certification"),
        "achievement_name": version.title,
        "achievement_description": version.description or version.title,
        "criteria": criteria,
        "alignment_framework": version.title,
        "alignments": tuple(
            Alignment(
                code=code,
                name=domains.get(code, code),
                url=f"{settings.SITE_URL}/courses/?domain={quote(code)}",
            )
            for code in requirements.domains
        ),
        "credits_available": Decimal(training["total"]) if training.get("total") else None,
        "evidence": tuple(_program_evidence(snapshot)),
    }


def _course_facts(certificate: Certificate) -> dict:
    course = certificate.course
    snapshot = certificate.snapshot or {}
    slug = (snapshot.get("course") or {}).get("slug") or course.slug
    hours = snapshot.get("hours") or {}
    rows = [(row["name"], Decimal(row["hours"])) for row in hours.values()]
    return {
        "achievement_id": f"{settings.SITE_URL}/courses/{quote(slug)}/",
        "achievement_type": COURSE_ACHIEVEMENT_TYPE,
        "achievement_name": certificate.title,
        "achievement_description": course.summary or certificate.title,
        "criteria": _("Complete every module of the course %(title)s and pass each of its quizzes.")
        % {"title": certificate.title},
        "alignment_framework": certificate.title,
        "alignments": tuple(
            Alignment(
                code=code,
                name=row["name"],
                url=f"{settings.SITE_URL}/courses/?domain={quote(code)}",
            )
            for code, row in hours.items()
        ),
        "credits_available": sum((value for _name, value in rows), Decimal(0)) if rows else None,
        "evidence": (
            (Evidence(name=_("Contact hours by domain"), narrative=_hours_lines(rows)),)
            if rows
            else ()
        ),
    }


def facts_of(certificate: Certificate) -> Facts:
    """What ``certificate``'s credential says, written in the site's language (a credential is
    one document for everyone, whoever asks for it first). ``certificate`` needs its holder,
    program version (with its program) or course loaded, a salt and a status list entry."""
    if not certificate.identity_salt or certificate.status_list is None:
        raise ValueError("The certificate has no salt or status list entry yet.")
    with translation.override(settings.LANGUAGE_CODE):
        if certificate.kind == CertificateKind.PROGRAM:
            achievement = _program_facts(certificate)
        else:
            achievement = _course_facts(certificate)
        return Facts(
            credential_id=credential_url(certificate.verification_code),
            title=certificate.title,
            issuer_did=did.issuer_did(),
            issuer_name=settings.CREDENTIAL_ISSUER_NAME,
            issuer_url=settings.SITE_URL,
            issued_at=certificate.issued_at,
            valid_until=end_of_day(certificate.expires_on) if certificate.expires_on else None,
            email=certificate.holder.email,
            salt=certificate.identity_salt,
            name_as_printed=certificate.name_as_printed,
            number=certificate.number,
            status_list_urls={
                purpose: status_list_url(certificate.status_list, purpose) for purpose in PURPOSES
            },
            status_index=certificate.status_index,
            **achievement,
        )
