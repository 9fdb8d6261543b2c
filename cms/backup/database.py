"""The database part of a backup, for each vendor: a consistent copy with the facts the
manifest records (migrations, tables, row counts, read from the same snapshot), checking a
copy, and putting one back all or nothing.

SQLite uses its online backup API both ways. PostgreSQL uses ``pg_dump --format=custom`` and
``pg_restore``, with the connection details of ``DATABASES["default"]`` in the environment and
the password as ``PGPASSWORD``, never on a command line."""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from . import (
    DATABASE_MEMBERS,
    KEY_TABLES,
    BackupError,
    Report,
    RestoreError,
    database_vendor,
)


def _latest_migrations(rows) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:
        if app not in latest or name > latest[app]:
            latest[app] = name
    return dict(sorted(latest.items()))


def database_facts(cursor, tables: list[str]) -> dict:
    """The latest applied migration of each app, every table's name, and the row counts of
    the key tables, read through ``cursor`` (a DB-API cursor of either vendor)."""
    tables = sorted(tables)
    migrations = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _latest_migrations(cursor.fetchall())
    counts = {}
    for table in KEY_TABLES:
        if table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - a name from KEY_TABLES
            counts[table] = cursor.fetchone()[0]
    return {"migrations": migrations, "tables": tables, "counts": counts}


def current_facts() -> dict:
    with connection.cursor() as cursor:
        return database_facts(cursor, connection.introspection.table_names(cursor))


def _sqlite_tables(database: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in database.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]


def _sqlite_check(database: sqlite3.Connection, what: str) -> None:
    result = database.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(
            _("The SQLite check of %(what)s failed: %(result)s")
            % {"what": what, "result": result[0] if result else "-"}
        )


def postgres_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(tool)s was not found. Install the PostgreSQL client tools, at least the "
                "server's version (on Debian: apt-get install postgresql-client)."
            )
            % {"tool": name}
        )
    return path


def postgres_environment(extra_options: str = "") -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the connection details of the default
    database, the password as ``PGPASSWORD`` (never on a command line)."""
    settings_dict = connection.settings_dict
    _args, client_env = PostgresClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(client_env or {})}
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGDATABASE", "NAME"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = " ".join(
        part
        for part in (
            env.get("PGOPTIONS", ""),
            str(settings_dict.get("OPTIONS", {}).get("options", "")),
            extra_options,
        )
        if part
    )
    if options:
        env["PGOPTIONS"] = options
    return env


def postgres_target() -> str:
    settings_dict = connection.settings_dict
    if settings_dict.get("NAME"):
        return str(settings_dict["NAME"])
    return f"service={settings_dict.get('OPTIONS', {}).get('service', '')}"


def _run(command: list[str], *, env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed arguments, the tool's absolute path
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or _("no message")
        raise BackupError(
            _("%(what)s failed (exit status %(status)s): %(detail)s")
            % {"what": what, "status": result.returncode, "detail": detail}
        )


def snapshot_database(work: Path, report: Report) -> tuple[Path, dict]:
    """Copy the database into ``work`` and read its facts from that same snapshot."""
    if connection.in_atomic_block:
        raise BackupError(_("A backup cannot be taken inside an open database transaction."))
    vendor = database_vendor()
    target = work / DATABASE_MEMBERS[vendor]
    if vendor == "sqlite":
        report(_("Copying the SQLite database with its online backup API..."))
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            _sqlite_check(copy, _("the copied database"))
            facts = database_facts(copy.cursor(), _sqlite_tables(copy))
        finally:
            copy.close()
        return target, facts
    report(_("Dumping the PostgreSQL database with pg_dump..."))
    tool = postgres_tool("pg_dump")
    # One snapshot for the dump and the facts: pg_dump imports the snapshot this transaction
    # exports, so the counts in the manifest are exactly the rows in the dump.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = database_facts(cursor, connection.introspection.table_names(cursor))
        _run(
            [
                tool,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            env=postgres_environment(),
            what="pg_dump",
        )
    return target, facts


def tables_with_rows() -> int:
    """How many tables of the configured database hold at least one row."""
    if connection.vendor == "sqlite":
        # A new site's database file may be in a folder that does not exist yet.
        Path(str(connection.settings_dict["NAME"])).parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608 - an existing table's quoted name
            count += cursor.fetchone() is not None
    return count


def check_staged(path: Path, vendor: str) -> None:
    """Check an unpacked database before it replaces anything: SQLite's quick check, or
    pg_restore reading the dump's table of contents."""
    if vendor == "sqlite":
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            _sqlite_check(database, _("the database in the archive"))
        finally:
            database.close()
        return
    _run(
        [postgres_tool("pg_restore"), "--list", str(path)],
        env=postgres_environment(),
        what=_("Reading the database dump"),
    )


def restore_database(path: Path, vendor: str) -> None:
    """Replace the configured database with the staged one, all or nothing."""
    if connection.in_atomic_block:
        raise RestoreError(_("A restore cannot run inside an open database transaction."))
    if vendor == "sqlite":
        target = Path(str(connection.settings_dict["NAME"]))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection.ensure_connection()
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                # One step: the copy is a single write transaction on the target, so readers
                # see the old database or the new one, never a mixture.
                source.backup(connection.connection)
            finally:
                source.close()
        except (sqlite3.Error, DatabaseError) as error:
            raise RestoreError(
                _("SQLite could not copy the database into %(path)s: %(error)s")
                % {"path": target, "error": error}
            ) from error
        return
    connection.close()
    _run(
        [
            postgres_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={postgres_target()}",
            str(path),
        ],
        # Sign-off rows are insert-only unless this session setting is on (hours/triggers.py).
        env=postgres_environment("-c alongside.maintenance=on"),
        what="pg_restore",
    )


def migration_problems(manifest: dict) -> tuple[list[str], bool]:
    """Migrations of the backup this code does not have (it was made by a newer version:
    refuse), and whether the restored database will need ``migrate`` (it is older)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = dict(loader.graph.leaf_nodes())
    unknown, behind = [], False
    backup = manifest["database"]["migrations"]
    for app, name in sorted(backup.items()):
        if app not in loader.migrated_apps:
            continue
        if (app, name) not in loader.disk_migrations:
            unknown.append(f"{app}.{name}")
        elif leaves.get(app) != name:
            behind = True
    if any(app not in backup for app in leaves):
        behind = True
    return unknown, behind


@dataclass
class Comparison:
    table: str
    backup: int
    restored: int | None


def compare_counts(manifest: dict) -> tuple[list[Comparison], list[str]]:
    """Row counts of the restored database beside the manifest's, and tables the restored
    database has that the backup did not (PostgreSQL keeps tables the dump does not name)."""
    facts = current_facts()
    rows = [
        Comparison(table, count, facts["counts"].get(table))
        for table, count in sorted(manifest["database"]["counts"].items())
    ]
    extra = sorted(set(facts["tables"]) - set(manifest["database"]["tables"]))
    return rows, extra
