"""Media in S3-compatible buckets (``MEDIA_STORAGE=s3``), against moto's in-process S3: no
network. The storages are the ones config/settings.py builds from the environment.

A certificate PDF made by the real render task lands in the private bucket, unreadable to
anyone but the bucket owner, and only its holder downloads it; a failing bucket fails the
task with the same clear log as a full disk; a Wagtail document is served through Wagtail's
view, not a link into the bucket; the settings refuse to start without a bucket; and a backup
holds no media, says so, and a restore leaves the buckets alone."""

import io
import json
import runpy
import shutil
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus
from moto import mock_aws
from storages.backends.s3 import S3Storage
from wagtail.documents import get_document_model

from accounts.models import User
from certificates import services, tasks
from certificates.models import Certificate
from cms import backup as backups
from courses.domains import ensure_icrc_domains
from tests import fresh_process
from tests.certificates.builders import make_program
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
MEDIA_BUCKET = "alongside-test-media"
PRIVATE_BUCKET = "alongside-test-private"
S3_ENVIRONMENT = {
    "MEDIA_STORAGE": "s3",
    "MEDIA_S3_BUCKET": MEDIA_BUCKET,
    "PRIVATE_MEDIA_S3_BUCKET": PRIVATE_BUCKET,
    "S3_REGION": "us-east-1",
}


def s3_settings(monkeypatch, **environment) -> dict:
    """The settings module as it runs with these environment variables, evaluated here."""
    with monkeypatch.context() as patch:
        for key in ("S3_ENDPOINT_URL", "S3_REGION", "AWS_DEFAULT_REGION"):
            patch.delenv(key, raising=False)
        for key, value in environment.items():
            patch.setenv(key, value)
        namespace = runpy.run_path(str(ROOT / "config" / "settings.py"))
    # Test settings make throwaway folders for private files and keys; these are never used.
    shutil.rmtree(namespace["PRIVATE_MEDIA_ROOT"], ignore_errors=True)
    shutil.rmtree(namespace["ISSUER_KEYS_FILE"].parent, ignore_errors=True)
    return namespace


