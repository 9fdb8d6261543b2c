"""Supervised hours in the admin: the audit log actions for every decision."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_hours_log_actions(actions):
    actions.register_action("alongside.hours.submit", _("Submit hours"), _("Hours sent for review"))
    actions.register_action("alongside.hours.approve", _("Approve hours"), _("Hours approved"))
    actions.register_action("alongside.hours.reject", _("Send hours back"), _("Hours sent back"))
    actions.register_action(
        "alongside.hours.reopen", _("Reopen hours"), _("Approved hours reopened")
    )


@hooks.register("register_site_navigation")
def hours_navigation():
    from cms.navigation import NavItem
    from organizations.roles import SUPERVISOR, TRAINEE

    return [
        NavItem(_("Hours"), "hours_index", order=30, roles=frozenset({TRAINEE})),
        NavItem(_("Review hours"), "hours_review", order=50, roles=frozenset({SUPERVISOR})),
    ]


@hooks.register("register_dashboard_panels")
def review_panel(request):
    from cms.dashboard import Panel
    from organizations.roles import SUPERVISOR, person_roles

    from .selectors import pending_review_count

    if SUPERVISOR not in person_roles(request.user):
        return None
    return Panel("hours/panels/review.html", 40, {"waiting": pending_review_count(request.user)})


@hooks.register("register_dashboard_panels")
def supervised_hours_panel(request):
    from cms.dashboard import Panel
    from organizations.roles import TRAINEE, person_roles

    from .selectors import ledger_totals_of

    if TRAINEE not in person_roles(request.user):
        return None
    return Panel("hours/panels/my_hours.html", 25, {"ledgers": ledger_totals_of(request.user)})


@hooks.register("before_delete_user")
def keep_people_with_signed_records(request, user):
    """A person whose hours were signed off, or who signed off hours, is part of an attested
    record: deactivate them instead of deleting (the database refuses the deletion anyway)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from .models import HourEntry, SignOff

    if (
        HourEntry.objects.filter(trainee=user).exists()
        or SignOff.objects.filter(decided_by=user).exists()
    ):
        messages.error(
            request,
            _(
                "%(name)s has supervised-hours records that were signed off. Such records are kept "
                "for boards, so this person cannot be deleted. Untick “Active” to deactivate them instead."
            )
            % {"name": user.get_full_name() or user.email},
        )
        return redirect("wagtailusers_users:edit", user.pk)
    return None


@hooks.register("register_personal_data")
def personal_data_sections(user):
    """This app's part of a person's download of their own data (``accounts.personal_data``)."""
    from .selectors import personal_data

    return personal_data(user)
