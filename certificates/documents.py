"""Certificate PDFs: the CMS template filled in, the verification code printed and as a QR code,
rendered through the shared locked-down renderer (nothing is fetched: images come in as data),
with the signed Open Badges credential attached as ``credential.json``.
"""

from base64 import b64encode

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cms.rendering import ARCHIVAL_VARIANT, render_pdf

from . import qr
from .models import Certificate, CertificateTemplate
from .openbadges import services as openbadges_services

DEFAULT_BODY = gettext_lazy(
    "This certifies that {name} has met the requirements of {title}, issued by {issuer} "
    "on {issued}."
)
IMAGE_SPEC = "max-800x300"
CREDENTIAL_FILE_NAME = "credential.json"


def template_for(certificate: Certificate) -> CertificateTemplate:
    """The program's template, else the site default, else the built-in design."""
    program_id = certificate.program_version.program_id if certificate.program_version_id else None
    templates = {
        template.program_id: template
        for template in CertificateTemplate.objects.filter(
            program_id__in=[program_id] if program_id else []
        )
        | CertificateTemplate.objects.filter(program__isnull=True)
    }
    return (
        templates.get(program_id)
        or templates.get(None)
        or CertificateTemplate(heading=_("Certificate"), body=str(DEFAULT_BODY))
    )


def verify_url(certificate: Certificate) -> str:
    return f"{settings.SITE_URL}/verify/{certificate.verification_code}/"


def qr_svg(url: str) -> str:
    """The URL as an SVG QR code, inline in the document as a ``data:`` URL (no file, nothing
    to fetch). As an image, the SVG is read by WeasyPrint's SVG parser rather than the HTML
    parser, which keeps rendering fast.

    The address goes in as two segments: the site part as bytes, and the code (capital letters
    and digits) with its closing slash in the denser alphanumeric mode. For a typical site
    address that is one QR version smaller (33 modules a side instead of 37): bigger modules
    at the same printed size, so easier to scan, and less to draw. A scanner reads the same
    address. The code is segno's, with its mask chosen by :mod:`certificates.qr` (faster,
    same result)."""
    marker = "/verify/"
    split = url.rfind(marker) + len(marker)
    content = [url] if split < len(marker) else [url[:split], url[split:]]
    return qr.svg_data_uri(qr.make(content, error="m"), scale=4, border=2)


def _image_data(image) -> str | None:
    if image is None:
        return None
    rendition = image.get_rendition(IMAGE_SPEC)
    with rendition.file.open("rb") as handle:
        content = handle.read()
    mime = {"png": "image/png", "gif": "image/gif", "webp": "image/webp"}.get(
        rendition.file.name.rsplit(".", 1)[-1].lower(), "image/jpeg"
    )
    return f"data:{mime};base64,{b64encode(content).decode('ascii')}"


def certificate_pdf(certificate: Certificate) -> bytes:
    template = template_for(certificate)
    issued = date_format(timezone.localdate(certificate.issued_at), "DATE_FORMAT")
    expires = (
        date_format(certificate.expires_on, "DATE_FORMAT")
        if certificate.expires_on
        else _("does not expire")
    )
    issuer = settings.CREDENTIAL_ISSUER_NAME
    body = template.fill(
        {
            "name": certificate.name_as_printed,
            "title": certificate.title,
            "issued": issued,
            "expires": expires,
            "number": certificate.number,
            "issuer": issuer,
        }
    )
    url = verify_url(certificate)
    return render_pdf(
        "documents/certificate.html",
        {
            "certificate": certificate,
            "template": template,
            "body": body,
            "issued": issued,
            "expires": expires,
            "issuer": issuer,
            "accent": template.accent_colour or "#1f5f5b",
            "logo": _image_data(template.logo),
            "signature": _image_data(template.signature_image),
            "qr": qr_svg(url),
            "verify_site": f"{settings.SITE_URL}/verify/",
            "code": certificate.code_display,
        },
        attachments=credential_attachments(certificate),
        pdf_variant=ARCHIVAL_VARIANT,
        stylesheet="documents/certificate.css",
    )


def credential_attachments(certificate: Certificate) -> list:
    """The signed Open Badges credential, embedded in the PDF/A-3 file so the paper copy and
    the digital one travel together (none before it is signed)."""
    if certificate.credential is None:
        return []
    return [
        (
            CREDENTIAL_FILE_NAME,
            openbadges_services.as_bytes(certificate.credential),
            openbadges_services.MEDIA_TYPE,
        )
    ]
