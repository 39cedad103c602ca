"""The agency whose data a partner used (sharing agreements), so that agency's auditors see the entry.

A nullable column is added in place on both databases; the append-only triggers are
installed again anyway (idempotent), in case a database rebuilt the table.
"""

import django.db.models.deletion
from django.db import migrations, models


def install_triggers(apps, schema_editor):
    from audit import guards

    guards.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_alter_offensetype_name"),
        ("audit", "0003_append_only_triggers"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="data_agency",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
    ]
