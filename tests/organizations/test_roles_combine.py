import pytest

from organizations.roles import EDITOR, ORG_ADMIN, REGISTRAR, SUPERVISOR, TRAINEE, combine_roles


@pytest.mark.parametrize(
    ("flags", "groups", "superuser", "expected"),
    [
        # Signed up alone: a trainee with no organization.
        ([], [], False, {TRAINEE}),
        ([(True, False, False)], [], False, {TRAINEE}),
        ([(False, True, False)], [], False, {SUPERVISOR}),
        # A supervisor who also takes continuing education holds both roles.
        ([(True, True, False)], [], False, {TRAINEE, SUPERVISOR}),
        # Roles from several organizations add up.
        ([(False, False, True), (True, False, False)], [], False, {ORG_ADMIN, TRAINEE}),
        # Staff are not trainees unless a membership makes them one.
        ([], ["Registrars"], False, {REGISTRAR}),
        ([], ["Editors"], False, {EDITOR}),
        ([], ["Moderators"], False, {TRAINEE}),
        ([(True, False, False)], ["Editors"], False, {TRAINEE, EDITOR}),
        ([], [], True, {REGISTRAR, EDITOR}),
    ],
)
def test_combine_roles(flags, groups, superuser, expected):
    assert combine_roles(membership_flags=flags, group_names=groups, is_superuser=superuser) == (
        frozenset(expected)
    )
