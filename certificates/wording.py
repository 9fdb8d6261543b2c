"""Plain words for eligibility items (see ``eligibility.py``), as trainees read them.

Each sentence is whole in the catalog, one per ledger, so translators never glue pieces
together. Hour counts use ``ngettext`` with a ``%(count)s`` placeholder. Names of domains,
courses and attestations come from the caller; a missing name falls back to its code.
"""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .eligibility import (
    ATTESTATION,
    COURSE,
    HOURS_DOMAIN,
    HOURS_TOTAL,
    PRACTICE,
    SUPERVISION,
    TRAINING,
    Item,
)

LEDGER_NOUNS = {
    TRAINING: gettext_lazy("training hours"),
    PRACTICE: gettext_lazy("supervised practice hours"),
    SUPERVISION: gettext_lazy("supervision hours"),
}


def format_hours(value: Decimal) -> str:
    """Hours as people write them, in the reader's number format: 4.5, 0.25 or 10."""
    number = Decimal(value).normalize()
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=places, use_l10n=True)


def _plural_number(value: Decimal) -> int:
    """The number ``ngettext`` chooses a form by: the value itself when whole (so only exactly
    1 is singular in English), else 2, which picks the form fractions take in English and in
    most languages with several plural forms."""
    return int(value) if value == value.to_integral_value() else 2


def _count(value: Decimal) -> dict:
    return {"count": format_hours(value)}


_TOTAL = {
    TRAINING: lambda n: ngettext(
        "%(count)s training hour in total", "%(count)s training hours in total", n
    ),
    PRACTICE: lambda n: ngettext(
        "%(count)s supervised practice hour in total",
        "%(count)s supervised practice hours in total",
        n,
    ),
    SUPERVISION: lambda n: ngettext(
        "%(count)s supervision hour in total", "%(count)s supervision hours in total", n
    ),
}

_IN_DOMAIN = {
    TRAINING: lambda n: ngettext(
        "%(count)s %(domain)s training hour", "%(count)s %(domain)s training hours", n
    ),
    PRACTICE: lambda n: ngettext(
        "%(count)s %(domain)s supervised practice hour",
        "%(count)s %(domain)s supervised practice hours",
        n,
    ),
    SUPERVISION: lambda n: ngettext(
        "%(count)s %(domain)s supervision hour", "%(count)s %(domain)s supervision hours", n
    ),
}

_MORE_IN_DOMAIN = {
    TRAINING: lambda n: ngettext(
        "%(count)s more %(domain)s training hour", "%(count)s more %(domain)s training hours", n
    ),
    PRACTICE: lambda n: ngettext(
        "%(count)s more %(domain)s supervised practice hour",
        "%(count)s more %(domain)s supervised practice hours",
        n,
    ),
    SUPERVISION: lambda n: ngettext(
        "%(count)s more %(domain)s supervision hour",
        "%(count)s more %(domain)s supervision hours",
        n,
    ),
}

_MORE = {
    TRAINING: lambda n: ngettext(
        "%(count)s more training hour", "%(count)s more training hours", n
    ),
    PRACTICE: lambda n: ngettext(
        "%(count)s more supervised practice hour", "%(count)s more supervised practice hours", n
    ),
    SUPERVISION: lambda n: ngettext(
        "%(count)s more supervision hour", "%(count)s more supervision hours", n
    ),
}

_MORE_IN_ANY_DOMAIN = {
    TRAINING: lambda n: ngettext(
        "%(count)s more training hour in any of the program's domains",
        "%(count)s more training hours in any of the program's domains",
        n,
    ),
    PRACTICE: lambda n: ngettext(
        "%(count)s more supervised practice hour in any of the program's domains",
        "%(count)s more supervised practice hours in any of the program's domains",
        n,
    ),
    SUPERVISION: lambda n: ngettext(
        "%(count)s more supervision hour in any of the program's domains",
        "%(count)s more supervision hours in any of the program's domains",
        n,
    ),
}


def _course(item: Item, course_titles: dict[str, str] | None) -> str:
    title = (course_titles or {}).get(item.key) or item.key
    return _("Complete the course %(title)s") % {"title": title}


def _attestation(item: Item, attestation_titles: dict[str, str] | None) -> str:
    title = (attestation_titles or {}).get(item.key) or item.key
    return _("Sign the %(title)s") % {"title": title}


def _within(text: str, days: int | None) -> str:
    if days is None:
        return text
    if days == 0:
        return _("%(requirement)s, dated today") % {"requirement": text}
    return ngettext(
        "%(requirement)s, dated within the last %(count)s day",
        "%(requirement)s, dated within the last %(count)s days",
        days,
    ) % {"requirement": text, "count": days}


def requirement_text(
    item: Item,
    *,
    domain_names: dict[str, str] | None = None,
    course_titles: dict[str, str] | None = None,
    attestation_titles: dict[str, str] | None = None,
) -> str:
    """What the requirement is: "46 training hours in total", "Sign the Code of ethics"."""
    if item.kind == COURSE:
        return _course(item, course_titles)
    if item.kind == ATTESTATION:
        return _attestation(item, attestation_titles)
    n = _plural_number(item.required)
    if item.kind == HOURS_TOTAL:
        text = _TOTAL[item.ledger](n) % _count(item.required)
    elif item.kind == HOURS_DOMAIN:
        domain = (domain_names or {}).get(item.key) or item.key
        text = _IN_DOMAIN[item.ledger](n) % {**_count(item.required), "domain": domain}
    else:
        raise ValueError(f"unknown item kind {item.kind!r}")
    return _within(text, item.within_days)


def gap_text(
    item: Item,
    *,
    domain_names: dict[str, str] | None = None,
    course_titles: dict[str, str] | None = None,
    attestation_titles: dict[str, str] | None = None,
) -> str:
    """What is left to do, or "" when the item is met.

    A total says only what its domain items do not: the hours needed beyond the domain
    minimums (``beyond_domains``), or nothing when meeting the minimums meets the total. When
    no domain minimum is left, it says plainly how many hours are left."""
    if item.met:
        return ""
    if item.kind == COURSE:
        return _course(item, course_titles)
    if item.kind == ATTESTATION:
        return _attestation(item, attestation_titles)
    if item.kind == HOURS_DOMAIN:
        domain = (domain_names or {}).get(item.key) or item.key
        return _MORE_IN_DOMAIN[item.ledger](_plural_number(item.left)) % {
            **_count(item.left),
            "domain": domain,
        }
    if item.kind == HOURS_TOTAL:
        if item.beyond_domains <= 0:
            return ""
        more = _MORE if item.beyond_domains == item.left else _MORE_IN_ANY_DOMAIN
        return more[item.ledger](_plural_number(item.beyond_domains)) % _count(item.beyond_domains)
    raise ValueError(f"unknown item kind {item.kind!r}")


def progress_text(
    item: Item,
    *,
    domain_names: dict[str, str] | None = None,
    course_titles: dict[str, str] | None = None,
    attestation_titles: dict[str, str] | None = None,
) -> str:
    """Where the trainee stands: "5.5 of 10 hours", or "Done" / "Not yet".

    Takes the same keywords as the other two functions, so callers can pass one set to all."""
    if item.kind in (COURSE, ATTESTATION):
        return _("Done") if item.met else _("Not yet")
    return ngettext(
        "%(earned)s of %(count)s hour",
        "%(earned)s of %(count)s hours",
        _plural_number(item.required),
    ) % {"earned": format_hours(item.earned), **_count(item.required)}
