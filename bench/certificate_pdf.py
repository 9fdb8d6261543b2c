"""Time to render one issued certificate's PDF, as a ratio to a bare WeasyPrint render of a
one-line page timed in the same process in the same run.

The certificate render is the full pipeline a download or the ``render_certificate`` task runs:
``certificates.documents.certificate_pdf`` fills the template, draws the QR code, loads the
bundled fonts through our static-only fetcher and writes a tagged PDF/A-3b. The baseline is
``weasyprint.HTML(string="<p>Certificate</p>").write_pdf()``: WeasyPrint's fixed cost of laying
out and writing any PDF at all. The ratio says what our template, fonts and archival output add
on top of that, and compares across machines. Target: at most 3x.

The ratio depends on the system libraries: with libharfbuzz-subset0 installed WeasyPrint embeds
only the glyphs used from each font; without it, it falls back to a much slower subsetter in
Python, and the certificate (two DejaVu fonts, many glyphs) suffers more than the one-line
baseline. ``.ci/run`` installs it; the script prints whether it was found.

Bounded and local: one throwaway SQLite database, static files and media in a temporary folder
removed at the end; nothing is fetched (the renderer refuses any URL but data: and our static
files), and the tasks enqueued on issue only land in the throwaway database.
"""

import argparse
import ctypes.util
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 3.0
WARM_UP = 3


def configure(workdir: Path) -> None:
    """Production settings, pointed at a database, static and media folders in ``workdir``."""
    os.environ.pop("PYTEST_VERSION", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="alongside.example.org",
        SITE_URL="https://alongside.example.org",
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"),
        PRIVATE_MEDIA_ROOT=str(workdir / "private"),
        ISSUER_KEYS_FILE=str(workdir / "issuer-keys.json"),
        DATABASE_URL=f"sqlite:///{workdir / 'bench.sqlite3'}",
        LOG_LEVEL="WARNING",
        # Fontconfig's cache, which Pango (under WeasyPrint) writes on first use.
        XDG_CACHE_HOME=str(workdir / "cache"),
    )
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    # Production storage names fonts by content hash, so {% static %} needs the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)


def issued_certificate():
    """One certificate, issued by ``program_start`` on a program with no requirements, with its
    signed credential (the issuer key is made in the temporary folder)."""
    import hashlib
    import json

    from django.contrib.auth import get_user_model

    from certificates import services
    from certificates.models import Certificate, CredentialProgram, ProgramVersion
    from certificates.openbadges.services import credential_sign

    requirements = {"domains": [], "courses": [], "attestations": []}
    document = {"slug": "bench", "requirements": requirements, "issuance": "automatic"}
    program = CredentialProgram.objects.create(slug="bench")
    version = ProgramVersion.objects.create(
        program=program,
        number=1,
        title="Professional Boundaries in Peer Support",
        description="What this credential shows.",
        kind="micro-credential",
        issuance="automatic",
        validity_days=730,
        requirements=requirements,
        document=document,
        digest=hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest(),
    )
    program.current_version = version
    program.save(update_fields=["current_version"])
    user = get_user_model().objects.create_user(
        email="bench@example.org", password=None, legal_name="Jordan Álvarez Rivera"
    )
    services.program_start(trainee=user, program=program)
    # As the render task does: sign the Open Badges credential first, so the PDF carries it.
    certificate = Certificate.objects.get(holder=user)
    credential_sign(certificate_id=certificate.pk)
    return Certificate.objects.get(pk=certificate.pk)


def timed(render) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one render (CPU time leaves out what a busy virtual
    machine's neighbours take: steal)."""
    started, started_cpu = time.perf_counter(), time.process_time()
    render()
    return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        configure(Path(folder))
        import weasyprint

        from certificates.documents import certificate_pdf

        certificate = issued_certificate()

        def render_certificate() -> bytes:
            return certificate_pdf(certificate)

        def render_baseline() -> bytes:
            return weasyprint.HTML(string="<p>Certificate</p>").write_pdf()

        for _ in range(WARM_UP):
            render_certificate()
            render_baseline()
        size = len(render_certificate())
        certificate_times: list[tuple[float, float]] = []
        baseline_times: list[tuple[float, float]] = []
        for number in range(options.rounds):
            # Alternate which goes first, so neither always runs on a warmer cache.
            pair = [
                (render_certificate, certificate_times),
                (render_baseline, baseline_times),
            ]
            for render, times in pair if number % 2 == 0 else reversed(pair):
                times.append(timed(render))

    certificate_ms = statistics.median(wall for wall, _ in certificate_times) * 1000
    baseline_ms = statistics.median(wall for wall, _ in baseline_times) * 1000
    ratio = certificate_ms / baseline_ms
    cpu_ratio = statistics.median(cpu for _, cpu in certificate_times) / statistics.median(
        cpu for _, cpu in baseline_times
    )
    harfbuzz_subset = ctypes.util.find_library("harfbuzz-subset")
    print(
        f"database: sqlite, weasyprint {weasyprint.__version__}, "
        f"libharfbuzz-subset: {harfbuzz_subset or 'NOT FOUND'}, "
        f"rounds: {options.rounds} (after {WARM_UP} warm-up renders each)"
    )
    print(f"baseline one-line page   median {baseline_ms:8.1f} ms")
    print(f"certificate PDF/A-3b     median {certificate_ms:8.1f} ms   ({size / 1024:.0f} KiB)")
    verdict = "PASS" if ratio <= TARGET else "ABOVE TARGET"
    print(f"ratio certificate / baseline: {ratio:.2f} (target at most {TARGET:g}x): {verdict}")
    print(f"the same in CPU time: {cpu_ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
