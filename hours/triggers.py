"""Sign-offs are insert-only, enforced by the database itself on SQLite and PostgreSQL.

A supervisor's sign-off is an attestation a board relies on, so no code path (a bug, the
Django admin, a shell session) may change or remove one. Triggers refuse every UPDATE and
DELETE on the sign-off tables unless the maintenance switch is on:

- in Python, ``with maintenance():`` (used by our ``flush`` command, so test teardown and
  ``manage.py flush`` still work);
- on PostgreSQL outside Django, the session setting ``alongside.maintenance = 'on'``, for example
  ``PGOPTIONS='-c alongside.maintenance=on' pg_restore ...`` when restoring a backup.
  ``TRUNCATE`` does not fire row triggers, so emptying whole tables also works.
"""

import threading
from contextlib import contextmanager

from django.db import connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver

PROTECTED_TABLES = ["hours_signoff", "hours_signoffentry"]
MESSAGE = "sign-offs are append-only: record a correction as a new sign-off"

_state = threading.local()


def maintenance_on() -> bool:
    return getattr(_state, "on", False)


@contextmanager
def maintenance():
    """Allow changes to sign-off rows for the duration (backups, test teardown)."""
    previous = maintenance_on()
    _state.on = True
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('alongside.maintenance', 'on', false)")
        yield
    finally:
        _state.on = previous
        if connection.vendor == "postgresql" and not previous:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('alongside.maintenance', 'off', false)")


@receiver(connection_created)
def register_sqlite_switch(sender, connection, **kwargs):
    """SQLite triggers ask Python whether maintenance is on through this function."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "alongside_maintenance", 0, lambda: int(maintenance_on()), deterministic=False
        )


def create_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"WHEN NOT alongside_maintenance() BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for table in PROTECTED_TABLES
            for action in ("UPDATE", "DELETE")
        ]
    if vendor == "postgresql":
        statements = [
            f"""
            CREATE OR REPLACE FUNCTION alongside_append_only() RETURNS trigger AS $$
            BEGIN
                IF coalesce(current_setting('alongside.maintenance', true), 'off') = 'on' THEN
                    RETURN COALESCE(NEW, OLD);
                END IF;
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
            END;
            $$ LANGUAGE plpgsql
            """
        ]
        for table in PROTECTED_TABLES:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION alongside_append_only()",
            ]
        return statements
    raise RuntimeError(f"append-only triggers are not written for the {vendor} database")


def drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_{action.lower()}"
            for table in PROTECTED_TABLES
            for action in ("UPDATE", "DELETE")
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in PROTECTED_TABLES]
