import django_filters
from django.db.models import DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .models import DELIVERY_CHOICES, CourseContactHours, CoursePage, Domain

SEARCH_MAX_LENGTH = 200
"""Longer search text is refused (the form says so) before it reaches the search backend."""

LENGTHS = {
    "short": (None, 2),
    "medium": (2, 5),
    "long": (5, None),
}


def with_total_hours(queryset):
    total = (
        CourseContactHours.objects.filter(course=OuterRef("pk"))
        .values("course")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return queryset.annotate(
        total_hours=Coalesce(
            Subquery(total), 0, output_field=DecimalField(max_digits=8, decimal_places=2)
        )
    )


class CourseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search", label=_("Search courses"), max_length=SEARCH_MAX_LENGTH
    )
    domain = django_filters.ModelChoiceFilter(
        queryset=Domain.objects.all(),
        field_name="contact_hours__domain",
        label=_("Domain"),
        empty_label=_("Any domain"),
        to_field_name="code",
    )
    delivery = django_filters.ChoiceFilter(
        choices=DELIVERY_CHOICES, label=_("How it is taught"), empty_label=_("Any way")
    )
    length = django_filters.ChoiceFilter(
        choices=[
            ("short", _("Under 2 hours")),
            ("medium", _("2 to 5 hours")),
            ("long", _("Over 5 hours")),
        ],
        method="filter_length",
        label=_("Length"),
        empty_label=_("Any length"),
    )

    class Meta:
        model = CoursePage
        fields = ["q", "domain", "delivery", "length"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matches = [page.pk for page in CoursePage.objects.live().search(value)]
        return queryset.filter(pk__in=matches)

    def filter_length(self, queryset, name, value):
        low, high = LENGTHS[value]
        if low is not None:
            queryset = queryset.filter(total_hours__gte=low)
        if high is not None:
            queryset = queryset.filter(total_hours__lt=high)
        return queryset
