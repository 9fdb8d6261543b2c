"""The demo site: one organization, a person for every role and a real home page.

Every step is idempotent: it creates what is missing and leaves what exists alone, so running
``seed_demo`` twice changes nothing. Apps built on top add their own steps (courses, programs)
through the ``register_demo_seed_steps`` Wagtail hook; each step is ``(order, callable)`` and the
callable takes a ``report(message)`` function.
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail import hooks
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from organizations.models import (
    Membership,
    Organization,
    SupervisionAssignment,
    SupervisorQualification,
)
from organizations.roles import EDITORS_GROUP, REGISTRARS_GROUP
from organizations.staff_groups import ensure_staff_groups

from .models import HomePage

DEMO_PASSWORD = "alongside-demo"  # noqa: S105 - published demo credential, refused in production

ORGANIZATION = {"name": "Riverside Recovery Community", "slug": "riverside"}

PEOPLE = [
    # email, legal name, preferred name, organization roles, staff group
    ("trainee@example.org", "Jordan Rivera", "Jordan", {"is_trainee"}, None),
    ("trainee2@example.org", "Casey Morgan", "Casey", {"is_trainee"}, None),
    ("supervisor@example.org", "Sam Okafor", "Sam", {"is_supervisor"}, None),
    ("orgadmin@example.org", "Alex Chen", "Alex", {"is_org_admin"}, None),
    ("registrar@example.org", "Robin Diaz", "Robin", set(), REGISTRARS_GROUP),
    ("editor@example.org", "Taylor Brooks", "Taylor", set(), EDITORS_GROUP),
]

DEMO_LOGINS = [
    ("trainee@example.org", "Jordan Rivera", "trainee, supervised by Sam Okafor"),
    ("trainee2@example.org", "Casey Morgan", "trainee, supervised by Sam Okafor"),
    ("supervisor@example.org", "Sam Okafor", "supervisor"),
    ("orgadmin@example.org", "Alex Chen", "organization admin"),
    ("registrar@example.org", "Robin Diaz", "registrar (certification staff)"),
    ("editor@example.org", "Taylor Brooks", "content editor"),
]

HOME_LEAD = (
    "Alongside helps people with lived experience of recovery train, practise and earn their "
    "credential as peer recovery specialists, at their own pace and with a supervisor beside them."
)

HOME_BODY = [
    {
        "type": "cards",
        "value": {
            "heading": "What you can do here",
            "cards": [
                {
                    "title": "Learn",
                    "text": "Short courses on professional boundaries, ethics and confidentiality, "
                    "burnout and self-care, advocacy, mentoring and recovery support. Study on "
                    "your phone, a few minutes at a time.",
                    "link_page": None,
                    "link_url": "",
                    "link_text": "",
                },
                {
                    "title": "Practise with support",
                    "text": "Log the hours you spend supporting peers and the supervision you "
                    "receive. Your supervisor reviews and signs them off, so your record is "
                    "ready when a board asks for it.",
                    "link_page": None,
                    "link_url": "",
                    "link_text": "",
                },
                {
                    "title": "Show what you have earned",
                    "text": "Earn certificates and digital credentials that employers and boards "
                    "can check for themselves, without seeing anything private.",
                    "link_page": None,
                    "link_url": "",
                    "link_text": "",
                },
            ],
        },
    },
    {"type": "heading", "value": "Who Alongside is for"},
    {
        "type": "text",
        "value": "<p><b>Peer workers in training</b> who use their own experience of recovery to "
        "support others in detox, residential treatment and the community.</p>"
        "<p><b>Supervisors</b> who guide new peer workers and confirm their hours.</p>"
        "<p><b>Organizations</b> such as recovery community organizations and treatment "
        "providers, who train and supervise their peer staff.</p>"
        "<p><b>Certification staff and employers</b> who need to trust a person's training "
        "record.</p>",
    },
    {
        "type": "steps",
        "value": {
            "heading": "How to start",
            "steps": [
                "Create a free account with your email address. Use your legal name: it is "
                "printed on your certificates.",
                "Pick a course and study at your own pace. Your progress is saved as you go.",
                "If your employer uses Alongside, they will invite you and assign a supervisor, "
                "so you can log supervised hours too.",
            ],
        },
    },
    {
        "type": "callout",
        "value": {
            "tone": "info",
            "title": "Your privacy",
            "text": "<p>Your record is yours. Supervisors see only the people they supervise, "
            "and anyone checking a credential sees only your name as printed, the credential "
            "and its status. Hour logs never hold details about the people you support.</p>",
        },
    },
]


def ensure_wagtail_base(report) -> None:
    """The rows Wagtail's own migrations create. A fresh site has them; a database emptied by
    ``flush`` (as browser tests do between tests) does not."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
        report("created the root collection")


