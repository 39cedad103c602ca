# OutboxEmail now belongs to notifications (its 0001 took over the table): forget it here, keep the data.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('owners', '0002_staff_notice_kinds'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='OutboxEmail')],
            database_operations=[],
        ),
    ]
