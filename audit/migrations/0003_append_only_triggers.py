"""Install the append-only triggers (see audit/guards.py) on SQLite and PostgreSQL.

Any later migration that alters AuditEntry on SQLite rebuilds the table and loses
these triggers; it must run `guards.install` again after its schema change.
"""

from django.db import migrations


def install_triggers(apps, schema_editor):
    from audit import guards

    guards.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    from audit import guards

    guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_unconstrained_actor_and_agency")]

    operations = [migrations.RunPython(install_triggers, remove_triggers)]
