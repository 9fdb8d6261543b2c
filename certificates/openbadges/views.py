"""Open Badges on the site: the issuer's DID document, the status lists, each credential as a
file, and the public check of a credential file.

Plain function views; the public credential and the check page are rate-limited per client
like the verification pages (``certificates.ratelimit``). The
JSON documents a verifier fetches (DID document, status lists, public credential) allow any
origin, so checkers running in a browser can read them; they carry nothing a person did not
already share along with the link.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..codes import normalize_code
from ..models import Certificate
from ..ratelimit import verify_rate_limited
from . import checking, did, keys, services, status
from .forms import CredentialCheckForm

DID_MEDIA_TYPE = "application/did+json"
DID_DOCUMENT_MAX_AGE = 300
"""Seconds a resolver may keep the DID document: a rotated key shows within five minutes."""


def _json(document: dict, *, content_type: str, status_code: int = 200) -> HttpResponse:
    response = HttpResponse(
        services.as_bytes(document), content_type=content_type, status=status_code
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def did_document(request):
    """The issuer's DID document, where a ``did:web`` resolver looks for it."""
    response = _json(did.did_document(keys.keyring()), content_type=DID_MEDIA_TYPE)
    patch_cache_control(response, public=True, max_age=DID_DOCUMENT_MAX_AGE)
    return response


@require_GET
def status_list(request, list_number: str, purpose: str):
    """A signed Bitstring Status List as of this moment. Verifiers must ask again every time
    (no-cache); an unchanged list answers a conditional request with 304."""
    signed = status.signed_list(int(list_number), purpose)
    if signed is None:
        raise Http404
    etag = f'W/"{signed.etag}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = _json(signed.document, content_type="application/json")
    response["ETag"] = etag
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    return response


def _not_found() -> JsonResponse:
    response = JsonResponse({"error": _("No credential has this verification code.")}, status=404)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@verify_rate_limited
def credential_public(request, code: str):
    """The signed credential, for anyone who has its verification code."""
    code = normalize_code(code)
    certificate = (
        Certificate.objects.only("pk", "credential").filter(verification_code=code).first()
        if code
        else None
    )
    if certificate is None:
        return _not_found()
    response = _json(services.credential_of(certificate), content_type=services.MEDIA_TYPE)
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_GET
def credential_download(request, pk: int):
    """The signed credential as a file, for its holder and for registrars; anyone else gets a
    404, as for the PDF."""
    certificate = get_object_or_404(Certificate.objects.defer("snapshot"), pk=pk)
    if not request.user.has_perm("certificates.view_certificate", certificate):
        raise Http404
    response = HttpResponse(
        services.as_bytes(services.credential_of(certificate)),
        content_type=services.MEDIA_TYPE,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{certificate.number or certificate.pk}-credential.json"'
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_http_methods(["GET", "POST"])
@verify_rate_limited
def credential_check(request):
    """Paste or upload a credential file and learn whether it is genuine, unchanged and
    current. Nothing is stored."""
    form = CredentialCheckForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = checking.credential_check(document=form.cleaned_data["document"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            form = CredentialCheckForm()  # ready for the next file
    response = render(
        request,
        "certificates/credential_check.html",
        {"form": form, "outcome": outcome, "issuer": settings.CREDENTIAL_ISSUER_NAME},
    )
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, no_store=True)
    return response
