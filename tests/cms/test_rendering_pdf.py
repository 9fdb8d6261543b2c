"""The shared PDF renderer: text, bundled fonts, attachments, tagging, and the locked-down URL
fetcher that keeps local files and network resources out of every PDF."""

import builtins
import copy
import importlib.util
import logging
import os
import socket
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

import cms.rendering
from cms.rendering import FetchRefusedError, StaticOnlyFetcher, page_counter_css, render_pdf

STATIC_ROOT = Path(django_settings.STATICFILES_DIRS[0]).resolve()
PASSWD_LINE = b"root:x:0:0"
SECRET = b"alongside-test-secret-4f9c"

HOURS_TEMPLATE = """{% extends "documents/base_pdf.html" %}
{% block title %}Supervised hours: {{ name }}{% endblock %}
{% block content %}
<h1>Supervised hours</h1>
<p>Trainee: <strong>{{ name }}</strong></p>
<table>
  <caption>Logged sessions</caption>
  <thead><tr><th scope="col">Date</th><th scope="col" class="number">Hours</th></tr></thead>
  <tbody><tr><th scope="row">2025-03-04</th><td class="number">2.5</td></tr></tbody>
</table>
{% endblock %}"""

REQUEST_TEMPLATE = """{% extends "documents/base_pdf.html" %}
{% block title %}Request{% endblock %}
{% block content %}<h1>Requested at {{ request.path }}</h1>{% endblock %}"""

# Every way a document can name a resource, each pointing at a file outside the static folder
# or at the network. {{ secret_url }} is a file:// URL of a temporary file holding SECRET, so the
# test means something even on a machine whose /etc/passwd has no root line.
HOSTILE_TEMPLATE = """{% extends "documents/base_pdf.html" %}{% load static %}
{% block title %}Hostile{% endblock %}
{% block style %}
.background { background: url("file:///etc/passwd"); height: 5mm; }
.background-secret { background: url("{{ secret_url }}"); height: 5mm; }
@font-face { font-family: Leak; src: url("file:///etc/passwd"); }
.leak { font-family: Leak; }
{% endblock %}
{% block content %}
<style>@import url("file:///etc/passwd");</style>
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="http://127.0.0.1:9/x.css">
<h1 class="leak">Nothing leaks</h1>
<p><a rel="attachment" href="file:///etc/passwd">passwd</a></p>
<p><a rel="attachment" href="{{ secret_url }}">secret</a></p>
<p><a rel="attachment" href="{% static traversal %}">traversal</a></p>
<p><a rel="attachment" href="{{ encoded_traversal }}">encoded traversal</a></p>
<p><a rel="attachment" href="{% static 'fonts/DejaVu-LICENSE.txt' %}">licence</a></p>
<img src="file:///etc/passwd" alt="passwd">
<img src="{% static traversal %}" alt="traversal">
<img src="http://127.0.0.1:9/x.png" alt="network">
<div class="background"></div>
<div class="background-secret"></div>
{% endblock %}"""


@pytest.fixture
def pdf_templates(settings):
    """Serve the test documents from memory, ahead of the project's own templates."""
    engine = copy.deepcopy(settings.TEMPLATES[0])
    engine.pop("APP_DIRS", None)
    engine["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.locmem.Loader",
            {
                "tests/hours.html": HOURS_TEMPLATE,
                "tests/request.html": REQUEST_TEMPLATE,
                "tests/hostile.html": HOSTILE_TEMPLATE,
            },
        ),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    settings.TEMPLATES = [engine]


