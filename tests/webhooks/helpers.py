"""A real HTTP receiver on loopback that checks signatures and de-duplicates by Webhook-Id, as an integrator would."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.test import TestCase

from tests.api.helpers import make_token
from webhooks.services import webhook_endpoint_create
from webhooks.signing import signature_valid


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Receiver:
    """`answers` is consumed one per request: an int status, or ("slow", seconds, status); then 200 for ever."""

    def __init__(self, port: int | None = None, answers=()) -> None:
        self.answers = list(answers)
        self.secrets: list[str] = []
        self.requests: list[dict] = []  # every request that arrived, in order
        self.processed: dict[str, dict] = {}  # Webhook-Id -> event, once each
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.handle(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port or 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/registry?from=test"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        timestamp = int(handler.headers["Webhook-Timestamp"])
        header = handler.headers["Webhook-Signature"]
        record = {
            "id": handler.headers["Webhook-Id"],
            "path": handler.path,
            "signature": header,
            "valid": {secret: signature_valid(secret, header, timestamp, body) for secret in self.secrets},
            "body": json.loads(body),
            "headers": dict(handler.headers),
            "raw": body,
        }
        with self.lock:
            self.requests.append(record)
            answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, tuple):
            _slow, seconds, answer = answer
            time.sleep(seconds)
        if 200 <= answer < 300 and any(record["valid"].values()):
            with self.lock:
                self.processed.setdefault(record["id"], record["body"])  # a repeat is acknowledged, not redone
        try:
            handler.send_response(answer)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        except OSError:
            pass  # the sender gave up waiting

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def endpoint_for(agency, url: str, events, scopes=("webhooks:manage",)):
    """(endpoint, secret, token) for a new token of `agency` holding `scopes`."""
    token, _secret = make_token(agency, scopes=scopes, name="CAD")
    endpoint, secret = webhook_endpoint_create(actor=token.account, token=token, url=url, events=list(events))
    return endpoint, secret, token


def committing():
    return TestCase.captureOnCommitCallbacks(execute=True)
