import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from courses.models import Domain

from .models import HourEntry, Ledger


class DateInput(forms.DateInput):
    input_type = "date"


class ReviewFilter(django_filters.FilterSet):
    trainee = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.none(), label=_("Trainee"), empty_label=_("Everyone")
    )
    ledger = django_filters.ChoiceFilter(
        choices=Ledger.choices, label=_("Ledger"), empty_label=_("Both")
    )
    domain = django_filters.ModelChoiceFilter(
        queryset=Domain.objects.all(),
        to_field_name="code",
        label=_("Domain"),
        empty_label=_("Any domain"),
    )
    date_from = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From"), widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("To"), widget=DateInput()
    )

    class Meta:
        model = HourEntry
        fields = ["trainee", "ledger", "domain", "date_from", "date_to"]

    def __init__(self, *args, trainees, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["trainee"].queryset = trainees
        self.filters["trainee"].field.label_from_instance = lambda person: person.legal_name
