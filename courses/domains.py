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
