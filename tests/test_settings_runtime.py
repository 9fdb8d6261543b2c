"""The settings as the site runs them, checked in fresh processes (not the test settings)."""

from pathlib import Path

import pytest

from tests import fresh_process

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, env_overrides, tmp_path):
    return fresh_process.run_manage(*args, environment=env_overrides)


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "alongside.example.org",
    "SITE_URL": "https://alongside.example.org",
}


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage(
        "check",
        env_overrides={
            **PRODUCTION,
            "SECRET_KEY": "",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        tmp_path=tmp_path,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path, settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite-specific: this run uses another database")
    script = (
        "from django.db import connection, transaction\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])\n"
        "print(connection.transaction_mode)\n"
    )
    result = run_manage(
        "shell",
        "-c",
        script,
        env_overrides={"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert lines[-3:] == ["wal", "20000", "IMMEDIATE"]
