"""Helpers for owner tests: open an owner's session the way the email link does, run queued email."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client, TestCase

from registrations.models import Registration
from registrations.tokens import owner_link_issue


def run_tasks() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


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
