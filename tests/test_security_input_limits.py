"""Every text input has a length limit (ASVS 5.0 2.2.1, 2.4.1): each form class in our apps,
each Wagtail admin form for our models, each text column of our models that a person types
into, and the search filters. A limit is a ``max_length`` with its ``MaxLengthValidator``, so
the server refuses longer text with a message (the browser's ``maxlength`` is only a hint)."""

import importlib
import inspect
import pkgutil
import re

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import get_resolver, reverse
from wagtail.admin.panels import get_edit_handler
from wagtail.admin.viewsets import viewsets
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.models import Page

from tests.course_pages import make_course

pytestmark = pytest.mark.django_db

APPS = ("accounts", "organizations", "cms", "courses", "assessments", "hours", "certificates")

# Bounded otherwise, each verified by a test below. A stale entry fails the walk, so the list
# only ever shrinks.
BOUNDED_IN_CLEAN = {
    # certificates/openbadges/ is another team's code: its paste field checks its size in
    # bytes (64 KB) in clean_text, which test_a_pasted_credential_over_64_kb_is_refused checks.
    ("certificates.openbadges.forms.CredentialCheckForm", "text"),
}

# Fields of Wagtail's own models on the page editor: written by editors only, bounded by the
# request size (DATA_UPLOAD_MAX_MEMORY_SIZE). docs/security.md lists them.
THIRD_PARTY_UNBOUNDED = {
    "search_description",
    "comments.text",
    "comments.contentpath",
    "comments.position",
    "comments.replies.text",
}

# Text columns written only by services, from forms whose limits are checked below.
SERVICE_WRITTEN = {
    ("hours.SignOff", "reason"): ("hours.forms.RejectForm", "hours.forms.ReopenForm")
}


def our_modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            yield importlib.import_module(info.name)


def our_classes(base):
    found = {}
    for module in our_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def is_bounded(field) -> bool:
    return field.max_length is not None and any(
        isinstance(validator, MaxLengthValidator) and validator.limit_value == field.max_length
        for validator in field.validators
    )


def unbounded_text_fields(fields: dict, prefix="") -> set[str]:
    return {
        f"{prefix}{name}"
        for name, field in fields.items()
        if isinstance(field, forms.CharField) and not is_bounded(field)
    }


def build(cls, world):
    """An instance of a form class of ours, with the arguments its signature asks for."""
    from organizations.models import Membership

    needs = {
        "days": 14,
        "organization": world.org,
        "memberships": Membership.objects.filter(user=world.trainee),
        "trainees": world.org.memberships.none(),
    }
    parameters = inspect.signature(cls.__init__).parameters
    kwargs = {
        name: value
        for name, value in needs.items()
        if name in parameters and parameters[name].kind == inspect.Parameter.KEYWORD_ONLY
    }
    return cls(**kwargs)


def test_every_form_in_our_apps_bounds_its_text_fields(world):
    form_classes = our_classes(forms.BaseForm)
    assert len(form_classes) > 20  # the walk found them (a broken walk must not pass)
    unbounded, built = set(), 0
    for path, cls in form_classes.items():
        if issubclass(cls, forms.BaseModelForm) and cls._meta.model is None:
            # An admin base form (base_form_class): checked with its model below.
            fields = cls.base_fields
        else:
            fields = build(cls, world).fields
            built += 1
        unbounded |= {(path, name) for name in unbounded_text_fields(fields)}
    assert built > 15
    assert unbounded == BOUNDED_IN_CLEAN


def test_every_filter_in_our_apps_bounds_its_text_fields(world):
    filtersets = our_classes(django_filters.FilterSet)
    assert {path.rsplit(".", 1)[1] for path in filtersets} >= {"CourseFilter", "ReviewFilter"}
    for path, cls in filtersets.items():
        form = build(cls, world).form
        assert unbounded_text_fields(form.fields) == set(), path


def admin_form_classes():
    """The Wagtail admin forms that edit our models: viewsets, pages and settings."""
    assert get_resolver().url_patterns  # loading the URLs registers the viewsets
    found = {}
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if not hasattr(viewset, "get_form_class") or isinstance(model, str):
            continue
        if model._meta.app_label not in APPS:
            continue
        found[f"{type(viewset).__name__} (create)"] = (model, viewset.get_form_class())
        found[f"{type(viewset).__name__} (edit)"] = (model, viewset.get_form_class(for_update=True))
    for model in apps.get_models():
        if model._meta.app_label in APPS and issubclass(model, Page):
            found[model.__name__] = (model, model.get_edit_handler().get_form_class())
    for model in settings_registry:
        if model._meta.app_label in APPS:
            found[model.__name__] = (model, get_edit_handler(model).get_form_class())
    return found


