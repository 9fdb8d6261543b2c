"""The StreamField blocks shared by every page type. Courses add their teaching blocks
(scenario, reflection, video) on top of these."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

RICH_TEXT_FEATURES = ["bold", "italic", "h3", "h4", "ol", "ul", "link"]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Heading")
        template = "components/blocks/heading.html"
        form_classname = "title"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("tip", _("Tip")), ("caution", _("Caution"))],
        default="info",
        label=_("Tone"),
    )
    title = blocks.CharBlock(required=False, max_length=200, label=_("Title"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "components/blocks/callout.html"


class KeyPointsBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, max_length=200, label=_("Title"))
    items = blocks.ListBlock(blocks.CharBlock(max_length=500), label=_("Points"))

    class Meta:
        icon = "list-ul"
        label = _("Key points")
        template = "components/blocks/key_points.html"


class CardBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, label=_("Title"))
    text = blocks.TextBlock(max_length=600, label=_("Text"))
    link_page = blocks.PageChooserBlock(required=False, label=_("Link to a page"))
    link_url = blocks.CharBlock(
        required=False,
        max_length=200,
        label=_("Or link to a site address, such as /accounts/signup/"),
    )
    link_text = blocks.CharBlock(required=False, max_length=80, label=_("Link text"))


class CardsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=200, label=_("Heading"))
    cards = blocks.ListBlock(CardBlock(), label=_("Cards"))

    class Meta:
        icon = "grip"
        label = _("Cards")
        template = "components/blocks/cards.html"


class StepsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(required=False, max_length=200, label=_("Heading"))
    steps = blocks.ListBlock(blocks.CharBlock(max_length=400), label=_("Steps"))

    class Meta:
        icon = "list-ol"
        label = _("Numbered steps")
        template = "components/blocks/steps.html"


def base_blocks():
    """The block library every page body starts from."""
    return [
        ("heading", HeadingBlock()),
        ("text", blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))),
        ("callout", CalloutBlock()),
        ("key_points", KeyPointsBlock()),
    ]


def page_blocks():
    return [*base_blocks(), ("cards", CardsBlock()), ("steps", StepsBlock())]
