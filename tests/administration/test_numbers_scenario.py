"""Every footage figure on the dashboard and the transparency page, from a known scenario run through the real paths.

Five requests: one answered by an upload, one "no footage", one declined, one that expires, one still waiting.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from footage.models import FootageRequest, RequestStatus
from footage.services import footage_reminders_run
from tests.footage.helpers import make_request, mp4_upload, owner_of, owners_with_email
from tests.staff_fixtures import make_staff, staff_client

FIGURES = re.compile(
    r"Footage requests: <strong>(\d+)</strong> sent, <strong>(\d+)</strong> answered, "
    r"<strong>(\d+)</strong> with footage received"
)


def _figures(page: str) -> tuple[int, int, int]:
    found = FIGURES.search(page)
    assert found, "the footage line is missing"
    return tuple(int(number) for number in found.groups())


def _both_pages(town) -> list[tuple[int, int, int]]:
    commander = staff_client(Client(), make_staff(town["maple"], "supervisor"))
    dashboard = commander.get("/staff/admin/dashboard/").content.decode()
    public = Client().get("/transparency/", {"agency": "maple-falls"}).content.decode()
    return [_figures(dashboard), _figures(public)]


@pytest.mark.slow
def test_each_footage_figure_matches_a_known_scenario(town):
    owners = owners_with_email(town["maple"], 5)
    uploaded, no_footage, declined, expiring, waiting = (make_request(town["maple"], owner) for owner in owners)
    # Before anyone answers: five sent, none answered.
    assert _both_pages(town) == [(5, 0, 0), (5, 0, 0)]

    response = owner_of(uploaded).post(f"/footage/answer/{uploaded.public_id}/upload/", {"files": [mp4_upload()]})
    assert response.status_code in (200, 302)
    for footage_request, answer in ((no_footage, "no_footage"), (declined, "declined")):
        client = owner_of(footage_request)
        assert client.post(f"/footage/answer/{footage_request.public_id}/respond/", {"answer": answer}).status_code in (
            200,
            302,
        )
    FootageRequest.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    footage_reminders_run()

    statuses = dict(FootageRequest.objects.values_list("pk", "status"))
    assert statuses == {
        uploaded.pk: RequestStatus.FOOTAGE_RECEIVED,
        no_footage.pk: RequestStatus.NO_FOOTAGE,
        declined.pk: RequestStatus.DECLINED,
        expiring.pk: RequestStatus.EXPIRED,
        waiting.pk: RequestStatus.WAITING,
    }
    # Answered = upload, no footage, decline; an expired request was never answered.
    assert _both_pages(town) == [(5, 3, 1), (5, 3, 1)]


def test_another_agency_counts_none_of_them(town):
    make_request(town["maple"])
    public = Client().get("/transparency/", {"agency": "cedar-grove"}).content.decode()
    found = FIGURES.search(public)
    assert found is None or found.groups() == ("0", "0", "0")