@pytest.fixture
def no_network(monkeypatch):
    """Record (and block) any attempt to resolve a name or open a socket."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def all_stream_bytes(pdf: bytes) -> bytes:
    """Every stream of the PDF, decompressed, so a leak inside a compressed stream shows."""
    reader = PdfReader(BytesIO(pdf))
    data = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(IndirectObject(number, 0, reader))
        except Exception:  # noqa: S112 - free or compressed-away object numbers
            continue
        if isinstance(obj, StreamObject):
            data.append(obj.get_data())
    return b"\n".join(data)


def embedded_file_names(pdf: bytes) -> list[str]:
    """Names of the document's attachments and of files attached to annotations, which is
    where WeasyPrint puts <a rel="attachment"> targets."""
    reader = PdfReader(BytesIO(pdf))
    names = [attachment.name for attachment in reader.attachment_list]
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation["/FS"].get_object()["/F"]))
    return names


def test_renders_text_bundled_fonts_attachment_and_tags(pdf_templates):
    csv = b"date,hours\n2025-03-04,2.5\n"

    pdf = render_pdf(
        "tests/hours.html",
        {"name": "Zoë Núñez"},
        attachments=[("hours.csv", csv, "text/csv")],
    )

    assert pdf.startswith(b"%PDF")
    reader = PdfReader(BytesIO(pdf))
    text = reader.pages[0].extract_text()
    for expected in ("Supervised hours", "Zoë Núñez", "Logged sessions", "2025-03-04", "2.5"):
        assert expected in text
    assert "Page 1 of 1" in text
    assert "Alongside" in text  # the default header

    fonts = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        program = TTFont(BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        fonts[str(font["/BaseFont"]).split("+", 1)[1]] = program["name"].getDebugName(6)
    # Named after our @font-face family, so it is the bundled file and not a system font, and
    # the embedded program is DejaVu Sans, regular and bold.
    assert fonts == {"Alongside-Sans": "DejaVuSans", "Alongside-Sans-Bold": "DejaVuSans-Bold"}

    [attachment] = reader.attachment_list
    assert (attachment.name, attachment.content, attachment.subtype) == (
        "hours.csv",
        csv,
        "/text/csv",
    )

    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert reader.metadata.title == "Supervised hours: Zoë Núñez"
    assert [float(v) for v in reader.pages[0].mediabox] == [0, 0, 612, 792]  # US Letter


def test_renders_with_a_request(pdf_templates):
    pdf = render_pdf("tests/request.html", {}, request=RequestFactory().get("/hours/export/"))

    assert "Requested at /hours/export/" in PdfReader(BytesIO(pdf)).pages[0].extract_text()


def test_local_files_and_network_are_never_embedded(pdf_templates, tmp_path, caplog, no_network):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    traversal = os.path.relpath(secret, STATIC_ROOT)  # ../../../tmp/…/secret.txt
    assert traversal.startswith("..")
    encoded_traversal = django_settings.STATIC_URL + traversal.replace(".", "%2e")

    with caplog.at_level(logging.WARNING, logger="cms.rendering"):
        pdf = render_pdf(
            "tests/hostile.html",
            {
                "secret_url": secret.as_uri(),
                "traversal": traversal,
                "encoded_traversal": encoded_traversal,
            },
        )

    assert no_network == []
    content = pdf + all_stream_bytes(pdf)
    assert PASSWD_LINE not in content
    assert SECRET not in content
    names = embedded_file_names(pdf)
    # The licence is a bundled static file, so it is embedded: proof that <a rel=attachment>
    # and the stream scan above work, and that only the hostile references came to nothing.
    assert names == ["DejaVu-LICENSE.txt"]
    assert b"Bitstream Vera" in all_stream_bytes(pdf)

    refused = {r.args[0] for r in caplog.records if r.name == "cms.rendering"}
    site = django_settings.SITE_URL
    assert {
        "file:///etc/passwd",
        secret.as_uri(),
        "http://127.0.0.1:9/x.png",
        "http://127.0.0.1:9/x.css",
        # The traversal, with its dot segments resolved as WeasyPrint resolves them.
        urljoin(site + "/", django_settings.STATIC_URL + traversal),
        site + encoded_traversal,
    } <= refused
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "cms.rendering")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.org/static/css/site.css",
        "ftp://127.0.0.1:9/x",
        "http://testserver/etc/passwd",
        "http://testserver/media/secret.pdf",
        "http://testserver/static/../../etc/passwd",
        "http://testserver/static/%2e%2e/%2e%2e/etc/passwd",
        "http://testserver/static/fonts/..%2f..%2f..%2fpyproject.toml",
        "http://testserver/static//etc/passwd",
        "http://testserver/static/%00css/site.css",
        "http://testserver/static/",
        "http://testserver/static/missing.css",
        "http://other.example/static/css/site.css",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses(url, caplog, no_network):
    with caplog.at_level(logging.WARNING, logger="cms.rendering"), pytest.raises(FetchRefusedError):
        StaticOnlyFetcher().fetch(url)

    assert no_network == []
    assert [(r.levelname, r.args) for r in caplog.records] == [("WARNING", (url,))]


def test_fetcher_serves_static_files_and_data_urls():
    fetcher = StaticOnlyFetcher()
    font = (STATIC_ROOT / "fonts" / "DejaVuSans.ttf").read_bytes()

    response = fetcher.fetch(django_settings.SITE_URL + "/static/fonts/DejaVuSans.ttf?v=1#x")
    assert response.read() == font

    response = fetcher.fetch(django_settings.SITE_URL + "/static/css/site.css")
    assert response.content_type == "text/css"

    response = fetcher.fetch("data:text/plain;base64,aGVsbG8=")
    assert (response.read(), response.content_type) == (b"hello", "text/plain")


def test_fetcher_maps_hashed_production_names_to_source_files(monkeypatch):
    """In production {% static %} adds a content hash; the manifest maps it back."""
    hashed = "fonts/DejaVuSans.0123456789ab.ttf"
    monkeypatch.setattr(
        cms.rendering,
        "staticfiles_storage",
        SimpleNamespace(hashed_files={"fonts/DejaVuSans.ttf": hashed}),
    )

    response = StaticOnlyFetcher().fetch(f"{django_settings.SITE_URL}/static/{hashed}")

    assert response.read() == (STATIC_ROOT / "fonts" / "DejaVuSans.ttf").read_bytes()


def test_fetcher_refuses_symlinks_out_of_the_static_folder(settings, tmp_path, caplog):
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    static = tmp_path / "static"
    static.mkdir()
    (static / "innocent.css").symlink_to(secret)
    settings.STATICFILES_DIRS = [static]

    with caplog.at_level(logging.WARNING, logger="cms.rendering"), pytest.raises(FetchRefusedError):
        StaticOnlyFetcher().fetch(settings.SITE_URL + "/static/innocent.css")


def test_page_counter_is_one_translatable_sentence_escaped_for_css(monkeypatch):
    assert page_counter_css() == '"Page " counter(page) " of " counter(pages)'

    monkeypatch.setattr(cms.rendering, "gettext", lambda s: '{pages} "</style> Seite {page}')
    value = page_counter_css()

    assert value.startswith("counter(pages) ")
    assert value.endswith(" counter(page)")
    assert "</style>" not in value
    assert value.count('"') == 2  # only the string's own quotes


def test_missing_system_libraries_say_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def without_pango(name, *args, **kwargs):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_pango)
    spec = importlib.util.spec_from_file_location("rendering_without_pango", cms.rendering.__file__)
    module = importlib.util.module_from_spec(spec)

    with pytest.raises(RuntimeError, match="apt-get install -y libpango-1.0-0 libpangoft2-1.0-0"):
        spec.loader.exec_module(module)
