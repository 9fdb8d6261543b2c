"""Every URL of our own apps, requested by every kind of person.

The URL configuration is enumerated, so a new URL without an entry here fails
``test_every_url_has_an_entry``. Someone else's object is a 404, never a 403, so nobody learns
what exists outside what they may see.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from organizations import services

OUR_APPS = (
    "accounts.",
    "organizations.",
    "cms.",
    "courses.",
    "assessments.",
    "hours.",
    "certificates.",
)
ROLES = ("anonymous", "trainee", "supervisor", "other_org_admin", "org_admin")

LOGIN = "login"  # a redirect to the login page


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry, prefix + str(entry.pattern)


def our_url_names() -> set[str]:
    names = set()
    for pattern, route in _walk(get_resolver().url_patterns):
        module = getattr(pattern.callback, "__module__", "")
        # Our views inside the Wagtail admin are covered by test_admin_access and their own tests.
        if module.startswith(OUR_APPS) and pattern.name and not route.startswith("admin/"):
            names.add(pattern.name)
    return names


def _invitation(world):
    return services.invitation_create(
        organization=world.org,
        email="invitee@example.test",
        roles={"trainee"},
        invited_by=world.org_admin,
    )


def _quiz(world):
    """A quiz in a course the world's trainee is enrolled in, built once per test."""
    if not hasattr(world, "_quiz"):
        from assessments import services as quiz_services
        from courses import services as course_services
        from tests.course_pages import make_course
        from tests.quiz_builders import make_quiz

        course = make_course(modules=1, reflection=False)
        world._quiz = make_quiz(course.modules().get(), kinds=("single",))
        course_services.enrollment_create(trainee=world.trainee, course=course)
        submitted = quiz_services.attempt_start(trainee=world.trainee, quiz=world._quiz)
        quiz_services.answers_save(attempt=submitted, trainee=world.trainee, answers={})
        quiz_services.attempt_submit(attempt=submitted, trainee=world.trainee)
        world._submitted_attempt = submitted
        world._quiz.max_attempts = None
        world._quiz.save()
        world._open_attempt = quiz_services.attempt_start(trainee=world.trainee, quiz=world._quiz)
    return world._quiz


def _open_attempt(world):
    _quiz(world)
    return world._open_attempt.pk


def _submitted_attempt(world):
    _quiz(world)
    return world._submitted_attempt.pk


def _hours(world):
    """A submitted and an approved entry of the world's trainee, built once per test."""
    if not hasattr(world, "_entries"):
        from courses.domains import ensure_icrc_domains
        from courses.models import Domain
        from hours import services as hour_services
        from tests.factories import QualificationFactory

        ensure_icrc_domains()
        QualificationFactory(user=world.supervisor)
        values = {
            "ledger": "practice",
            "supervision_format": "",
            "date": timezone.localdate(),
            "minutes": 60,
            "domain": Domain.objects.get(code="advocacy"),
            "activity": "outreach",
            "setting": "community",
            "delivery": "in_person",
            "description": "Outreach shift",
        }
        entries = [
            hour_services.entry_save(trainee=world.trainee, values={**values, "minutes": m})
            for m in (60, 30)
        ]
        hour_services.entries_submit(
            trainee=world.trainee, entries=entries, supervisor=world.supervisor
        )
        hour_services.entries_decide(
            supervisor=world.supervisor, entry_ids=[entries[1].pk], approve=True
        )
        draft = hour_services.entry_save(trainee=world.trainee, values={**values, "minutes": 15})
        world._entries = {"submitted": entries[0], "approved": entries[1], "draft": draft}
    return world._entries


def _program(world):
    """A program with a statement to sign, which the world's trainee has started."""
    if not hasattr(world, "_program"):
        from certificates import services as credential_services
        from tests.certificates.builders import hours_rule, make_program

        version = make_program(
            "micro", practice=hours_rule(5), attestations=[("pledge", "I will.")]
        )
        credential_services.program_start(trainee=world.trainee, program=version.program)
        world._program = version.program
    return world._program


def _certificate(world):
    """A certificate of the world's trainee (its PDF is rendered on first download)."""
    from certificates import services as credential_services
    from tests.certificates.builders import make_program

    version = make_program("quick")
    credential_services.program_start(trainee=world.trainee, program=version.program)
    return world.trainee.certificates.get()


