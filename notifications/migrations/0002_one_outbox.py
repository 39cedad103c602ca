# Every email is named by its template now ("manage_link" was sent with emails/owner_manage_link),
# rows can carry a key that makes queueing idempotent, and the table takes the app's name.

from django.db import migrations, models

OLD_KINDS = {
    'manage_link': 'owner_manage_link',
    'reconfirm': 'owner_reconfirm',
    'withdrawn': 'owner_withdrawn',
    'status_report': 'owner_status_report',
    'staff_lockout': 'staff_lockout',
    'staff_inactivity': 'staff_inactivity',
}


def kinds_to_templates(apps, schema_editor):
    OutboxEmail = apps.get_model('notifications', 'OutboxEmail')
    for kind, template in OLD_KINDS.items():
        OutboxEmail.objects.filter(template=kind).update(template=template)


def templates_to_kinds(apps, schema_editor):
    # Emails the old code had no outbox for (registration confirmations, footage requests) cannot go back.
    OutboxEmail = apps.get_model('notifications', 'OutboxEmail')
    OutboxEmail.objects.exclude(template__in=OLD_KINDS.values()).delete()
    for kind, template in OLD_KINDS.items():
        OutboxEmail.objects.filter(template=template).update(template=kind)


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
        ('owners', '0003_outbox_moved_to_notifications'),
    ]

    operations = [
        migrations.RenameField(model_name='outboxemail', old_name='kind', new_name='template'),
        migrations.AlterField(
            model_name='outboxemail', name='template', field=models.CharField(max_length=60),
        ),
        migrations.AddField(
            model_name='outboxemail',
            name='key',
            field=models.CharField(blank=True, max_length=100, null=True, unique=True),
        ),
        migrations.RunPython(kinds_to_templates, templates_to_kinds),
        migrations.AlterModelTable(name='outboxemail', table=None),
    ]
