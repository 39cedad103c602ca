"""/metrics: Prometheus text for this machine's monitoring or dashboard staff; refused to anyone else."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Role
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db


def test_loopback_gets_request_counts_and_queue_gauges(client):
    client.get("/healthz")
    response = client.get("/metrics")  # the test client's address is 127.0.0.1
    assert response.status_code == 200
    body = response.content.decode()
    assert 'cameraregistry_http_requests_total{method="GET",status="2xx"}' in body
    assert "cameraregistry_http_request_duration_seconds_bucket" in body
    assert "cameraregistry_tasks_waiting" in body and "cameraregistry_worker_heartbeat_age_seconds" in body
    assert response["Content-Type"].startswith("text/plain")


def test_anonymous_from_outside_is_refused():
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 403
    assert b"cameraregistry_" not in response.content


def test_an_address_in_the_allowed_networks_is_served(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert Client(REMOTE_ADDR="10.20.3.4").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.21.3.4").get("/metrics").status_code == 403
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403


def test_behind_the_proxy_the_forwarded_client_address_decides(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # nginx connects from loopback; the client it forwards is outside.
    outside = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert outside.get("/metrics").status_code == 403


def test_dashboard_staff_may_read_it_from_anywhere_others_may_not(town):
    outside = "203.0.113.9"
    investigator = staff_client(Client(REMOTE_ADDR=outside), make_staff(town["cedar"], Role.INVESTIGATOR))
    assert investigator.get("/metrics").status_code == 200
    # The deployment auditor reads the audit log and nothing else.
    auditor = staff_client(Client(REMOTE_ADDR=outside), make_staff(None, Role.DEPLOYMENT_AUDITOR))
    assert auditor.get("/metrics").status_code == 403
    # Signed in with the password only (no TOTP yet): refused.
    half = Client(REMOTE_ADDR=outside)
    half.force_login(make_staff(town["maple"], Role.ADMINISTRATOR), backend="django.contrib.auth.backends.ModelBackend")
    assert half.get("/metrics").status_code == 403


def test_it_refuses_other_methods(client):
    assert client.post("/metrics").status_code == 405
