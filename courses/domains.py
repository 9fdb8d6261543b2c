"""The four IC&RC peer recovery domains, with the codes fixed across all shipped content
(see the project's domain notes). A migration creates them; ``ensure_icrc_domains`` restores them
on a database that was emptied (the browser tests do that between tests)."""

ICRC_DOMAINS = [
    ("advocacy", "Advocacy"),
    ("mentoring-education", "Mentoring and Education"),
    ("recovery-wellness-support", "Recovery and Wellness Support"),
    ("ethical-responsibility", "Ethical Responsibility"),
]


def ensure_icrc_domains() -> int:
    from .models import Domain

    created = 0
    for code, name in ICRC_DOMAINS:
        _domain, was_created = Domain.objects.get_or_create(code=code, defaults={"name": name})
        created += was_created
    return created


def domains_declare(rows, domains: dict) -> list[str]:
    """Create the domains that ``rows`` (``{"code", "name"}`` from exchange files) declare, and
    rename those declared with another name; ``domains`` (code → Domain) is updated in place.
    Returns what changed, one line each. Shared by course package and program imports."""
    from django.utils.translation import gettext as _

    from .models import Domain

    changes = []
    for row in rows:
        domain = domains.get(row["code"])
        if domain is None:
            domains[row["code"]] = Domain.objects.create(code=row["code"], name=row["name"])
            changes.append(_("created domain %(code)s (%(name)s)") % row)
        elif domain.name != row["name"]:
            changes.append(
                _("renamed domain %(code)s from %(old)s to %(name)s") % {**row, "old": domain.name}
            )
            domain.name = row["name"]
            domain.save(update_fields=["name"])
    return changes
