"""Certificate PDFs: what is printed, the QR code that opens the verification page, PDF/A-3b,
rendering after the issue commits, one stored file however often it runs, and who may download
it."""

import io

import pypdfium2
import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from certificates import services, tasks
from certificates.documents import certificate_pdf
from certificates.models import Certificate, CertificateTemplate

from .builders import make_program


@pytest.fixture
def certificate(world, settings):
    settings.SITE_URL = "https://alongside.example.org"
    world.trainee.legal_name = "Jordan Álvarez Rivera"
    world.trainee.save(update_fields=["legal_name"])
    version = make_program("micro", title="Professional Boundaries in Peer Support")
    services.program_start(trainee=world.trainee, program=version.program)
    return Certificate.objects.get(holder=world.trainee)


def page_text(pdf: bytes) -> str:
    return " ".join((PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or "").split())


def qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=3).to_pil()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def test_the_pdf_prints_the_name_title_number_and_code(certificate):
    pdf = certificate_pdf(certificate)
    text = page_text(pdf)
    assert "Jordan Álvarez Rivera" in text
    assert "Professional Boundaries in Peer Support" in text
    assert certificate.number in text
    assert certificate.code_display in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_the_qr_code_opens_the_verification_page(certificate):
    assert qr_codes(certificate_pdf(certificate)) == [
        f"https://alongside.example.org/verify/{certificate.verification_code}/"
    ]


def test_the_pdf_is_pdf_a_3b(certificate):
    reader = PdfReader(io.BytesIO(certificate_pdf(certificate)))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in metadata
    assert 'pdfaid:conformance="B"' in metadata
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_the_program_template_is_used_and_its_text_is_never_markup(certificate):
    CertificateTemplate.objects.create(heading="Site default", body="Default body for {name}.")
    CertificateTemplate.objects.create(
        program=certificate.program_version.program,
        heading="Micro-credential",
        body='Awarded to {name} <img src="http://198.51.100.1/x.png"> '
        '<img src="file:///etc/passwd">.',
        signatory_name="Robin Diaz",
        signatory_title="Registrar",
    )
    text = page_text(certificate_pdf(certificate))
    assert "Micro-credential" in text and "Site default" not in text
    assert "Awarded to Jordan Álvarez Rivera" in text
    assert '<img src="http://198.51.100.1/x.png">' in text  # shown as words, never loaded
    assert "Robin Diaz" in text and "Registrar" in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Awarded to {holder}.", "Unknown placeholder: {holder}"),
        ("Awarded to {name.", "A curly bracket is not closed"),
    ],
)
def test_a_template_with_a_wrong_placeholder_is_refused(body, message, db):
    template = CertificateTemplate(heading="Certificate", body=body)
    with pytest.raises(ValidationError, match=message):
        template.full_clean()


def test_only_one_site_default(db):
    CertificateTemplate.objects.create(heading="One", body="{name}")
    with pytest.raises(ValidationError, match="already a site default"):
        CertificateTemplate(heading="Two", body="{name}").full_clean()


def test_rendering_waits_for_the_commit_and_keeps_one_file(
    world, django_capture_on_commit_callbacks
):
    version = make_program("micro")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.program_start(trainee=world.trainee, program=version.program)
    certificate = Certificate.objects.get(holder=world.trainee)
    assert not certificate.pdf  # nothing rendered inside the issuing transaction
    for callback in callbacks:
        callback()
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.pdf_rendered_at
    first = certificate.pdf.name
    tasks.render_certificate.enqueue(certificate.pk)  # again, as after a worker died
    certificate.refresh_from_db()
    assert certificate.pdf.name == first
    folder = certificate.pdf.storage.path("certificates")
    import os

    assert [name for name in os.listdir(folder) if certificate.verification_code in name] == [
        f"{certificate.verification_code}.pdf"
    ]


def test_the_holder_and_registrars_download_it_and_nobody_else(client, world, certificate):
    tasks.render_certificate.enqueue(certificate.pk)
    url = reverse("certificate_pdf", args=[certificate.pk])
    client.force_login(world.trainee)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert certificate.number in page_text(b"".join(response.streaming_content))
    client.force_login(world.registrar)
    assert client.get(url).status_code == 200
    for other in (world.other_trainee, world.supervisor, world.org_admin, world.editor):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_before_the_pdf_exists_the_holder_is_asked_to_wait(client, world, certificate):
    client.force_login(world.trainee)
    Certificate.objects.filter(pk=certificate.pk).update(pdf="")
    response = client.get(reverse("credentials"))
    assert "PDF being prepared" in response.content.decode()


def test_a_pdf_lost_from_storage_is_made_again_instead_of_an_error(client, world, certificate):
    tasks.render_certificate.enqueue(certificate.pk)
    certificate.refresh_from_db()
    certificate.pdf.storage.delete(certificate.pdf.name)
    client.force_login(world.trainee)
    url = reverse("certificate_pdf", args=[certificate.pk])
    # The test task backend runs the render at once, so the next download has the file again.
    waiting = client.get(url)
    assert waiting.status_code == 202
    assert "being prepared" in waiting.content.decode()
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    assert client.get(url).status_code == 200


def test_the_code_is_encoded_densely_so_the_qr_code_stays_small():
    from urllib.parse import unquote

    from certificates.documents import qr_svg

    svg = unquote(qr_svg("https://alongside.example.org/verify/ABCDEFHJKMNPQRTUVWXY34789ABC/"))
    # Version 4 (33 modules) plus a border of 2 on each side, 4 units a module; a single byte
    # segment would need version 5 (37 modules, 164 units).
    assert "width='148' height='148'" in svg


def test_the_page_is_letter_landscape_framed_in_the_templates_accent_colour(certificate):
    """The fixed styles come from a stylesheet parsed once per process; the accent colour is
    the template's own, so a program's certificates can look like that program's."""
    CertificateTemplate.objects.create(heading="Certificate", accent_colour="#b00020")
    document = pypdfium2.PdfDocument(certificate_pdf(certificate))
    assert [round(side) for side in document[0].get_size()] == [792, 612]  # points
    image = document[0].render(scale=2).to_pil().convert("RGB")
    # The frame's top edge runs 14 mm (about 79 pixels at this scale) below the page's edge.
    frame = {image.getpixel((image.width // 2, y)) for y in range(74, 86)}
    assert any(abs(r - 0xB0) < 24 and g < 40 and abs(b - 0x20) < 24 for r, g, b in frame)

    CertificateTemplate.objects.update(accent_colour="#1f5f5b")
    image = pypdfium2.PdfDocument(certificate_pdf(certificate))[0].render(scale=2).to_pil()
    frame = {image.convert("RGB").getpixel((image.width // 2, y)) for y in range(74, 86)}
    assert not any(r > 150 and g < 60 for r, g, b in frame)


def test_the_issue_date_is_the_sites_local_day(world, settings, time_machine):
    """Issued at 10 pm in New York, which is already the next day in UTC."""
    import datetime

    from django.utils.formats import date_format

    settings.TIME_ZONE = "America/New_York"
    time_machine.move_to(datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC), tick=False)
    version = make_program("late", title="Late Evening Credential")
    services.program_start(trainee=world.trainee, program=version.program)
    text = page_text(certificate_pdf(Certificate.objects.get(holder=world.trainee)))
    assert date_format(datetime.date(2026, 11, 30), "DATE_FORMAT") in text
    assert date_format(datetime.date(2026, 12, 1), "DATE_FORMAT") not in text
