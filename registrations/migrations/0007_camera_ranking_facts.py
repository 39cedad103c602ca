from django.db import migrations, models


class Migration(migrations.Migration):
    """A covering index for the canvass candidate query: a camera's ranking facts read from the index alone.

    The search joins each registration in the box to its cameras and reads only these columns, so both databases
    answer the join from the index (SQLite: COVERING INDEX; PostgreSQL: Index Only Scan) instead of a table row
    per camera. A plain composite index, not INCLUDE, so it covers on SQLite too.
    """

    dependencies = [
        ("registrations", "0006_registration_tombstone"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="camera",
            index=models.Index(
                fields=[
                    "registration",
                    "id",
                    "records_street",
                    "bearing_degrees",
                    "field_of_view_degrees",
                    "range_m",
                    "retention_days",
                ],
                name="camera_ranking_facts",
            ),
        ),
    ]