def ensure_site(report) -> HomePage:
    ensure_wagtail_base(report)
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root")
        report("created the page tree root")
    home = HomePage.objects.first()
    if home is None:
        default_home = root.get_children().filter(content_type__model="page").first()
        if default_home is not None and default_home.slug == "home":
            # Wagtail's placeholder "Welcome" page holds the slug we want; it has no content.
            Site.objects.filter(root_page=default_home).delete()
            default_home.delete()
            root.refresh_from_db()
        home = HomePage(
            title="Peer recovery training, side by side",
            slug="home",
            lead=HOME_LEAD,
            body=HOME_BODY,
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        report("created the home page")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Alongside",
        )
        report("created the site")
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save(update_fields=["root_page"])
        report("pointed the site at the home page")
    return home


def ensure_people(report) -> dict:
    User = get_user_model()
    ensure_staff_groups()
    organization, created = Organization.objects.get_or_create(
        slug=ORGANIZATION["slug"], defaults={"name": ORGANIZATION["name"]}
    )
    if created:
        report(f"created the organization {organization.name}")
    people = {}
    for email, legal_name, preferred_name, role_fields, group_name in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                legal_name=legal_name,
                preferred_name=preferred_name,
            )
            report(f"created {email}")
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if role_fields:
            membership, created = Membership.objects.get_or_create(
                organization=organization, user=user, defaults=dict.fromkeys(role_fields, True)
            )
            if created:
                report(f"added {email} to {organization.name}")
        if group_name and not user.groups.filter(name=group_name).exists():
            user.groups.add(Group.objects.get(name=group_name))
            report(f"added {email} to {group_name}")
        people[email] = user
    return {"organization": organization, "people": people}


def ensure_supervision(report, organization, people) -> None:
    today = timezone.localdate()
    supervisor = people["supervisor@example.org"]
    if not SupervisorQualification.objects.filter(user=supervisor, expires_on__gte=today).exists():
        SupervisorQualification.objects.create(
            user=supervisor,
            credential_name="Certified Peer Recovery Specialist, clinical supervision endorsement",
            credential_number="PRS-S-20417",
            expires_on=today + datetime.timedelta(days=730),
        )
        report("recorded Sam Okafor's supervisor qualification")
    for trainee_email in ("trainee@example.org", "trainee2@example.org"):
        trainee = people[trainee_email]
        if (
            not SupervisionAssignment.objects.current(today)
            .filter(organization=organization, supervisor=supervisor, trainee=trainee)
            .exists()
        ):
            SupervisionAssignment.objects.create(
                organization=organization,
                supervisor=supervisor,
                trainee=trainee,
                starts_on=today - datetime.timedelta(days=90),
            )
            report(f"assigned Sam Okafor to supervise {trainee.legal_name}")


def seed_shell(report) -> None:
    ensure_site(report)
    context = ensure_people(report)
    ensure_supervision(report, context["organization"], context["people"])


def seed_steps():
    steps = [(0, seed_shell)]
    for hook in hooks.get_hooks("register_demo_seed_steps"):
        steps.extend(hook())
    return [step for _order, step in sorted(steps, key=lambda item: item[0])]