def walk_admin_form(model, form_class, prefix="") -> tuple[set[str], set[str]]:
    """(unbounded fields of ours, unbounded fields of Wagtail's own models)."""
    try:
        fields = form_class().fields  # limits set in __init__ count too
    except Exception:  # noqa: BLE001 - page forms need a parent page; their class fields suffice
        fields = form_class.base_fields
    ours, theirs = set(), set()
    for name in unbounded_text_fields(fields, prefix):
        try:
            owner = model._meta.get_field(name.rsplit(".", 1)[-1]).model
        except FieldDoesNotExist:
            owner = model  # a field of the form only: ours, since our form shows it
        (ours if owner._meta.app_label in APPS else theirs).add(name)
    for name, formset in getattr(form_class, "formsets", {}).items():
        child_ours, child_theirs = walk_admin_form(
            formset.model, formset.form, prefix=f"{prefix}{name}."
        )
        ours |= child_ours
        theirs |= child_theirs
    return ours, theirs


def test_every_admin_form_for_our_models_bounds_its_text_fields():
    found = admin_form_classes()
    expected = {"QuestionViewSet (edit)", "QuestionBankViewSet (edit)", "UserViewSet (create)"}
    assert expected <= set(found) and {"ModulePage", "SiteSettings"} <= set(found)
    third_party = set()
    for label, (model, form_class) in found.items():
        ours, theirs = walk_admin_form(model, form_class)
        assert ours == set(), label
        third_party |= theirs
    assert third_party == THIRD_PARTY_UNBOUNDED


def test_every_text_column_people_type_into_is_bounded():
    admin_forms = dict(admin_form_classes().values())
    unbounded = []
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.TextField) or field.max_length is not None:
                continue
            if field.model._meta.app_label not in APPS:
                continue  # Wagtail's own page columns (url_path, search_description)
            key = (model._meta.label, field.name)
            if key in SERVICE_WRITTEN:
                for path in SERVICE_WRITTEN[key]:
                    module, name = path.rsplit(".", 1)
                    form = getattr(importlib.import_module(module), name)
                    assert is_bounded(form.base_fields[field.name]), path
                assert model not in admin_forms  # and no admin form edits it directly
                continue
            form_class = admin_forms.get(model)
            assert form_class is not None, f"{key}: no max_length and no form that bounds it"
            unbounded.extend([key] if not is_bounded(form_class.base_fields[field.name]) else [])
    assert unbounded == []


# The limits at work ----------------------------------------------------------------------------


def test_the_course_search_refuses_text_over_200_characters(client):
    make_course()
    response = client.get("/courses/", {"q": "x" * 201})
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()
    response = client.get("/courses/", {"q": "x" * 200})
    assert response.status_code == 200
    assert "Ensure this value has at most" not in response.content.decode()


def test_a_pasted_credential_over_64_kb_is_refused(client):
    response = client.post(reverse("credential_check"), {"text": "{" + " " * (64 * 1024) + "}"})
    assert response.status_code == 200
    assert "the limit is 64 KB" in response.content.decode()


def test_posted_back_check_results_are_bounded(client, world):
    from certificates.organization_forms import ROWS_TEXT_MAX_CHARS, CheckDownloadForm

    form = CheckDownloadForm({"rows": "[" * (ROWS_TEXT_MAX_CHARS + 1)})
    assert not form.is_valid()
    assert form.errors["rows"] == [
        "We could not read these results again. Please upload your file again."
    ]


def test_question_text_is_bounded_by_its_text_not_its_markup():
    from assessments.models import Question

    field = Question.snippet_viewset.get_form_class(for_update=True).base_fields["prompt"]
    field.clean("<p>" + "x" * 50_000 + "</p>")
    field.clean("<p><b>" + "x" * 49_999 + "</b></p>")
    with pytest.raises(ValidationError):
        field.clean("<p>" + "x" * 50_001 + "</p>")


def test_bank_description_and_footer_are_bounded_and_admins_set_no_passwords():
    from accounts.viewsets import AlongsideUserCreationForm, AlongsideUserEditForm
    from assessments.models import QuestionBank
    from cms.models import SiteSettings

    assert not {"password1", "password2"} & set(AlongsideUserCreationForm().fields)
    assert not {"password1", "password2"} & set(AlongsideUserEditForm().fields)
    description = QuestionBank.snippet_viewset.get_form_class().base_fields["description"]
    footer = get_edit_handler(SiteSettings).get_form_class().base_fields["footer_support_text"]
    for field, limit in ((description, 2000), (footer, 1000)):
        field.clean("x" * limit)
        with pytest.raises(ValidationError, match=re.escape(f"at most {limit} characters")):
            field.clean("x" * (limit + 1))
