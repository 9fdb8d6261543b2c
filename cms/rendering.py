"""Render Django templates to PDF with WeasyPrint: supervised-hours exports now, certificates
later.

WeasyPrint fetches every URL a document names (images, stylesheets, ``@font-face`` fonts,
``<a rel="attachment">`` files) and, left to its defaults, reads local files and makes network
requests. Our PDFs carry text that trainees and editors wrote, so one stray ``file:`` or
internal ``http:`` URL could copy a server file or an internal page into a download. Every
render therefore goes through :class:`StaticOnlyFetcher`, which serves ``data:`` URLs and the
project's own static files and nothing else.
"""

import functools
import logging
import re
from base64 import b64encode
from mimetypes import guess_type
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

try:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcherResponse
except OSError as error:  # pragma: no cover - only on a machine without Pango
    raise RuntimeError(
        "WeasyPrint cannot load its system libraries (Pango, HarfBuzz); run: "
        "apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
    ) from error

logger = logging.getLogger(__name__)

# Tagged PDF with PDF/UA-1 metadata, so screen readers get headings, tables and reading order.
# Unlike the PDF/A variants it needs no colour profile or other download.
PDF_VARIANT = "pdf/ua-1"
# For documents kept for years with files inside (certificates): PDF/A-3b, tagged as well.
# WeasyPrint bundles the sRGB profile PDF/A needs, so nothing is downloaded.
ARCHIVAL_VARIANT = "pdf/a-3b"

Attachment = tuple[str, bytes, str]
"""A file to embed in the PDF: (file name, content, MIME type)."""


class FetchRefusedError(ValueError):
    """A URL the PDF renderer will not fetch; WeasyPrint treats it as a missing resource."""


class StaticOnlyFetcher(weasyprint.URLFetcher):
    """WeasyPrint URL fetcher that serves only ``data:`` URLs and our bundled static files.

    Documents are rendered with ``SITE_URL`` as their base URL, so ``{% static %}`` paths and
    links become absolute site URLs (links in the PDF work once downloaded). URLs under
    ``SITE_URL + STATIC_URL`` are read from ``STATICFILES_DIRS[0]`` on disk, never over the
    network; anything else (``file:``, other ``http(s):`` URLs, other schemes, ``..`` out of
    the static folder) is logged and refused without reading a file or opening a socket.
    """

    def __init__(self) -> None:
        # The parent's urllib opener is never used; allowing it no protocol keeps it that way
        # should a future WeasyPrint call it directly.
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.base_url = settings.SITE_URL + "/"
        self.static_root = Path(settings.STATICFILES_DIRS[0]).resolve()
        self._static = urlsplit(urljoin(self.base_url, settings.STATIC_URL))

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url[:5].lower() == "data:":
            return self._fetch_data(url)
        path = self._static_file(url)
        if path is None:
            logger.warning("PDF rendering refused to fetch %s", url)
            raise FetchRefusedError(f"Not a data: URL or a bundled static file: {url}")
        return URLFetcherResponse(
            url, path.read_bytes(), {"Content-Type": guess_type(path.name)[0] or ""}
        )

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        """Decode a ``data:`` URL in memory with urllib's handler for that scheme alone."""
        response = DataHandler().data_open(Request(url))  # noqa: S310 - data: only, no I/O
        content_type = response.headers["Content-Type"]
        return URLFetcherResponse(url, response.read(), {"Content-Type": content_type})

    def _static_file(self, url: str) -> Path | None:
        """The file under ``static_root`` that a static URL names, or None if it names none."""
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (self._static.scheme, self._static.netloc):
            return None
        if not parts.path.startswith(self._static.path):
            return None
        name = unquote(parts.path.removeprefix(self._static.path))
        if "\x00" in name:
            return None
        for candidate in (name, _unhashed_static_name(name)):
            path = (self.static_root / candidate).resolve()
            if path.is_relative_to(self.static_root) and path.is_file():
                return path
        return None


def _unhashed_static_name(name: str) -> str:
    """The source name of a static file whose URL carries a content hash.

    In production ``{% static %}`` names ``fonts/DejaVuSans.3f2a…ttf`` (Manifest storage),
    while ``STATICFILES_DIRS`` holds ``fonts/DejaVuSans.ttf``; the manifest maps one to the
    other. Development storage has no manifest, and the name is returned unchanged.
    """
    hashed_files = getattr(staticfiles_storage, "hashed_files", None) or {}
    return next((source for source, hashed in hashed_files.items() if hashed == name), name)


