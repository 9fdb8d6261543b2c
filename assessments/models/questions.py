"""Questions, the banks that hold them, and quizzes that ask them.

Quizzes are rows, not StreamField: grading, random draws and item analysis need to query them.
A ``Question`` keeps revisions (Wagtail's ``RevisionMixin``): every attempt records the revision
it asked, with that revision's choices, so editing a question later never changes a past result.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, RevisionMixin
from wagtail.search import index

from cms.blocks import RICH_TEXT_FEATURES
from courses.models import CoursePage, Domain, ModulePage

from ..grading import QuestionKind


class QuestionBank(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Question(RevisionMixin, index.Indexed, ClusterableModel):
    KIND_CHOICES = [
        (QuestionKind.SINGLE.value, _("Single choice")),
        (QuestionKind.MULTIPLE.value, _("Multiple response")),
        (QuestionKind.TRUE_FALSE.value, _("True or false")),
        (QuestionKind.MATCHING.value, _("Matching")),
    ]

    bank = models.ForeignKey(
        QuestionBank, on_delete=models.PROTECT, related_name="questions", verbose_name=_("bank")
    )
    kind = models.CharField(_("type"), max_length=20, choices=KIND_CHOICES)
    prompt = RichTextField(_("question"), features=RICH_TEXT_FEATURES)
    explanation = RichTextField(_("explanation"), features=RICH_TEXT_FEATURES, blank=True)
    points = models.PositiveSmallIntegerField(
        _("points"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    domain = models.ForeignKey(
        Domain,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("domain"),
    )

    panels = [
        FieldRowPanel([FieldPanel("bank"), FieldPanel("kind")]),
        FieldPanel("prompt"),
        FieldRowPanel([FieldPanel("points"), FieldPanel("domain")]),
        FieldPanel("explanation"),
        MultiFieldPanel(
            [InlinePanel("choices", label=_("Choice"))],
            heading=_("Choices (single, multiple, true or false)"),
        ),
        MultiFieldPanel(
            [InlinePanel("pairs", label=_("Pair"))], heading=_("Pairs (matching questions)")
        ),
    ]
    search_fields = [index.SearchField("prompt"), index.FilterField("bank_id")]

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        from django.utils.html import strip_tags
        from django.utils.text import Truncator

        return Truncator(strip_tags(self.prompt)).chars(80)

    def clean(self):
        super().clean()
        choices = [c for c in self.choices.all() if not getattr(c, "DELETE", False)]
        correct = sum(1 for choice in choices if choice.is_correct)
        if self.kind == QuestionKind.SINGLE and correct != 1:
            raise ValidationError(_("A single-choice question needs exactly one correct choice."))
        if self.kind == QuestionKind.MULTIPLE and correct < 1:
            raise ValidationError(
                _("A multiple-response question needs at least one correct choice.")
            )
        if self.kind == QuestionKind.TRUE_FALSE and (len(choices) != 2 or correct != 1):
            raise ValidationError(
                _("A true-or-false question has two choices, True and False, one of them correct.")
            )
        if self.kind == QuestionKind.MATCHING and len(self.pairs.all()) < 2:
            raise ValidationError(_("A matching question needs at least two pairs."))


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("text"), max_length=1000)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(
        _("feedback"), blank=True, max_length=2000, help_text=_("Shown when this choice is picked.")
    )

    panels = [FieldPanel("text"), FieldPanel("is_correct"), FieldPanel("feedback")]

    def __str__(self):
        return self.text


class MatchPair(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="pairs")
    left = models.CharField(_("item"), max_length=300)
    right = models.CharField(_("its match"), max_length=300)

    panels = [FieldRowPanel([FieldPanel("left"), FieldPanel("right")])]

    def __str__(self):
        return f"{self.left} → {self.right}"


class Review(models.TextChoices):
    SCORE = "score", _("The score only")
    MISTAKES = "mistakes", _("Which answers were wrong")
    ANSWERS = "answers", _("The correct answers with explanations")


class Quiz(ClusterableModel):
    """A module's quiz, or a course's final quiz (exactly one of the two)."""

    module = models.OneToOneField(
        ModulePage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quiz",
        verbose_name=_("module"),
    )
    course = models.OneToOneField(
        CoursePage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="final_quiz",
        verbose_name=_("course (final quiz)"),
    )
    title = models.CharField(_("title"), max_length=200)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Leave empty for unlimited attempts."),
    )
    retry_after_minutes = models.PositiveIntegerField(
        _("wait after a failed attempt (minutes)"), default=0, validators=[MaxValueValidator(10080)]
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("Leave empty for no time limit."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle choices"), default=False)
    draw = models.PositiveSmallIntegerField(
        _("ask this many, drawn at random"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty to ask every question."),
    )
    partial_credit = models.BooleanField(_("partial credit for multiple response"), default=False)
    review = models.CharField(
        _("after submitting, show"), max_length=10, choices=Review.choices, default=Review.MISTAKES
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("module"), FieldPanel("course")]),
        FieldRowPanel(
            [FieldPanel("pass_mark"), FieldPanel("max_attempts"), FieldPanel("retry_after_minutes")]
        ),
        FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("draw"), FieldPanel("review")]),
        FieldRowPanel(
            [
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_choices"),
                FieldPanel("partial_credit"),
            ]
        ),
        InlinePanel("quiz_questions", label=_("Question")),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(module__isnull=False) & Q(course__isnull=True))
                | (Q(module__isnull=True) & Q(course__isnull=False)),
                name="quiz_belongs_to_module_or_course",
            )
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if bool(self.module_id) == bool(self.course_id):
            raise ValidationError(
                _("Attach the quiz to one module, or make it one course's final quiz.")
            )
        questions = [q for q in self.quiz_questions.all() if not getattr(q, "DELETE", False)]
        if self.draw and self.draw > len(questions):
            raise ValidationError(
                _("The quiz draws %(draw)d questions but has only %(count)d.")
                % {"draw": self.draw, "count": len(questions)}
            )

    @property
    def course_path(self) -> str:
        """The page path of the course this quiz counts toward."""
        if self.course_id:
            return self.course.path
        return self.module.path[: -ModulePage.steplen]


class QuizQuestion(Orderable):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="quiz_questions")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )

    panels = [FieldPanel("question")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["quiz", "question"], name="question_once_per_quiz")
        ]
