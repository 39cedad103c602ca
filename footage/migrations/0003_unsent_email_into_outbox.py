# Footage request emails go through notifications' outbox now. A request still waiting for its
# first email (email_sent_at empty: the old retry command would have queued it again) becomes an
# outbox row, so nothing unsent is lost. email_sent_at and reminder_sent_at stay, as the request's
# own record of when its emails were delivered (set by the outbox task; reminders depend on it).
# Unsent reminders need no row: footage_reminders_run queues every due reminder.

from django.db import migrations


def unsent_requests_to_outbox(apps, schema_editor):
    FootageRequest = apps.get_model('footage', 'FootageRequest')
    OutboxEmail = apps.get_model('notifications', 'OutboxEmail')
    unsent = FootageRequest.objects.filter(status='waiting', channel='email', email_sent_at__isnull=True)
    for request in unsent.iterator():
        OutboxEmail.objects.get_or_create(
            key=f'footage_request:{request.pk}',
            defaults={
                'template': 'footage_request',
                'registration_id': request.registration_id,
                'language': request.language,
                'context': {'request_id': request.pk},
            },
        )


def outbox_rows_back(apps, schema_editor):
    # Before this migration the request itself was the queue: its empty email_sent_at is enough.
    OutboxEmail = apps.get_model('notifications', 'OutboxEmail')
    OutboxEmail.objects.filter(key__startswith='footage_').delete()


class Migration(migrations.Migration):

    dependencies = [
        ('footage', '0002_evidence_purged_at'),
        ('notifications', '0002_one_outbox'),
    ]

    operations = [
        migrations.RunPython(unsent_requests_to_outbox, outbox_rows_back),
    ]
