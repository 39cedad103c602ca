from __future__ import annotations

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_it_reports_ok_after_a_real_query(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_it_reports_503_with_a_reason_when_the_database_is_unreachable(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def unreachable(self, sql, params=None):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert "database unreachable" in response.json()["reason"]


def test_it_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
