"""Helpers for owner tests: open an owner's session the way the email link does, run queued email."""

from __future__ import annotations

from django.test import Client, TestCase

from registrations.models import Registration
from registrations.tokens import owner_link_issue


def run_tasks() -> None:
    """Run every queued task once, in this process and this test's transaction, as db_worker would.

    db_worker itself closes the database connection when it finishes, which PostgreSQL
    test runs cannot survive inside a test transaction; the outcome recorded is the same.
    """
    from django_tasks_db.models import DBTaskResult

    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        result.claim("test-worker")
        task_result = result.task_result
        try:
            value = result.task.call(*task_result.args, **task_result.kwargs)
        except Exception as error:  # noqa: BLE001 - recorded as FAILED, like the worker does
            result.set_failed(error)
        else:
            result.set_successful(value)


def committing():
    """Run transaction.on_commit callbacks inside a test transaction, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def owner_client(registration: Registration, client: Client | None = None) -> Client:
    client = client or Client()
    value = owner_link_issue(registration=registration)
    response = client.post(f"/manage/link/{value}/")
    assert response.status_code == 302, response.content[:500]
    return client


def link_in(body: str, route: str) -> str:
    """The path of the first link in an email body that goes through `route` (e.g. '/manage/link/')."""
    link = next(word for word in body.split() if route in word)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def a_registration_with_email(agency) -> Registration:
    return Registration.objects.filter(agency=agency).exclude(owner_email="").order_by("id").first()
