"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and the settings that send to it."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def smtp_start(settings, handler) -> Controller:
    """Start a server for `handler` on a free port and point Django's SMTP backend at it."""
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return controller


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = smtp_start(settings, inbox)
    yield inbox, controller
    try:
        controller.stop()
    except (AssertionError, RuntimeError):
        pass  # already stopped by the test


def body_of(message, kind: str = "plain") -> str:
    return message.get_body((kind,)).get_content()
