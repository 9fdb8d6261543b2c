from django.db import migrations


def create_triggers(apps, schema_editor):
    from hours.triggers import create_sql

    for statement in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    from hours.triggers import drop_sql

    for statement in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    """Sign-offs are insert-only: see hours/triggers.py."""

    dependencies = [("hours", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
