"""Private storage that cannot take the PDF (a read-only folder, a full disk): the render task
fails with a clear logged error, the certificate keeps its status, code and credential and
never points at a file that is not there, its holder is told the PDF is being prepared, and
``rerender_certificates`` makes the missing files once storage works again."""

import errno
import os
import stat
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_tasks import TaskResultStatus

from certificates import services, tasks
from certificates.models import Certificate

from .builders import make_program

READ_ONLY = "read-only folder"
DISK_FULL = "disk full"


def private_storage():
    return Certificate._meta.get_field("pdf").storage


def files_of(certificate: Certificate) -> list[str]:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "certificates"
    if not folder.exists():
        return []
    return sorted(name for name in os.listdir(folder) if certificate.verification_code in name)


class BrokenStorage:
    """Makes private storage fail the way a read-only folder or a full disk does, while
    ``broken()`` is open.

    A read-only folder is made for real with chmod where that stops writes. Running as root it
    does not (root ignores file modes), so there the storage raises what the folder would have
    raised for the site's user: EACCES on creating and on deleting files. (To run the chmod
    path as root, drop the capability: ``setpriv --inh-caps=-dac_override
    --bounding-set=-dac_override -- .venv/bin/python -m pytest ...``.) A full disk is the
    storage writing part of the file and then raising ENOSPC, as ``write()`` does; ``writes``
    counts the attempts."""

    def __init__(self, kind: str, monkeypatch):
        self.kind = kind
        self.monkeypatch = monkeypatch
        self.writes = 0

    @contextmanager
    def broken(self):
        if self.kind == READ_ONLY:
            with self._read_only():
                yield self
        else:
            with self._disk_full():
                yield self

    @contextmanager
    def _read_only(self):
        root = Path(settings.PRIVATE_MEDIA_ROOT)
        folder = root / "certificates"
        folder.mkdir(parents=True, exist_ok=True)
        modes = {path: stat.S_IMODE(path.stat().st_mode) for path in (root, folder)}
        for path in modes:
            path.chmod(0o555)
        try:
            if self._chmod_stops_writes(folder):
                yield
                return
            for path, mode in modes.items():
                path.chmod(mode)
            storage = private_storage()

            def refuse(name, *args):
                self.writes += 1
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), storage.path(name))

            with self.monkeypatch.context() as patch:
                patch.setattr(storage, "_save", refuse)
                patch.setattr(storage, "delete", refuse)
                yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)

    @staticmethod
    def _chmod_stops_writes(folder: Path) -> bool:
        probe = folder / ".write-probe"
        try:
            probe.write_bytes(b"")
        except PermissionError:
            return True
        probe.unlink()
        return False

    @contextmanager
    def _disk_full(self):
        storage = private_storage()

        def fill_up(name, content):
            self.writes += 1
            path = Path(storage.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as handle:
                handle.write(content.read()[:4096])  # as much as fitted
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

        with self.monkeypatch.context() as patch:
            patch.setattr(storage, "_save", fill_up)
            yield


@pytest.fixture(params=[READ_ONLY, DISK_FULL])
def fault(request, monkeypatch):
    return BrokenStorage(request.param, monkeypatch)


def issue(trainee, slug="micro") -> Certificate:
    version = make_program(slug, title=f"{slug.title()} Peer Support")
    services.program_start(trainee=trainee, program=version.program)
    return Certificate.objects.get(holder=trainee, program_version=version)


def rerender(*args) -> str:
    out = StringIO()
    call_command("rerender_certificates", *args, stdout=out, stderr=out)
    return out.getvalue()


def record(certificate: Certificate) -> tuple:
    certificate.refresh_from_db()
    return (
        certificate.status,
        certificate.verification_code,
        certificate.number,
        certificate.credential,
    )


def test_a_first_render_that_cannot_write_fails_clearly_and_is_restored(
    fault, world, client, caplog
):
    certificate = issue(world.trainee)
    assert not certificate.pdf

    with fault.broken():
        result = tasks.render_certificate.enqueue(certificate.pk)
        assert result.status == TaskResultStatus.FAILED
        assert issubclass(result.errors[0].exception_class, OSError)
        assert f"Could not store the PDF of certificate {certificate.number}" in caplog.text
        assert "rerender_certificates --missing" in caplog.text
        signed = record(certificate)
        assert signed[3] is not None  # signed before the write; kept
        assert not certificate.pdf
        assert files_of(certificate) == []  # no half-written file left behind

        client.force_login(world.trainee)
        response = client.get(reverse("certificate_pdf", args=[certificate.pk]))
        assert response.status_code == 202
        assert "Your certificate is being prepared" in response.content.decode()

    assert record(certificate) == signed
    output = rerender("--missing")
    assert f"Rendered {certificate.number}" in output
    assert "no PDF yet" in output
    assert record(certificate) == signed  # the credential is never signed twice
    assert certificate.pdf.name == f"certificates/{certificate.verification_code}.pdf"
    assert files_of(certificate) == [f"{certificate.verification_code}.pdf"]
    response = client.get(reverse("certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    assert "nothing to do" in rerender("--missing")


def test_a_re_render_that_cannot_write_keeps_the_record(fault, world, client, caplog):
    certificate = issue(world.trainee)
    tasks.render_certificate.enqueue(certificate.pk)
    before = record(certificate)
    name = certificate.pdf.name
    first_pdf = Path(certificate.pdf.path).read_bytes()

    client.force_login(world.trainee)
    with fault.broken():
        result = tasks.render_certificate.enqueue(certificate.pk)
        assert result.status == TaskResultStatus.FAILED
        assert f"Could not store the PDF of certificate {certificate.number}" in caplog.text
        assert record(certificate) == before
        # While storage is still broken (the page may try to render again, and fail again).
        response = client.get(reverse("certificate_pdf", args=[certificate.pk]))
        remaining = files_of(certificate)

    if fault.kind == READ_ONLY:
        # The old file could not be deleted either: it is kept, and still downloads.
        assert "its previous PDF is kept" in caplog.text
        assert certificate.pdf.name == name
        assert remaining == [Path(name).name]
        assert Path(certificate.pdf.path).read_bytes() == first_pdf
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == first_pdf
        assert "nothing to do" in rerender("--missing")
    else:
        # The old file was replaced by a half-written one: that is removed, and the record no
        # longer points at it.
        assert "it has no PDF until then" in caplog.text
        assert not certificate.pdf
        assert certificate.pdf_rendered_at is None
        assert remaining == []
        assert response.status_code == 202
        assert "Your certificate is being prepared" in response.content.decode()
        assert f"Rendered {certificate.number}" in rerender("--missing")
        certificate.refresh_from_db()
        assert certificate.pdf.name == name

    assert files_of(certificate) == [f"{certificate.verification_code}.pdf"]
    assert record(certificate) == before


def test_rerendering_stops_at_the_first_storage_error(world, monkeypatch):
    fault = BrokenStorage(DISK_FULL, monkeypatch)
    first, second = issue(world.trainee, "first"), issue(world.trainee, "second")
    with fault.broken(), pytest.raises(CommandError) as error:
        rerender("--missing")
    message = str(error.value)
    assert f"Stopped at {first.number}" in message
    assert "No space left on device" in message
    assert "0 certificates were rendered before it" in message
    assert fault.writes == 1  # the second certificate was not tried
    for certificate in (first, second):
        certificate.refresh_from_db()
        assert not certificate.pdf
        assert files_of(certificate) == []


def test_rerendering_finds_missing_files_in_batches_and_is_idempotent(world):
    rendered, lost, never = (issue(world.trainee, slug) for slug in ("kept", "lost", "never"))
    for certificate in (rendered, lost):
        tasks.render_certificate.enqueue(certificate.pk)
        certificate.refresh_from_db()
    kept_at = rendered.pdf_rendered_at
    Path(lost.pdf.path).unlink()  # e.g. the database was restored without its files

    output = rerender("--missing", "--dry-run")
    assert f"Would render {lost.number}" in output and "its file is missing" in output
    assert f"Would render {never.number}" in output and "no PDF yet" in output
    assert rendered.number not in output
    assert "2 certificates would be rendered. Nothing was changed." in output
    never.refresh_from_db()
    assert not never.pdf and files_of(lost) == []

    output = rerender("--batch-size", "1")  # --missing is the default
    assert "2 certificates rendered." in output
    for certificate in (rendered, lost, never):
        certificate.refresh_from_db()
        assert files_of(certificate) == [f"{certificate.verification_code}.pdf"]
        assert certificate.pdf.name == f"certificates/{certificate.verification_code}.pdf"
    assert rendered.pdf_rendered_at == kept_at  # the one that was fine was left alone

    assert "nothing to do" in rerender()


def test_rerendering_all_or_some_by_number(world):
    one, two = issue(world.trainee, "one"), issue(world.trainee, "two")
    output = rerender("--all")
    assert "2 certificates rendered." in output
    one.refresh_from_db()
    two.refresh_from_db()
    first_times = (one.pdf_rendered_at, two.pdf_rendered_at)

    assert "1 certificate rendered." in rerender("--number", two.number)
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.pdf_rendered_at == first_times[0]
    assert two.pdf_rendered_at > first_times[1]
    assert "nothing to do" in rerender("--missing", "--number", one.number, two.number)
    for certificate in (one, two):
        assert files_of(certificate) == [f"{certificate.verification_code}.pdf"]

    with pytest.raises(CommandError, match="No certificate has the number AL-1999-9"):
        rerender("--number", "AL-1999-9", one.number)
    with pytest.raises(CommandError, match="either --all or --number"):
        rerender("--all", "--number", one.number)
    with pytest.raises(CommandError, match="1 or more"):
        rerender("--batch-size", "0")


def test_a_certificate_that_fails_to_render_is_reported_and_the_rest_go_on(world, monkeypatch):
    broken, fine = issue(world.trainee, "broken"), issue(world.trainee, "fine")
    from certificates import documents

    real = documents.certificate_pdf

    def certificate_pdf(certificate):
        if certificate.pk == broken.pk:
            raise ValueError("a template problem")
        return real(certificate)

    monkeypatch.setattr(documents, "certificate_pdf", certificate_pdf)
    with pytest.raises(CommandError, match=f"1 certificate could not be rendered: {broken.number}"):
        rerender()
    fine.refresh_from_db()
    broken.refresh_from_db()
    assert fine.pdf and not broken.pdf