def _css_string(text: str) -> str:
    """A quoted CSS string holding ``text``, with every character that could end the string
    or the ``<style>`` element escaped."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def page_counter_css() -> SafeString:
    """The CSS ``content`` value for the footer's "Page N of M".

    Built from one translatable sentence, so that translators can reorder it, with the
    placeholders replaced by CSS page counters.
    """
    sentence = gettext("Page {page} of {pages}")
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    parts = re.split(r"(\{page\}|\{pages\})", sentence)
    value = " ".join(counters.get(part) or _css_string(part) for part in parts if part)
    # Safe: the value is built only from the two counters and escaped CSS strings.
    return mark_safe(value)  # noqa: S308


BUNDLED_FONTS = [("fonts/DejaVuSans.ttf", 400), ("fonts/DejaVuSans-Bold.ttf", 700)]


@functools.cache
def _bundled_fonts() -> tuple[FontConfiguration, weasyprint.CSS]:
    """Our fonts, registered with a font configuration once per process. Loading a font face
    costs more than laying out a page, so every render shares these (the fonts are files of
    our own, read through the same locked-down fetcher)."""
    fetcher = StaticOnlyFetcher()
    fonts = FontConfiguration()
    css = "\n".join(
        f'@font-face {{ font-family: "Alongside Sans"; font-weight: {weight}; '
        f'font-style: normal; src: url("{static(name)}") format("truetype"); }}'
        for name, weight in BUNDLED_FONTS
    )
    stylesheet = weasyprint.CSS(
        string=css, base_url=fetcher.base_url, url_fetcher=fetcher, font_config=fonts
    )
    return fonts, stylesheet


@functools.cache
def stylesheet_once(template_name: str) -> weasyprint.CSS:
    """A document's fixed CSS, parsed once per process.

    For a one-page document such as a certificate, parsing its ``<style>`` element on every
    render costs about a tenth of the render. The file is a Django template rendered with no
    context, so it must not depend on the request, the language or the record; anything that
    does (a template's accent colour) goes in the document's ``style`` attributes. Any
    ``url()`` in it goes through the same locked-down fetcher.
    """
    fetcher = StaticOnlyFetcher()
    fonts, _ = _bundled_fonts()
    return weasyprint.CSS(
        string=render_to_string(template_name),
        base_url=fetcher.base_url,
        url_fetcher=fetcher,
        font_config=fonts,
    )


def render_pdf(
    template_name: str,
    context: dict,
    *,
    request: HttpRequest | None = None,
    attachments: list[Attachment] | None = None,
    pdf_variant: str = PDF_VARIANT,
    stylesheet: str | None = None,
) -> bytes:
    """Render a Django template to a tagged PDF and return its bytes.

    ``request``, when given, makes context processors and the request's language apply, as
    for a page. ``attachments`` are embedded as PDF file attachments, so that, for example, an
    hours export carries its machine-readable CSV. Templates extend
    ``documents/base_pdf.html`` for the fonts, page layout and footer. ``pdf_variant`` is
    PDF/UA by default, or ``ARCHIVAL_VARIANT`` (PDF/A-3b, still tagged). ``stylesheet`` names
    a CSS template parsed once per process (:func:`stylesheet_once`).
    """
    fetcher = StaticOnlyFetcher()
    html = render_to_string(
        template_name, {"pdf_page_counter": page_counter_css(), **context}, request=request
    )
    document = weasyprint.HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
    fonts, font_faces = _bundled_fonts()
    return document.write_pdf(
        stylesheets=[font_faces, *([stylesheet_once(stylesheet)] if stylesheet else [])],
        font_config=fonts,
        pdf_variant=pdf_variant,
        pdf_tags=True,
        attachments=[
            # A data: URL carries the MIME type, which weasyprint.Attachment has no argument for.
            weasyprint.Attachment(
                url=f"data:{mime_type};base64,{b64encode(content).decode('ascii')}",
                name=name,
                url_fetcher=fetcher,
            )
            for name, content, mime_type in attachments or []
        ],
    )
