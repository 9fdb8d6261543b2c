import json

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 64 * 1024
"""Our credentials are a few kilobytes; anything much larger is not one of them."""


class CredentialCheckForm(forms.Form):
    """A credential file to check, pasted or uploaded; ``cleaned_data["document"]`` is its
    parsed JSON. Every way it can fail is a form error with a plain message."""

    text = forms.CharField(
        label=_("Paste the credential"),
        required=False,
        strip=True,
        help_text=_('The whole text of the credential.json file, from "{" to "}".'),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocomplete": "off"}),
    )
    upload = forms.FileField(
        label=_("Or choose the credential file"),
        required=False,
        help_text=_("Usually named credential.json. It is read once and not kept."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    too_large = _("This is too large to be a credential from us: the limit is 64 KB.")

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if upload is None:
            return None
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(self.too_large, code="too_large")
        content = upload.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            raise forms.ValidationError(self.too_large, code="too_large")
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                _("This file is not text, so it is not a credential. Choose the .json file."),
                code="binary",
            ) from error

    def clean_text(self):
        text = self.cleaned_data.get("text", "")
        if len(text.encode("utf-8")) > MAX_BYTES:
            raise forms.ValidationError(self.too_large, code="too_large")
        return text

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        text, uploaded = cleaned.get("text"), cleaned.get("upload")
        if text and uploaded is not None:
            raise forms.ValidationError(
                _("Paste the credential or choose its file, not both."), code="both"
            )
        source = uploaded if uploaded is not None else text
        if not source:
            raise forms.ValidationError(
                _("Paste the credential, or choose its file."), code="empty"
            )
        try:
            cleaned["document"] = json.loads(source)
        except (ValueError, RecursionError) as error:
            raise forms.ValidationError(
                _(
                    "This is not JSON, the format digital credentials are written in. Check "
                    'that you copied the whole file, from "{" to "}".'
                ),
                code="not_json",
            ) from error
        return cleaned