ORG = {"slug": lambda w: w.org.slug}
PROGRAM = {"slug": lambda w: _program(w).slug}
TRAINEE_ONLY = {
    "anonymous": LOGIN,
    "trainee": 200,
    "supervisor": 404,
    "other_org_admin": 404,
    "org_admin": 404,
}
ADMIN_ONLY = {
    "anonymous": LOGIN,
    "trainee": 404,
    "supervisor": 404,
    "other_org_admin": 404,
    "org_admin": 200,
}
SIGNED_IN = {
    "anonymous": LOGIN,
    "trainee": 200,
    "supervisor": 200,
    "other_org_admin": 200,
    "org_admin": 200,
}

MATRIX = {
    "dashboard": ("get", {}, SIGNED_IN),
    "health": ("get", {}, dict.fromkeys(ROLES, 200)),
    "profile": ("get", {}, SIGNED_IN),
    "personal_data": ("get", {}, SIGNED_IN),
    "organization_index": (
        "get",
        {},
        {
            "anonymous": LOGIN,
            "trainee": 403,
            "supervisor": 403,
            "other_org_admin": 302,
            "org_admin": 302,
        },
    ),
    "organization_detail": ("get", ORG, ADMIN_ONLY),
    "organization_invite": ("get", ORG, ADMIN_ONLY),
    "organization_assignment_create": ("get", ORG, ADMIN_ONLY),
    "organization_member_roles": (
        "get",
        {**ORG, "pk": lambda w: w.membership(w.trainee).pk},
        ADMIN_ONLY,
    ),
    "organization_member_remove": (
        "get",
        {**ORG, "pk": lambda w: w.membership(w.trainee).pk},
        ADMIN_ONLY,
    ),
    "organization_assignment_end": ("get", {**ORG, "pk": lambda w: w.assignment.pk}, ADMIN_ONLY),
    "organization_invitation_withdraw": (
        "post",
        {**ORG, "pk": lambda w: _invitation(w).pk},
        {**ADMIN_ONLY, "org_admin": 302},
    ),
    "quiz_detail": ("get", {"pk": lambda w: _quiz(w).pk}, TRAINEE_ONLY),
    "attempt_take": ("get", {"pk": _open_attempt}, TRAINEE_ONLY),
    "attempt_autosave": ("post", {"pk": _open_attempt}, {**TRAINEE_ONLY, "trainee": 400}),
    "attempt_result": ("get", {"pk": _submitted_attempt}, TRAINEE_ONLY),
    "hours_index": ("get", {}, SIGNED_IN),
    "hours_new": ("get", {}, SIGNED_IN),
    "hours_edit": ("get", {"pk": lambda w: _hours(w)["draft"].pk}, TRAINEE_ONLY),
    "hours_submit": (
        "post",
        {},
        {
            **SIGNED_IN,
            **dict.fromkeys(["trainee", "supervisor", "other_org_admin", "org_admin"], 302),
        },
    ),
    # Opening the review queue first asks a supervisor to confirm their password.
    "hours_review": (
        "get",
        {},
        {
            "anonymous": LOGIN,
            "trainee": 403,
            "supervisor": 302,
            "other_org_admin": 403,
            "org_admin": 403,
        },
    ),
    # Supervisors are first asked to confirm their password (a redirect); others are refused.
    "hours_review_approve": (
        "post",
        {},
        {
            "anonymous": LOGIN,
            "trainee": 403,
            "supervisor": 302,
            "other_org_admin": 403,
            "org_admin": 403,
        },
    ),
    "hours_review_reject": (
        "get",
        {"pk": lambda w: _hours(w)["submitted"].pk},
        {
            "anonymous": LOGIN,
            "trainee": 403,
            "supervisor": 302,
            "other_org_admin": 403,
            "org_admin": 403,
        },
    ),
    "hours_reopen": (
        "get",
        {"pk": lambda w: _hours(w)["approved"].pk},
        {
            "anonymous": LOGIN,
            "trainee": 403,
            "supervisor": 403,
            "other_org_admin": 403,
            "org_admin": 403,
        },
    ),
    "hours_record": (
        "get",
        {"trainee_id": lambda w: _hours(w) and w.trainee.pk},
        {
            "anonymous": LOGIN,
            "trainee": 200,
            "supervisor": 200,
            "other_org_admin": 404,
            "org_admin": 200,
        },
    ),
    "hours_record_csv": (
        "get",
        {"trainee_id": lambda w: _hours(w) and w.trainee.pk},
        {
            "anonymous": LOGIN,
            "trainee": 200,
            "supervisor": 200,
            "other_org_admin": 404,
            "org_admin": 200,
        },
    ),
    "hours_record_pdf": (
        "get",
        {"trainee_id": lambda w: _hours(w) and w.trainee.pk},
        {
            "anonymous": LOGIN,
            "trainee": 200,
            "supervisor": 200,
            "other_org_admin": 404,
            "org_admin": 200,
        },
    ),
    "program_list": ("get", {}, dict.fromkeys(ROLES, 200)),
    "program_detail": ("get", PROGRAM, dict.fromkeys(ROLES, 200)),
    "program_start": (
        "post",
        PROGRAM,
        {
            "anonymous": LOGIN,
            "trainee": 302,
            "supervisor": 403,
            "other_org_admin": 403,
            "org_admin": 403,
        },
    ),
    "attestation_sign": ("get", {**PROGRAM, "code": lambda w: "pledge"}, TRAINEE_ONLY),
    "program_review_request": ("post", PROGRAM, {**TRAINEE_ONLY, "trainee": 302}),
    "program_packet": ("get", PROGRAM, TRAINEE_ONLY),
    "credentials": ("get", {}, SIGNED_IN),
    "certificate_renew": (
        "post",
        {"pk": lambda w: _certificate(w).pk},
        {**TRAINEE_ONLY, "trainee": 302},
    ),
    "certificate_pdf": (
        "get",
        {"pk": lambda w: _certificate(w).pk},
        {**TRAINEE_ONLY, "trainee": 202},
    ),
    "credential_download": ("get", {"pk": lambda w: _certificate(w).pk}, TRAINEE_ONLY),
    "credential_public": (
        "get",
        {"code": lambda w: _certificate(w).verification_code},
        dict.fromkeys(ROLES, 200),
    ),
    "credential_status_list": (
        "get",
        {
            "list_number": lambda w: str(_certificate(w).status_list),
            "purpose": lambda w: "revocation",
        },
        dict.fromkeys(ROLES, 200),
    ),
    "credential_check": ("get", {}, dict.fromkeys(ROLES, 200)),
    "did_document": ("get", {}, dict.fromkeys(ROLES, 200)),
    "did_document_under_path": ("get", {}, dict.fromkeys(ROLES, 200)),
    "verify": ("get", {}, dict.fromkeys(ROLES, 200)),
    "verify_record": (
        "get",
        {"code": lambda w: _certificate(w).verification_code},
        dict.fromkeys(ROLES, 200),
    ),
    "verify_status": (
        "get",
        {"code": lambda w: _certificate(w).verification_code},
        dict.fromkeys(ROLES, 200),
    ),
    "invitation": (
        "get",
        {"token": lambda w: services.invitation_token(_invitation(w))},
        dict.fromkeys(ROLES, 200),
    ),
    "credential_sharing": ("get", {}, SIGNED_IN),
    "organization_credentials": ("get", ORG, ADMIN_ONLY),
    "organization_credential_check": ("get", ORG, ADMIN_ONLY),
}


