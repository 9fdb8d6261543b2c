"""The teaching blocks of a module: the site's shared blocks plus scenario, reflection and video.

Every block here has a counterpart in the course package format (``schemas/``), so a module
written in the CMS can be exported and one imported from a package can be edited."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from cms.blocks import RICH_TEXT_FEATURES, base_blocks


class ScenarioBlock(blocks.StructBlock):
    """A situation from peer work, questions to think about, and a discussion the trainee opens
    when ready (so they think first)."""

    title = blocks.CharBlock(max_length=200, label=_("Title"))
    situation = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Situation"))
    questions = blocks.ListBlock(
        blocks.CharBlock(max_length=500), label=_("Questions"), required=False, default=[]
    )
    discussion = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Discussion"), required=False
    )

    class Meta:
        icon = "group"
        label = _("Scenario")
        template = "courses/blocks/scenario.html"


class ReflectionBlock(blocks.StructBlock):
    """A prompt the trainee answers in writing. The answer is private: only they see it."""

    prompt = blocks.TextBlock(max_length=1000, label=_("Prompt"))

    class Meta:
        icon = "edit"
        label = _("Reflection prompt")
        template = "courses/blocks/reflection.html"


class HttpsURLBlock(blocks.URLBlock):
    def clean(self, value):
        value = super().clean(value)
        if value and not value.startswith("https://"):
            raise ValidationError(_("Use a secure link that starts with https://."))
        return value


class VideoBlock(blocks.StructBlock):
    """A video hosted elsewhere, linked rather than embedded (no third-party player or cookies on
    our pages), with a transcript that is required so everyone can follow it."""

    url = HttpsURLBlock(label=_("Video link (https)"))
    title = blocks.CharBlock(max_length=200, required=False, label=_("Title"))
    transcript = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Transcript"))

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"


def module_blocks():
    return [
        *base_blocks(),
        ("scenario", ScenarioBlock()),
        ("reflection", ReflectionBlock()),
        ("video", VideoBlock()),
    ]
