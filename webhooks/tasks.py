"""The delivery task: one attempt, and after a failure the next one queued for its time. Systemd timers
run `manage.py webhooks_retry_run` too, which picks up whatever a stopped worker left behind."""

from __future__ import annotations

from django_tasks import task

from webhooks.delivery import delivery_attempt


def delivery_run(delivery_id: int) -> str:
    attempt = delivery_attempt(delivery_id)
    if attempt.retry_at is not None:
        # The outcome is already committed (delivery_attempt's own transaction), so queue it now.
        deliver_webhook.using(run_after=attempt.retry_at).enqueue(delivery_id)
    return attempt.outcome


@task()
def deliver_webhook(delivery_id: int) -> str:
    return delivery_run(delivery_id)
