"""Who a person is on the site, as a set of role names.

Organization roles come from memberships; the site staff roles (registrar, editor) are Wagtail
groups created by this app's migrations. ``person_roles`` is the one place that combines them.
"""

from django.utils.translation import gettext_lazy as _

TRAINEE = "trainee"
SUPERVISOR = "supervisor"
ORG_ADMIN = "org_admin"
REGISTRAR = "registrar"
EDITOR = "editor"

REGISTRARS_GROUP = "Registrars"
EDITORS_GROUP = "Editors"
STAFF_GROUPS = {REGISTRARS_GROUP: REGISTRAR, EDITORS_GROUP: EDITOR}

ROLE_LABELS = {
    TRAINEE: _("Trainee"),
    SUPERVISOR: _("Supervisor"),
    ORG_ADMIN: _("Organization admin"),
    REGISTRAR: _("Registrar"),
    EDITOR: _("Editor"),
}


def combine_roles(
    *,
    membership_flags: list[tuple[bool, bool, bool]],
    group_names: list[str],
    is_superuser: bool,
) -> frozenset[str]:
    """Decide a person's roles from plain values.

    Someone who signed up on their own holds no membership and no staff role: they are a
    trainee, so they can take courses and pursue programs before any organization adds them.
    """
    roles: set[str] = set()
    for is_trainee, is_supervisor, is_org_admin in membership_flags:
        if is_trainee:
            roles.add(TRAINEE)
        if is_supervisor:
            roles.add(SUPERVISOR)
        if is_org_admin:
            roles.add(ORG_ADMIN)
    roles.update(STAFF_GROUPS[name] for name in group_names if name in STAFF_GROUPS)
    if is_superuser:
        roles.update({REGISTRAR, EDITOR})
    if not membership_flags and not roles:
        roles.add(TRAINEE)
    return frozenset(roles)


def person_roles(user) -> frozenset[str]:
    """The roles of ``user``, computed once per user object (two queries)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_alongside_roles", None)
    if cached is None:
        cached = combine_roles(
            membership_flags=list(
                user.memberships.values_list("is_trainee", "is_supervisor", "is_org_admin")
            ),
            group_names=list(user.groups.values_list("name", flat=True)),
            is_superuser=user.is_superuser,
        )
        user._alongside_roles = cached
    return cached


def forget_roles(user) -> None:
    """Drop the cached roles after a membership or group change."""
    if hasattr(user, "_alongside_roles"):
        del user._alongside_roles
