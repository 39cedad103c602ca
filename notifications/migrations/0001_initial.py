# The outbox moves here from owners without touching the database: this records the model
# as it already is (table owners_outboxemail), owners 0003 forgets it, and 0002 renames the table.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import cameraregistry.crypto


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('owners', '0002_staff_notice_kinds'),
        ('registrations', '0005_owner_changes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OutboxEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=20)),
                        ('recipient', cameraregistry.crypto.EncryptedTextField(blank=True)),
                        ('language', models.CharField(default='en', max_length=5)),
                        ('context', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('sent_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                        ('failures', models.PositiveIntegerField(default=0)),
                        ('registration', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='outbox_emails', to='registrations.registration')),
                    ],
                    options={
                        'ordering': ['created_at'],
                        'db_table': 'owners_outboxemail',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
