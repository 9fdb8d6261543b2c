"""The program import page in the admin: registrars upload program files and see every problem
or what changed; nobody else gets in."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates.models import AttestationText, CredentialProgram, ProgramVersion
from tests.course_pages import make_course

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).parent / "fixtures" / "example-program.json"  # the shared example
UPLOAD = "/admin/programs/import/"
SLUG = "boundaries-micro-credential"


@pytest.fixture
def course():
    return make_course("boundaries-basics")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def example_bytes(**changes) -> bytes:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc.update(changes)
    return json.dumps(doc).encode()


def refused(response) -> bool:
    """Wagtail answers a refused admin view by sending the person back to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def test_the_url_is_where_it_is_documented():
    assert reverse("certificates_program_import") == UPLOAD


def test_anonymous_people_are_sent_to_log_in(client, course):
    for response in (
        client.get(UPLOAD),
        client.post(UPLOAD, {"files": [upload("a.json", example_bytes())]}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert not CredentialProgram.objects.exists()


def test_trainees_without_admin_access_get_nothing(client, world, course):
    client.force_login(world.trainee)
    for response in (
        client.get(UPLOAD),
        client.post(UPLOAD, {"files": [upload("a.json", example_bytes())]}),
    ):
        assert response.status_code == 302
        assert b"credential-program" not in response.content
    assert not CredentialProgram.objects.exists()


def test_editors_are_refused_and_not_shown_the_menu_item(client, world, course):
    client.force_login(world.editor)
    assert refused(client.get(UPLOAD))
    assert refused(client.post(UPLOAD, {"files": [upload("a.json", example_bytes())]}))
    assert not CredentialProgram.objects.exists()
    assert UPLOAD.encode() not in client.get("/admin/").content


def test_registrars_see_the_menu_item_and_the_upload_form(client, world):
    client.force_login(world.registrar)
    assert UPLOAD.encode() in client.get("/admin/").content
    response = client.get(UPLOAD)
    assert response.status_code == 200
    assert b"Import programs" in response.content
    assert b'type="file"' in response.content and b"multiple" in response.content


def test_a_registrar_imports_programs_and_sees_the_report(client, world, course):
    client.force_login(world.registrar)
    files = [
        upload("example.json", example_bytes()),
        upload("other.json", example_bytes(slug="other-credential")),
    ]
    response = client.post(UPLOAD, {"files": files})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Import finished." in content
    assert SLUG in content and "other-credential" in content and "Created" in content
    assert "new attestation text: boundaries-pledge (version 1)" in content
    version = CredentialProgram.objects.get(slug=SLUG).current_version
    assert version.imported_by == world.registrar
    assert AttestationText.objects.count() == 1

    response = client.post(UPLOAD, {"files": [upload("example.json", example_bytes())]})
    assert "Unchanged" in response.content.decode()
    assert ProgramVersion.objects.count() == 2


def test_a_refused_upload_lists_every_problem_and_saves_nothing(client, world, course):
    client.force_login(world.registrar)
    bad = json.loads(example_bytes(slug="bad-credential", kind="<b>diploma</b>"))
    bad["requirements"]["practice_hours"]["by_domain"][0]["domain"] = "advocacy"
    files = [
        upload("good.json", example_bytes()),
        upload("bad.json", json.dumps(bad).encode()),
        upload("junk.json", bytes(range(256))),
    ]
    response = client.post(UPLOAD, {"files": files})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "junk.json" in content and "is not UTF-8 text" in content
    assert "<code>kind</code>: must be one of: certification" in content
    assert (
        "<code>requirements.practice_hours.by_domain[0].domain</code>: the domain "
        "&#x27;advocacy&#x27; is not declared in this program&#x27;s domains"
    ) in content
    assert "<b>diploma</b>" not in content
    assert not CredentialProgram.objects.exists()
    assert not AttestationText.objects.exists()


def test_a_check_only_upload_saves_nothing(client, world, course):
    client.force_login(world.registrar)
    response = client.post(UPLOAD, {"files": [upload("a.json", example_bytes())], "dry_run": "on"})
    content = response.content.decode()
    assert "Nothing was saved." in content and SLUG in content
    assert not CredentialProgram.objects.exists()


def test_only_json_files_are_accepted(client, world):
    client.force_login(world.registrar)
    response = client.post(UPLOAD, {"files": [upload("notes.pdf", b"%PDF")]})
    assert response.status_code == 200
    assert (
        "Choose credential program files ending in .json (not notes.pdf)."
        in response.content.decode()
    )
