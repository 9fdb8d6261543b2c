"""Quiz reports in the Wagtail admin: a list of quizzes with their pass rates, one item-analysis
page per quiz, and the same figures as a CSV download.

Only people with the ``assessments.view_quiz`` permission (or superusers) may open them; anyone
else gets Wagtail's usual permission-denied answer. The URLs and the menu item are registered from
``assessments.wagtail_hooks``.
"""

import csv
import io
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from cms.spreadsheets import formula_safe
from courses.models import CoursePage, ModulePage

from .models import Quiz
from .reports import QuestionFigures, QuizReport, quiz_report

VIEW_PERMISSION = "assessments.view_quiz"
NOTHING = "—"


def can_view_reports(user) -> bool:
    """Whether ``user`` may read quiz reports: the quiz view permission, or a superuser."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.has_perm(VIEW_PERMISSION)


class ReportPermissionMixin:
    """Checks permission before anything else, so a stranger cannot probe which quizzes exist."""

    def dispatch(self, request, *args, **kwargs):
        if not can_view_reports(request.user):
            # Wagtail's admin URL wrapper turns this into its permission-denied answer.
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _rounded(value: float, decimal_pos: int) -> Decimal:
    """Rounded half away from zero, as people round by hand (``number_format`` truncates)."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimal_pos), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded  # never "-0.00"


def percent(value: float | None, decimal_pos: int = 0) -> str:
    """A share from 0 to 1 as a localized percentage, or a dash for none."""
    if value is None:
        return NOTHING
    shown = number_format(_rounded(value * 100, decimal_pos), decimal_pos=decimal_pos)
    return _("%(value)s%%") % {"value": shown}


def decimal(value: float | None, decimal_pos: int = 2) -> str:
    """A figure such as a correlation, localized, or a dash for none."""
    if value is None:
        return NOTHING
    return number_format(_rounded(value, decimal_pos), decimal_pos=decimal_pos)


def quiz_places(quizzes: list[Quiz]) -> dict[int, str]:
    """Quiz id → where it sits ("Course › Module", or "Course (final quiz)"), in one query."""
    parent_paths = {
        quiz.module.path[: -ModulePage.steplen] for quiz in quizzes if quiz.module_id is not None
    }
    course_titles = dict(
        CoursePage.objects.filter(path__in=parent_paths).values_list("path", "title")
    )
    places = {}
    for quiz in quizzes:
        if quiz.course_id is not None:
            places[quiz.pk] = _("%(course)s (final quiz)") % {"course": quiz.course.title}
        elif quiz.module_id is not None:
            course = course_titles.get(quiz.module.path[: -ModulePage.steplen], "")
            places[quiz.pk] = (
                _("%(course)s › %(module)s") % {"course": course, "module": quiz.module.title}
                if course
                else quiz.module.title
            )
        else:
            places[quiz.pk] = ""
    return places


class QuizReportIndexView(ReportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "assessments/admin/report_index.html"
    page_title = gettext_lazy("Quiz reports")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submitted = Q(attempts__submitted_at__isnull=False)
        quizzes = list(
            Quiz.objects.select_related("module", "course")
            .annotate(
                submitted=Count("attempts", filter=submitted),
                passed=Count("attempts", filter=submitted & Q(attempts__passed=True)),
            )
            .order_by("title", "pk")
        )
        places = quiz_places(quizzes)
        context["rows"] = [
            {
                "quiz": quiz,
                "place": places[quiz.pk],
                "submitted": quiz.submitted,
                "pass_rate": percent(quiz.passed / quiz.submitted if quiz.submitted else None),
                "url": reverse("quiz_reports:report", args=[quiz.pk]),
                "csv_url": reverse("quiz_reports:csv", args=[quiz.pk]),
            }
            for quiz in quizzes
        ]
        return context


def question_rows(report: QuizReport) -> list[dict]:
    """The report's questions with their figures formatted for the page."""
    return [
        {
            "figures": question,
            "facility": percent(question.facility),
            "discrimination": decimal(question.discrimination),
            "pairs_correct_share": percent(question.pairs_correct_share),
            "choices": [
                {"figures": choice, "share": percent(choice.share)} for choice in question.choices
            ],
        }
        for question in report.questions
    ]


class QuizReportView(ReportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "assessments/admin/report.html"
    header_icon = "table"

    def get(self, request, *args, **kwargs):
        self.quiz = get_object_or_404(
            Quiz.objects.select_related("module", "course"), pk=kwargs["quiz_id"]
        )
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        return _("Quiz report: %(title)s") % {"title": self.quiz.title}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("quiz_reports:index"), "label": _("Quiz reports")},
            {"url": "", "label": self.quiz.title},
        ]

    def get_header_buttons(self):
        return [
            HeaderButton(
                _("Download CSV"),
                reverse("quiz_reports:csv", args=[self.quiz.pk]),
                icon_name="download",
                attrs={"download": ""},
            )
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = quiz_report(self.quiz)
        context.update(
            quiz=self.quiz,
            place=quiz_places([self.quiz])[self.quiz.pk],
            report=report,
            pass_rate=percent(report.pass_rate),
            rows=question_rows(report),
            csv_url=reverse("quiz_reports:csv", args=[self.quiz.pk]),
        )
        return context


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------


def _figure(value: float | None) -> str:
    """A figure for machines: a dot decimal with four places, or empty for none."""
    return "" if value is None else f"{value:.4f}"


def csv_header() -> list[str]:
    return [
        _("row"),
        _("position"),
        _("question id"),
        _("question"),
        _("type"),
        _("removed from quiz"),
        _("times asked"),
        _("facility"),
        _("discrimination"),
        _("matching pairs correct"),
        _("choice id"),
        _("choice"),
        _("correct choice"),
        _("times picked"),
        _("picked share"),
    ]


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("yes") if value else _("no")


def csv_rows(report: QuizReport) -> list[list[str]]:
    """One row per question, then one row per choice of that question."""
    rows = []
    for question in report.questions:
        rows.append(_question_row(question))
        for choice in question.choices:
            rows.append(
                [
                    _("choice"),
                    "" if question.position is None else str(question.position),
                    str(question.question_id),
                    formula_safe(question.label),
                    question.kind_label,
                    _yes_no(question.removed),
                    "",
                    "",
                    "",
                    "",
                    str(choice.choice_id),
                    formula_safe(choice.label),
                    _yes_no(choice.is_correct),
                    str(choice.picked),
                    _figure(choice.share),
                ]
            )
    return rows


def _question_row(question: QuestionFigures) -> list[str]:
    return [
        _("question"),
        "" if question.position is None else str(question.position),
        str(question.question_id),
        formula_safe(question.label),
        question.kind_label,
        _yes_no(question.removed),
        str(question.times_asked),
        _figure(question.facility),
        _figure(question.discrimination),
        _figure(question.pairs_correct_share) if question.is_matching else "",
        "",
        "",
        "",
        "",
        "",
    ]


def report_csv(request, quiz_id: int):
    """The quiz's item analysis as a UTF-8 CSV download."""
    if not can_view_reports(request.user):
        raise PermissionDenied
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    report = quiz_report(quiz)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_header())
    writer.writerows(csv_rows(report))
    response = HttpResponse(buffer.getvalue().encode(), content_type="text/csv; charset=utf-8")
    filename = f"quiz-{quiz.pk}-{slugify(quiz.title) or 'report'}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns = [
    path("", QuizReportIndexView.as_view(), name="index"),
    path("<int:quiz_id>/", QuizReportView.as_view(), name="report"),
    path("<int:quiz_id>/csv/", report_csv, name="csv"),
]


class QuizReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_view_reports(request.user)
