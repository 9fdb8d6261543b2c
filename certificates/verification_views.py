"""Public verification: anyone with a code sees the credential's record and status.

Every page here is public, rate-limited per client (``ratelimit.verify_rate_limited``), kept
out of search engines (``X-Robots-Tag`` and a robots meta tag) and never cached by a shared
cache, because a status can change at any moment.
"""

from django import forms
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from . import verification
from .codes import LENGTH, normalize_code
from .ratelimit import verify_rate_limited


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        help_text=gettext_lazy(
            "The code printed on the certificate, under the QR code: 28 letters and numbers. "
            "Capital or small letters, spaces and dashes are all fine."
        ),
        max_length=LENGTH * 3,
        error_messages={
            "required": gettext_lazy("Type the verification code from the certificate."),
            "max_length": gettext_lazy(
                "That is longer than a verification code. Check what you typed."
            ),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "That is not a verification code. A code has 28 letters and numbers, "
                    "like ABCD-EFHJ-KMNP-QRTU-VWXY-3478-9ABC. Check for a missing or extra "
                    "character."
                ),
                code="malformed",
            )
        return code


def _public(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, no_cache=True, private=True)
    return response


@require_GET
@verify_rate_limited
def verify_form(request):
    """The form. A valid code goes to its record's canonical address; a malformed one stays on
    the form with what was typed and a message."""
    form = VerifyForm(request.GET if "code" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("verify_record", code=form.cleaned_data["code"])
    return _public(
        render(
            request,
            "certificates/verify/form.html",
            {"form": form, "issuer": settings.CREDENTIAL_ISSUER_NAME},
        )
    )


def _not_found(request, typed: str):
    response = render(
        request,
        "certificates/verify/not_found.html",
        {"form": VerifyForm(initial={"code": typed[: LENGTH * 3]})},
        status=404,
    )
    return _public(response)


@require_GET
@verify_rate_limited
def verify_record(request, code):
    rendered = verification.cached_record_html(code)
    if rendered is None:
        return _not_found(request, code)
    if rendered.code != code:
        # Typed by hand into the address bar: send them to the canonical address.
        return redirect("verify_record", code=rendered.code)
    response = render(
        request,
        "certificates/verify/record.html",
        {"record_html": mark_safe(rendered.html), "title": rendered.title},  # noqa: S308 - our template's output,
    )
    return _public(response)


@require_GET
@verify_rate_limited
def verify_status(request, code):
    """The record as JSON (format ``alongside-verification/1``, documented in the README)."""
    record = verification.public_record(code)
    if record is None:
        response = JsonResponse(
            {
                "error": "not_found",
                "message": _(
                    "No credential has this verification code. Check the code and try again."
                ),
            },
            status=404,
        )
    else:
        response = JsonResponse(
            verification.status_document(record), json_dumps_params={"ensure_ascii": False}
        )
        response["Access-Control-Allow-Origin"] = "*"
    return _public(response)