def test_every_url_has_an_entry():
    missing = our_url_names() - set(MATRIX)
    assert not missing, f"Add these URLs to the permission matrix: {sorted(missing)}"
    stale = set(MATRIX) - our_url_names()
    assert not stale, f"These matrix entries name no URL: {sorted(stale)}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, url_name, role):
    method, kwargs, expected_by_role = MATRIX[url_name]
    url = reverse(url_name, kwargs={key: build(world) for key, build in kwargs.items()})
    person = {
        "anonymous": None,
        "trainee": world.trainee,
        "supervisor": world.supervisor,
        "other_org_admin": world.other_admin,
        "org_admin": world.org_admin,
    }[role]
    if person is not None:
        client.force_login(person)
    response = getattr(client, method)(url)
    expected = expected_by_role[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, (url, role, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["organization_member_roles", "organization_member_remove"])
def test_an_admin_cannot_reach_another_organizations_member_through_their_own(
    client, world, url_name
):
    client.force_login(world.other_admin)
    url = reverse(
        url_name, kwargs={"slug": world.other_org.slug, "pk": world.membership(world.trainee).pk}
    )
    assert client.get(url).status_code == 404
    assert client.post(url, {"roles": ["supervisor"]}).status_code == 404
    assert world.membership(world.trainee).roles == {"trainee"}


@pytest.mark.django_db
def test_an_admin_cannot_end_another_organizations_assignment(client, world):
    client.force_login(world.other_admin)
    url = reverse(
        "organization_assignment_end",
        kwargs={"slug": world.other_org.slug, "pk": world.assignment.pk},
    )
    assert client.post(url, {"ends_on": "2020-01-01"}).status_code == 404
    world.assignment.refresh_from_db()
    assert world.assignment.ends_on is None
