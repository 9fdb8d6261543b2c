"""Quizzes in the Wagtail admin, grouped under "Quizzes": question banks, questions (snippets with
revisions and history), quizzes, accommodations, and the quiz reports. Also the audit log actions
of taking a quiz and of granting an accommodation."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView as SnippetDeleteView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import integration  # noqa: F401 - course completion and module page hooks
from .admin_views import QuizReportsMenuItem
from .admin_views import urlpatterns as report_urlpatterns
from .models import Accommodation, Question, QuestionBank, Quiz

ACCOMMODATION_ACTION = "alongside.quiz.accommodation"
QUIZZES_MENU_HOOK = "register_quizzes_menu_item"


class ProtectedDeleteMixin:
    """Refuse, with a message, to delete what past attempts still point to (a database PROTECT),
    instead of failing with a server error: past results must stay explainable."""

    protected_message = gettext_lazy(
        "“%(object)s” cannot be deleted: quiz attempts or other records still use it."
    )

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, self.protected_message % {"object": self.object})
            return redirect(self.get_success_url())


class ProtectedSnippetDeleteView(ProtectedDeleteMixin, SnippetDeleteView):
    pass


class SubmittedChildrenForm(WagtailAdminModelForm):
    """Run the model's own checks (``Question.clean``, ``Quiz.clean``) against the choices, pairs
    and quiz questions as submitted.

    Django validates the model before the inline formsets are applied to it, so those checks
    would otherwise count no choices on a new question, and the stored ones, not the edited ones,
    on an existing question. The submitted children are put in place for the check only; saving
    still goes through the formsets as usual.
    """

    def _post_clean(self):
        cache = self.instance.__dict__.setdefault("_cluster_related_objects", {})
        stored = {name: cache.get(name) for name in self.formsets}
        for name, formset in self.formsets.items():
            cache[name] = self._submitted(formset)
        try:
            super()._post_clean()
        finally:
            for name, children in stored.items():
                if children is None:
                    cache.pop(name, None)
                else:
                    cache[name] = children

    @staticmethod
    def _submitted(formset) -> list:
        children = []
        for form in formset.forms:
            if not form.is_valid():
                # Its own errors show beside it; the model check waits until they are fixed.
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue  # an extra form left empty
            children.append(form.instance)
        return children


# Length limits on the text fields whose model field has none (docs/security.md, "input
# length"). Rich text counts its text, not its markup: the limit is the course package format's
# for markdown, so a question imported from a package can always be edited and saved again.
RICH_TEXT_MAX_CHARS = 50_000
BANK_DESCRIPTION_MAX_CHARS = 2_000


class QuestionBankForm(WagtailAdminModelForm):
    description = QuestionBank._meta.get_field("description").formfield(
        max_length=BANK_DESCRIPTION_MAX_CHARS
    )


class QuestionForm(SubmittedChildrenForm):
    prompt = Question._meta.get_field("prompt").formfield(max_length=RICH_TEXT_MAX_CHARS)
    explanation = Question._meta.get_field("explanation").formfield(max_length=RICH_TEXT_MAX_CHARS)


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("description")], base_form_class=QuestionBankForm
    )
    icon = "folder-inverse"
    menu_label = gettext_lazy("Question banks")
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
    search_backend_name = None
    delete_view_class = ProtectedSnippetDeleteView


class QuestionViewSet(SnippetViewSet):
    """Questions keep revisions: every save is a revision shown in the history, and attempts
    record the revision they asked."""

    model = Question
    icon = "help"
    menu_label = gettext_lazy("Questions")
    list_display = ["__str__", "kind", "points", "bank"]
    list_filter = ["bank", "kind"]
    # Django's search over the prompt: the model is indexed, but the admin filters (kind) are
    # not search-index filter fields, so the ORM does both.
    search_fields = ["prompt"]
    search_backend_name = None
    delete_view_class = ProtectedSnippetDeleteView
    edit_handler = ObjectList(Question.panels, base_form_class=QuestionForm)

    def get_queryset(self, request):
        return Question.objects.select_related("bank")


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "clipboard-list"
    menu_label = gettext_lazy("Quizzes")
    list_display = ["title", "module", "course", "pass_mark", "max_attempts", "time_limit_minutes"]
    search_fields = ["title"]
    search_backend_name = None
    # Also registers the "view quiz" permission in the group editor: it opens the quiz reports.
    inspect_view_enabled = True
    delete_view_class = ProtectedSnippetDeleteView
    edit_handler = ObjectList(Quiz.panels, base_form_class=SubmittedChildrenForm)

    def get_queryset(self, request):
        return Quiz.objects.select_related("module", "course")


# --------------------------------------------------------------------------------------------
# Accommodations
# --------------------------------------------------------------------------------------------


class TraineeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(legal_name)s (%(email)s)") % {"legal_name": obj.legal_name, "email": obj.email}


class AccommodationForm(WagtailAdminModelForm):
    trainee = TraineeChoiceField(
        queryset=get_user_model().objects.none(),
        label=gettext_lazy("Trainee"),
        help_text=gettext_lazy("Listed by legal name, with their email address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = Q(is_active=True)
        if self.instance.trainee_id:
            people |= Q(pk=self.instance.trainee_id)
        self.fields["trainee"].queryset = (
            get_user_model().objects.filter(people).order_by("legal_name", "email")
        )
        self.fields["extra_attempts"].help_text = _(
            "Attempts on top of the quiz's maximum. Leave at 0 for none."
        )
        self.fields["extra_time_minutes"].help_text = _(
            "Minutes added to the quiz's time limit, for every attempt. Leave at 0 for none."
        )
        self.fields["reason"].help_text = _(
            "Why this trainee gets more time or attempts, in plain words. Staff and auditors read "
            "it in the history. Leave out medical or other private details."
        )

    def clean(self):
        cleaned_data = super().clean()
        attempts = cleaned_data.get("extra_attempts")
        minutes = cleaned_data.get("extra_time_minutes")
        if attempts is not None and minutes is not None and not attempts and not minutes:
            raise ValidationError(
                _("Give at least one extra attempt or some extra time, or both."),
                code="nothing_granted",
            )
        return cleaned_data


def log_accommodation(accommodation: Accommodation, user) -> None:
    log(
        instance=accommodation,
        action=ACCOMMODATION_ACTION,
        user=user,
        data={
            "trainee": accommodation.trainee.email,
            "extra_attempts": accommodation.extra_attempts,
            "extra_time_minutes": accommodation.extra_time_minutes,
            "reason": accommodation.reason,
        },
    )


class AccommodationSaveMixin:
    """Whoever saves the accommodation is the one granting it; every save is logged with the
    reason, in the same transaction as the save."""

    def save_instance(self):
        self.form.instance.granted_by = self.request.user
        instance = super().save_instance()
        log_accommodation(instance, self.request.user)
        return instance


class AccommodationCreateView(AccommodationSaveMixin, generic.CreateView):
    pass


class AccommodationEditView(AccommodationSaveMixin, generic.EditView):
    pass


class AccommodationIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("trainee", "quiz", "granted_by")


class AccommodationViewSet(ModelViewSet):
    model = Accommodation
    url_prefix = "quizzes/accommodations"
    icon = "time"
    menu_label = gettext_lazy("Accommodations")
    index_view_class = AccommodationIndexView
    add_view_class = AccommodationCreateView
    edit_view_class = AccommodationEditView
    list_display = [
        "trainee",
        "trainee__email",
        "quiz",
        "extra_attempts",
        "extra_time_minutes",
        "granted_by",
        "updated_at",
    ]
    search_fields = ["trainee__legal_name", "trainee__email", "quiz__title"]
    edit_handler = ObjectList(
        [
            FieldPanel("quiz"),
            FieldPanel("trainee"),
            FieldRowPanel([FieldPanel("extra_attempts"), FieldPanel("extra_time_minutes")]),
            FieldPanel("reason"),
        ],
        base_form_class=AccommodationForm,
    )


# --------------------------------------------------------------------------------------------
# The "Quizzes" menu, the reports, the log actions
# --------------------------------------------------------------------------------------------


class QuizzesGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Quizzes")
    menu_icon = "tasks"
    menu_order = 260
    menu_name = "quizzes-menu"
    # The quiz reports join this submenu through this hook (see below).
    submenu_hook = QUIZZES_MENU_HOOK
    items = [QuizViewSet, QuestionViewSet, QuestionBankViewSet, AccommodationViewSet]


register_snippet(QuizzesGroup)


@hooks.register("register_admin_urls")
def register_quiz_report_urls():
    return [path("quiz-reports/", include((report_urlpatterns, "quiz_reports")))]


@hooks.register(QUIZZES_MENU_HOOK)
def register_quiz_reports_menu_item():
    return QuizReportsMenuItem(
        gettext_lazy("Quiz reports"),
        reverse("quiz_reports:index"),
        name="quiz-reports",
        icon_name="table",
        order=10,
    )


QUIZ_LOG_ACTIONS = [
    (
        "alongside.quiz.start",
        gettext_lazy("Start quiz attempt"),
        gettext_lazy("Quiz attempt started"),
    ),
    (
        "alongside.quiz.submit",
        gettext_lazy("Submit quiz attempt"),
        gettext_lazy("Quiz attempt submitted"),
    ),
    (
        ACCOMMODATION_ACTION,
        gettext_lazy("Grant accommodation"),
        gettext_lazy("Accommodation granted"),
    ),
]


@hooks.register("register_log_actions")
def register_quiz_log_actions(actions):
    for action, label, message in QUIZ_LOG_ACTIONS:
        # Another module of this app may register the attempt actions too; registering twice
        # would list them twice in the history filters. (``actions.action_exists`` would scan
        # the hooks again from inside this hook, so the registry's table is read directly.)
        if action not in actions.formatters:
            actions.register_action(action, label, message)


@hooks.register("register_personal_data")
def personal_data_sections(user):
    """This app's part of a person's download of their own data (``accounts.personal_data``)."""
    from .selectors import personal_data

    return personal_data(user)
