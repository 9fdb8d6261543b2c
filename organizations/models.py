"""Organizations and the roles people hold in them.

An ``Organization`` (an employer, a recovery community organization, a treatment provider) has
``Membership`` rows, each holding a set of roles for one person: trainee, supervisor and
organization admin, in any combination. A member chooses per membership whether the
organization's admins may see their credentials (``shares_credentials``; off until they say so). A ``SupervisionAssignment`` links a supervisor and a
trainee of the same organization for a period; a supervisor's authority to sign off hours rests on
a current ``SupervisorQualification``. An ``Invitation`` brings a new person in by email.

Site-wide staff roles (registrar, editor) are not here: they are Wagtail groups, see ``roles.py``.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("short name for links"), max_length=80, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    TRAINEE = "trainee", _("Trainee")
    SUPERVISOR = "supervisor", _("Supervisor")
    ORG_ADMIN = "org_admin", _("Organization admin")


ROLE_FIELDS = {
    Role.TRAINEE: "is_trainee",
    Role.SUPERVISOR: "is_supervisor",
    Role.ORG_ADMIN: "is_org_admin",
}


class RoleFlags(models.Model):
    """The set of organization roles, as three flags that queries can filter on."""

    is_trainee = models.BooleanField(_("trainee"), default=False)
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    is_org_admin = models.BooleanField(_("organization admin"), default=False)

    class Meta:
        abstract = True

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for role, field in ROLE_FIELDS.items() if getattr(self, field))

    def get_roles_display(self) -> str:
        return ", ".join(str(Role(role).label) for role in Role if role in self.roles)


class Membership(RoleFlags):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("person"),
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    shares_credentials = models.BooleanField(
        _("shares credentials"),
        default=False,
        help_text=_(
            "Whether this person lets the organization's admins see their credentials and "
            "their status. Only the person chooses this, on their profile."
        ),
    )
    shares_credentials_changed_at = models.DateTimeField(
        _("sharing choice changed"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization__name", "user__legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_person"
            ),
            models.CheckConstraint(
                condition=Q(is_trainee=True) | Q(is_supervisor=True) | Q(is_org_admin=True),
                name="membership_has_a_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.organization}"


class SupervisorQualification(models.Model):
    """The credential that qualifies a person to supervise peer workers and attest their hours."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="supervisor_qualifications",
        verbose_name=_("supervisor"),
    )
    credential_name = models.CharField(_("credential"), max_length=200)
    credential_number = models.CharField(_("credential number"), max_length=100)
    expires_on = models.DateField(_("expires on"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("supervisor qualification")
        verbose_name_plural = _("supervisor qualifications")
        ordering = ["-expires_on"]

    def __str__(self):
        return f"{self.credential_name} {self.credential_number}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        return self.expires_on >= (on or timezone.localdate())


class SupervisionAssignmentQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class SupervisionAssignment(models.Model):
    """A supervisor supervises a trainee of the same organization from ``starts_on`` until
    ``ends_on`` (inclusive; open-ended when empty). Ending an assignment sets ``ends_on``; the row
    stays, because later sign-offs are checked against the period it covered."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("organization"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervisee_assignments",
        verbose_name=_("supervisor"),
    )
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervisor_assignments",
        verbose_name=_("trainee"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SupervisionAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision assignment")
        verbose_name_plural = _("supervision assignments")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=F("trainee")), name="assignment_not_self_supervised"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="assignment_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["organization", "supervisor", "trainee"],
                condition=Q(ends_on__isnull=True),
                name="assignment_one_open_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.supervisor} → {self.trainee}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)

    def clean(self):
        """The rules every assignment keeps, whether made by an organization admin on the site or
        by staff in the Wagtail admin."""
        errors = []
        if self.supervisor_id and self.supervisor_id == self.trainee_id:
            errors.append(ValidationError(_("A person cannot supervise themself."), code="self"))
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors.append(
                ValidationError(_("The end date must be on or after the start date."), code="dates")
            )
        if self.organization_id and self.supervisor_id and self.trainee_id:
            members = Membership.objects.filter(organization_id=self.organization_id)
            if not members.filter(user_id=self.supervisor_id, is_supervisor=True).exists():
                errors.append(
                    ValidationError(
                        _("%(person)s is not a supervisor in %(organization)s.")
                        % {"person": self.supervisor, "organization": self.organization},
                        code="not_supervisor",
                    )
                )
            if not members.filter(user_id=self.trainee_id, is_trainee=True).exists():
                errors.append(
                    ValidationError(
                        _("%(person)s is not a trainee in %(organization)s.")
                        % {"person": self.trainee, "organization": self.organization},
                        code="not_trainee",
                    )
                )
            if self.starts_on:
                overlapping = (
                    SupervisionAssignment.objects.filter(
                        organization_id=self.organization_id,
                        supervisor_id=self.supervisor_id,
                        trainee_id=self.trainee_id,
                    )
                    .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on))
                    .exclude(pk=self.pk)
                )
                if self.ends_on:
                    overlapping = overlapping.filter(starts_on__lte=self.ends_on)
                if overlapping.exists():
                    errors.append(
                        ValidationError(
                            _("%(supervisor)s already supervises %(trainee)s in this period.")
                            % {"supervisor": self.supervisor, "trainee": self.trainee},
                            code="duplicate",
                        )
                    )
        if errors:
            raise ValidationError(errors)


class Invitation(RoleFlags):
    """An email invitation to join an organization with a set of roles.

    The link carries a signed, expiring token for this row; accepting it creates or extends the
    invitee's membership. A used or withdrawn invitation cannot be used again."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organization"),
    )
    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} · {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None
