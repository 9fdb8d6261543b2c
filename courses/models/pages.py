"""The course tree editors build: ``CourseIndexPage`` (the catalog at /courses/) holds
``CoursePage``s, each holding its ``ModulePage``s in teaching order. ``Domain`` is a site-wide
competency domain that courses credit contact hours to.

Pages hold what editors write. What trainees do (enrollments, completions, the hours ledger,
reflections) lives in ``learning.py`` and points at these pages, so editing a page never
changes a trainee's record.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..blocks import module_blocks

DELIVERY_CHOICES = [
    ("self-paced", _("Self-paced online")),
    ("live-online", _("Live online")),
    ("in-person", _("In person")),
    ("blended", _("Blended")),
]


class Domain(models.Model):
    """A competency domain (such as the four of IC&RC peer recovery). Identified site-wide by
    its code; course packages and credential programs refer to domains by code."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("competency domain")
        verbose_name_plural = _("competency domains")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CourseIndexPage(Page):
    """The catalog. There is one, at /courses/, listing every live course."""

    intro = models.TextField(_("introduction"), blank=True, max_length=1000)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalog")

    def serve(self, request, *args, **kwargs):
        from ..views import serve_catalog

        return serve_catalog(request, self)


class CoursePage(Page):
    """A course: what it teaches, how long it takes, what it credits, and its modules as child
    pages. Its estimated time is the sum of its modules' minutes, so the two cannot disagree."""

    summary = models.TextField(_("summary"), max_length=2000)
    objectives = StreamField(
        [("objective", blocks.CharBlock(max_length=500, label=_("Objective")))],
        blank=True,
        verbose_name=_("learning objectives"),
    )
    delivery = models.CharField(
        _("delivery mode"), max_length=20, choices=DELIVERY_CHOICES, default="self-paced"
    )
    content_note = models.TextField(
        _("content note"),
        blank=True,
        max_length=1000,
        help_text=_(
            "Shown before the course starts, for material that may be hard to read (relapse, "
            "overdose, trauma)."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("objectives"),
        FieldPanel("delivery"),
        FieldPanel("content_note"),
        InlinePanel("contact_hours", label=_("Contact hours by domain")),
        InlinePanel("prerequisite_links", label=_("Prerequisites")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("objectives"),
        index.FilterField("delivery"),
    ]

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("course")

    def modules(self):
        return ModulePage.objects.child_of(self).live().order_by("path")

    @property
    def total_contact_hours(self) -> Decimal:
        return sum((row.hours for row in self.contact_hours.all()), Decimal(0))

    def serve(self, request, *args, **kwargs):
        from ..views import serve_course

        return serve_course(request, self)


class CourseContactHours(Orderable):
    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="contact_hours")
    domain = models.ForeignKey(
        Domain, on_delete=models.PROTECT, related_name="+", verbose_name=_("domain")
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    panels = [FieldRowPanel([FieldPanel("domain"), FieldPanel("hours")])]

    class Meta(Orderable.Meta):
        verbose_name = _("contact hours")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "domain"], name="contact_hours_one_per_domain"
            )
        ]


class CoursePrerequisite(Orderable):
    course = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="prerequisite_links")
    prerequisite = models.ForeignKey(
        CoursePage,
        on_delete=models.PROTECT,
        related_name="required_by",
        verbose_name=_("course to complete first"),
    )

    panels = [FieldPanel("prerequisite")]

    class Meta(Orderable.Meta):
        verbose_name = _("prerequisite")

    def clean(self):
        if self.prerequisite_id and self.prerequisite_id == self.course_id:
            raise ValidationError(_("A course cannot be its own prerequisite."))


class ModulePage(Page):
    """One unit of a course: teaching blocks and the minutes it honestly takes (reading,
    scenario, reflection and quiz). Only enrolled trainees see its content."""

    minutes = models.PositiveIntegerField(
        _("expected minutes"),
        validators=[MinValueValidator(1)],
        help_text=_("Honest study time: reading, the scenario, the reflection and any quiz."),
    )
    body = StreamField(module_blocks(), verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("minutes"), FieldPanel("body")]
    search_fields = [*Page.search_fields]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("module")

    def get_course(self) -> CoursePage:
        return CoursePage.objects.get(pk=self.get_parent().pk)

    def serve(self, request, *args, **kwargs):
        from ..views import serve_module

        return serve_module(request, self)