@pytest.fixture
def aws(monkeypatch):
    """moto's S3 in this process, with fake credentials found the way boto3 finds real ones."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("s3", region_name="us-east-1")


def use_s3(aws, settings, monkeypatch):
    """Switch this test's site to the S3 storages config/settings.py builds, with both buckets
    made. Setting STORAGES resets Django's storage handler (the ``setting_changed`` signal);
    the certificate field got its storage when the models loaded, so it is pointed at the new
    private storage too."""
    for bucket in (MEDIA_BUCKET, PRIVATE_BUCKET):
        aws.create_bucket(Bucket=bucket)
    built = s3_settings(monkeypatch, **S3_ENVIRONMENT)
    settings.MEDIA_STORAGE = "s3"
    settings.STORAGES = built["STORAGES"]
    settings.WAGTAILDOCS_SERVE_METHOD = built["WAGTAILDOCS_SERVE_METHOD"]
    assert isinstance(storages["private"], S3Storage)
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", storages["private"])


@pytest.fixture
def s3(aws, settings, monkeypatch):
    use_s3(aws, settings, monkeypatch)
    return aws


def keys_in(aws, bucket: str) -> list[str]:
    return [item["Key"] for item in aws.list_objects_v2(Bucket=bucket).get("Contents", [])]


def issue(trainee, slug="s3-micro") -> Certificate:
    version = make_program(slug, title="Object Storage Peer Support")
    services.program_start(trainee=trainee, program=version.program)
    return Certificate.objects.get(holder=trainee, program_version=version)


# Certificate PDFs in the private bucket --------------------------------------------------------


def test_a_certificate_pdf_goes_to_the_private_bucket_and_only_its_holder_gets_it(
    s3, world, client, settings
):
    certificate = issue(world.trainee)
    # Other tests in this process may have left PDFs in the (shared) folder: compare.
    on_disk = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf"))
    assert tasks.render_certificate.enqueue(certificate.pk).status == TaskResultStatus.SUCCESSFUL
    certificate.refresh_from_db()
    name = f"certificates/{certificate.verification_code}.pdf"
    assert certificate.pdf.name == name
    assert keys_in(s3, PRIVATE_BUCKET) == [name]
    assert keys_in(s3, MEDIA_BUCKET) == []
    assert set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf")) == on_disk  # nothing new on disk
    stored = s3.get_object(Bucket=PRIVATE_BUCKET, Key=name)["Body"].read()
    assert stored.startswith(b"%PDF")
    grants = s3.get_object_acl(Bucket=PRIVATE_BUCKET, Key=name)["Grants"]
    assert [grant["Grantee"]["Type"] for grant in grants] == ["CanonicalUser"]  # owner only

    client.force_login(world.trainee)
    response = client.get(reverse("certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored

    client.force_login(world.other_trainee)
    response = client.get(reverse("certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 404

    # Rendered again (a template change, a worker that died): still one object, same name.
    tasks.render_certificate.enqueue(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf.name == name
    assert keys_in(s3, PRIVATE_BUCKET) == [name]


def test_a_bucket_that_fails_fails_the_render_clearly(s3, world, client, caplog):
    s3.delete_bucket(Bucket=PRIVATE_BUCKET)  # empty still; gone as a misconfigured name would be
    certificate = issue(world.trainee)
    result = tasks.render_certificate.enqueue(certificate.pk)
    assert result.status == TaskResultStatus.FAILED
    assert f"Could not store the PDF of certificate {certificate.number}" in caplog.text
    assert "NoSuchBucket" in caplog.text
    certificate.refresh_from_db()
    assert not certificate.pdf  # never points at an object that is not there

    client.force_login(world.trainee)
    response = client.get(reverse("certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 202
    assert "Your certificate is being prepared" in response.content.decode()


# Documents and images in the media bucket ------------------------------------------------------


def test_a_document_is_served_through_wagtails_view_never_a_bucket_link(s3, db, client):
    document = get_document_model().objects.create(
        title="Handbook", file=ContentFile(b"%PDF-1.7 handbook", name="handbook.pdf")
    )
    assert keys_in(s3, MEDIA_BUCKET) == [document.file.name]
    response = client.get(document.url)
    assert response.status_code == 200  # not a redirect to a signed link
    assert b"".join(response.streaming_content) == b"%PDF-1.7 handbook"
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "environment",
    [
        {"S3_REGION": "eu-west-2"},
        {"S3_REGION": "us-east-1"},
        {"AWS_DEFAULT_REGION": "ca-central-1"},
        {"S3_ENDPOINT_URL": "https://minio.internal:9000", "S3_REGION": "us-east-1"},
    ],
)
def test_signed_image_links_point_where_the_content_security_policy_allows(
    aws, monkeypatch, environment
):
    """The admin shows image previews by signed links into the media bucket: the page's
    Content-Security-Policy must allow exactly that origin."""
    built = s3_settings(monkeypatch, **{**S3_ENVIRONMENT, "S3_REGION": "", **environment})
    options = built["STORAGES"]["default"]["OPTIONS"]
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["default_acl"] is None
    link = S3Storage(**options).url("original_images/logo.png")
    assert "X-Amz-Signature=" in link
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(link))
    assert origin == built["MEDIA_S3_ORIGIN"]
    assert origin in built["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["img-src"]


# Settings -------------------------------------------------------------------------------------


def run_check(*args, environment: dict, tmp_path) -> subprocess.CompletedProcess:
    return fresh_process.run_manage(
        "check",
        *args,
        environment={
            "DEBUG": "0",
            "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "alongside.example.org",
            "SITE_URL": "https://alongside.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            **environment,
        },
        drop_prefixes=("MEDIA_", "PRIVATE_MEDIA_", "S3_"),
    )


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"MEDIA_STORAGE": "s3"},
            "MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET: the name of the bucket for uploaded "
            "images and documents.",
        ),
        (
            {"MEDIA_STORAGE": "s3", "MEDIA_S3_BUCKET": MEDIA_BUCKET},
            "MEDIA_STORAGE=s3 needs PRIVATE_MEDIA_S3_BUCKET: the name of the bucket for "
            "certificate PDFs.",
        ),
        ({"MEDIA_STORAGE": "nfs"}, 'MEDIA_STORAGE must be "filesystem" or "s3", not "nfs".'),
    ],
)
def test_the_site_refuses_to_start_with_media_storage_half_set_up(tmp_path, environment, message):
    result = run_check(environment=environment, tmp_path=tmp_path)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


def test_production_settings_with_s3_media_pass_the_deploy_check(tmp_path):
    result = run_check(
        "--deploy", "--fail-level", "WARNING", environment=S3_ENVIRONMENT, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Backups --------------------------------------------------------------------------------------


@pytest.fixture
def site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "site" / "media"
    settings.ISSUER_KEYS = ""
    settings.ISSUER_KEYS_FILE = tmp_path / "site" / "keys" / "issuer-keys.json"
    ensure_icrc_domains()  # transactional tests flush the rows migrations made
    return settings


def members_and_manifest(archive: Path) -> tuple[list[str], dict]:
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        return names, json.load(tar.extractfile(backups.MANIFEST))


@pytest.mark.django_db(transaction=True)
def test_a_backup_with_s3_media_holds_no_media_says_so_and_a_restore_leaves_them(
    s3, site, tmp_path
):
    certificate = issue(UserFactory(legal_name="Jordan Bucket Rivera"))
    tasks.render_certificate.call(certificate.pk)
    certificate.refresh_from_db()
    pdf_key = certificate.pdf.name
    # A leftover on the local media folder is neither backed up nor touched by a restore.
    leftover = Path(site.MEDIA_ROOT) / "from-before.bin"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"local")

    out = io.StringIO()
    call_command("backup", "--dry-run", output=str(tmp_path / "backups/"), stdout=out)
    assert "media files (MEDIA_ROOT)" not in out.getvalue()
    assert (
        f"Uploaded media and certificate PDFs are kept in the object store (buckets: "
        f"{MEDIA_BUCKET}, {PRIVATE_BUCKET}), not in backup archives: keep them with the "
        "store's own versioning or replication." in out.getvalue()
    )

    archive = tmp_path / "backups" / "site.tar.gz"
    out = io.StringIO()
    call_command("backup", output=str(archive), stdout=out)
    text = out.getvalue()
    assert f"Backup written to {archive}" in text
    assert ": the database, the issuer keys file." in text
    assert "not in backup archives: keep them with the store's own versioning" in text
    names, manifest = members_and_manifest(archive)
    assert not [name for name in names if name.startswith(("media/", "private/"))]
    assert manifest["folders"] == {}
    assert manifest["object_storage"] == {"media": MEDIA_BUCKET, "private": PRIVATE_BUCKET}

    UserFactory(email="after-the-backup@example.test")
    out = io.StringIO()
    call_command("restore", str(archive), yes=True, stdout=out, stderr=out)
    text = out.getvalue()
    assert "Restore complete" in text, text
    assert "so it holds none: this site's media are left as they are." in text
    assert "Restoring media" not in text
    assert not User.objects.filter(email="after-the-backup@example.test").exists()
    assert keys_in(s3, PRIVATE_BUCKET) == [pdf_key]
    assert leftover.read_bytes() == b"local"


@pytest.mark.django_db(transaction=True)
def test_restoring_a_filesystem_backup_into_an_s3_site_says_the_files_are_not_copied(
    aws, site, settings, monkeypatch, tmp_path
):
    certificate = issue(UserFactory())
    tasks.render_certificate.call(certificate.pk)
    certificate.refresh_from_db()
    archive = tmp_path / "backups" / "site.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    names, manifest = members_and_manifest(archive)
    assert f"private/{certificate.pdf.name}" in names
    # The private folder is the test process's own, shared with other tests' PDFs.
    private = manifest["folders"]["private"]
    assert manifest["folders"] == {"media": 0, "private": private}

    use_s3(aws, settings, monkeypatch)
    out, err = io.StringIO(), io.StringIO()
    call_command("restore", str(archive), dry_run=True, stdout=out, stderr=err)
    assert (
        f"the backup holds media files ({backups.files_text(private)}), but this site keeps "
        "media in an object store (MEDIA_STORAGE=s3), and a restore does not copy files into "
        "it." in err.getvalue()
    )
    assert f"tar -xzf {archive} private" in err.getvalue()
    assert f"private/ into {PRIVATE_BUCKET}" in err.getvalue()
    assert "Dry run: nothing was changed." in out.getvalue()
    assert keys_in(aws, PRIVATE_BUCKET) == []
