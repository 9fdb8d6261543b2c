"""Reads for the organization pages, each in a fixed or bounded number of queries.

The roster shows an organization's admins the credentials of members who chose to share them
(``Membership.shares_credentials``); the members who did not are only counted. The bulk check
looks codes up in batches, reading only what the public verification page shows.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from organizations import selectors as organization_selectors
from organizations.models import Organization

from . import lifecycle
from . import organization_checks as checks
from .models import Certificate


@dataclass(frozen=True)
class RosterRow:
    person: str
    title: str
    kind: str
    status: str
    """The status shown today (``lifecycle``: active, expiring, expired, suspended, ...)."""
    status_label: str
    issued_on: datetime.date
    expires_on: datetime.date | None

    @property
    def needs_attention(self) -> bool:
        return self.status in (lifecycle.EXPIRING, lifecycle.EXPIRED)


@dataclass(frozen=True)
class Alert:
    row: RosterRow
    words: str
    """How far the expiry date is, in words: "Expires in 12 days", "Expired 3 days ago"."""


@dataclass
class Roster:
    rows: list[RosterRow] = field(default_factory=list)
    expiring: list[Alert] = field(default_factory=list)
    expired: list[Alert] = field(default_factory=list)
    sharing_without_credentials: list[str] = field(default_factory=list)
    """Names of members who share but hold no credential yet (they chose to be seen)."""
    sharing: int = 0
    not_sharing: int = 0


def roster_of(organization: Organization, *, today: datetime.date) -> Roster:
    """The credentials of ``organization``'s trainees and supervisors who share them, one row
    per credential, with the expiry alerts and how many members have not chosen to share.
    Three queries, however many members and credentials."""
    members = organization_selectors.members_sharing_credentials(organization).prefetch_related(
        Prefetch(
            "user__certificates",
            queryset=Certificate.objects.only(
                "holder", "title", "kind", "status", "issued_at", "expires_on"
            ).order_by("-issued_at", "-pk"),
            to_attr="shared_certificates",
        )
    )
    counts = organization_selectors.credential_sharing_counts(organization)
    roster = Roster(sharing=counts["sharing"], not_sharing=counts["not_sharing"])
    for membership in members:
        person = membership.user.legal_name or membership.user.email
        if not membership.user.shared_certificates:
            roster.sharing_without_credentials.append(person)
        for certificate in membership.user.shared_certificates:
            status = certificate.shown_status(today)
            roster.rows.append(
                RosterRow(
                    person=person,
                    title=certificate.title,
                    kind=certificate.get_kind_display(),
                    status=status,
                    status_label=certificate.get_shown_status_display(today),
                    issued_on=timezone.localdate(certificate.issued_at),
                    expires_on=certificate.expires_on,
                )
            )
    for row in roster.rows:
        if row.needs_attention and row.expires_on is not None:
            alert = Alert(
                row=row, words=checks.expiry_in_words(expires_on=row.expires_on, today=today)
            )
            (roster.expired if row.status == lifecycle.EXPIRED else roster.expiring).append(alert)
    roster.expiring.sort(key=lambda alert: (alert.row.expires_on, alert.row.person))
    roster.expired.sort(key=lambda alert: (alert.row.expires_on, alert.row.person), reverse=True)
    return roster


def found_by_code(codes: list[str]) -> dict[str, checks.Found]:
    """What the public verification page would show for each of ``codes`` that exists, looked
    up ``checks.LOOKUP_CHUNK`` codes per query (at most ten queries for the largest file)."""
    found = {}
    for chunk in checks.chunks(codes):
        for values in Certificate.objects.filter(verification_code__in=chunk).values(
            "verification_code", "title", "name_as_printed", "expires_on", "status"
        ):
            code = values.pop("verification_code")
            found[code] = checks.Found(**values)
    return found


def check_rows(rows: list[checks.Row], *, today: datetime.date) -> list[checks.Checked]:
    """Each row's result: codes normalized, looked up in batches, decided by ``checks``."""
    return checks.check(rows, found_by_code(checks.codes_to_look_up(rows)), today=today)
