"""The site shell: the home page, plain content pages and site-wide settings.

``HomePage`` sits at the root of the site; ``StandardPage`` holds any other editorial page
(about, privacy, help) under it. Learning content lives in the ``courses`` app's page types.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import page_blocks


class HomePage(Page):
    """The front page: what Alongside offers, who it is for and how to start."""

    lead = models.TextField(_("lead"), max_length=600, blank=True)
    body = StreamField(page_blocks(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(Page):
    """An editorial page such as "About" or "Privacy"."""

    lead = models.TextField(_("lead"), max_length=600, blank=True)
    body = StreamField(page_blocks(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("lead"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("lead"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


FOOTER_SUPPORT_TEXT_MAX_CHARS = 1000


class SiteSettingsForm(WagtailAdminModelForm):
    """The footer message has no length in the database; the form bounds it (every input
    has a length limit: docs/security.md)."""

    footer_support_text = forms.CharField(
        label=_("Support message in the footer"),
        required=False,
        max_length=FOOTER_SUPPORT_TEXT_MAX_CHARS,
        widget=forms.Textarea,
    )


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    support_email = models.EmailField(
        _("support email"),
        blank=True,
        help_text=_("Shown in the footer so people know where to ask for help."),
    )
    footer_support_text = models.TextField(
        _("support message in the footer"),
        blank=True,
        default=_(
            "If you are in crisis or thinking about suicide, call or text 988 (Suicide and Crisis "
            "Lifeline, US). For treatment referral, call SAMHSA's National Helpline at "
            "1-800-662-4357, free and confidential, any time."
        ),
    )

    panels = [FieldPanel("support_email"), FieldPanel("footer_support_text")]
    base_form_class = SiteSettingsForm

    class Meta:
        verbose_name = _("site settings")
