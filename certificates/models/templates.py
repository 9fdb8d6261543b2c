"""How printed certificates look: a template staff edit in the CMS, one per program, with a
site default (the template that names no program).

The body is plain text with placeholders, never HTML, so a template cannot load anything; its
images are Wagtail images, embedded in the PDF as data, never fetched from a URL.
"""

import re
import string

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from .programs import CredentialProgram

PLACEHOLDERS = {
    "name": _("the holder's legal name"),
    "title": _("the credential's title"),
    "issued": _("the issue date"),
    "expires": _("the expiry date"),
    "number": _("the certificate number"),
    "issuer": _("who issues it"),
}


def placeholders_in(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name}


def _odd_placeholders(text: str) -> bool:
    """Whether a placeholder has no name (``{}``) or carries a conversion or a format spec
    (``{name!r}``, ``{name:>999999999}``): ``fill`` would fail on the first and apply the
    others, and a format spec can make a huge string or fail when the PDF is rendered."""
    return any(
        name is not None and (name == "" or spec or conversion)
        for _literal, name, spec, conversion in string.Formatter().parse(text)
    )


def validate_placeholders(text: str) -> None:
    try:
        used = placeholders_in(text)
        odd = _odd_placeholders(text)
    except ValueError as error:
        raise ValidationError(
            _("A curly bracket is not closed. Write placeholders like {name}."), code="format"
        ) from error
    if odd:
        raise ValidationError(
            _("Write placeholders plainly, like {name}: a name from the list, nothing after it."),
            code="format_spec",
        )
    unknown = sorted(used - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. You can use: %(known)s.")
            % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
            code="unknown_placeholder",
        )


class CertificateTemplate(models.Model):
    program = models.OneToOneField(
        CredentialProgram,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="certificate_template",
        verbose_name=_("program"),
        help_text=_("Leave empty for the site default, used by every program without its own."),
    )
    heading = models.CharField(_("heading"), max_length=120, default="Certificate")
    body = models.TextField(
        _("body text"),
        max_length=2000,
        validators=[validate_placeholders],
        help_text=_(
            "Plain text. Placeholders: {name}, {title}, {issued}, {expires}, {number}, {issuer}."
        ),
    )
    signatory_name = models.CharField(_("signatory name"), max_length=120, blank=True)
    signatory_title = models.CharField(_("signatory title"), max_length=120, blank=True)
    signature_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signature image"),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1f5f5b",
        validators=[
            RegexValidator(re.compile(r"^#[0-9a-fA-F]{6}$"), _("Use a colour like #1f5f5b."))
        ],
    )

    panels = [
        FieldPanel("program"),
        FieldPanel("heading"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("signatory_name"), FieldPanel("signatory_title")]),
                FieldPanel("signature_image"),
            ],
            heading=_("Signature"),
        ),
        FieldRowPanel([FieldPanel("logo"), FieldPanel("accent_colour")]),
    ]

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["program__slug"]

    def __str__(self):
        return str(self.program) if self.program_id else str(_("Site default"))

    def clean(self):
        super().clean()
        if self.program_id is None:
            others = CertificateTemplate.objects.filter(program__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"program": _("There is already a site default. Choose a program.")}
                )

    def fill(self, values: dict[str, str]) -> str:
        """The body with its placeholders filled in (plain text; escaped when rendered)."""
        return self.body.format_map({name: values.get(name, "") for name in PLACEHOLDERS})
