"""A footage request's private link opens an owner session with the same limits as /manage/:
30 minutes idle and 12 hours in all, on the server, with a Sign out button on its pages."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.footage.helpers import make_request, owner_of, owners_with_email
from tests.owners.test_session_limits import Clock

pytestmark = pytest.mark.django_db


def answer_url(footage_request) -> str:
    return f"/footage/answer/{footage_request.public_id}/"


def test_it_stays_open_while_used_and_offers_sign_out(town, monkeypatch, settings):
    settings.OWNER_IDLE_TIMEOUT_SECONDS = 30 * 60
    clock = Clock(monkeypatch)
    footage_request = make_request(town["maple"])
    owner = owner_of(footage_request)
    for _ in range(3):
        clock.advance(minutes=29)
        response = owner.get(answer_url(footage_request))
        assert response.status_code == 200
    assert "/manage/sign-out/" in response.content.decode()


def test_it_ends_after_the_idle_limit(town, monkeypatch, settings):
    settings.OWNER_IDLE_TIMEOUT_SECONDS = 30 * 60
    clock = Clock(monkeypatch)
    footage_request = make_request(town["maple"])
    owner = owner_of(footage_request)
    clock.advance(minutes=31)
    response = owner.get(answer_url(footage_request))
    assert response.status_code in (403, 404)
    assert "footage_request_ids" not in owner.session


@pytest.mark.slow
def test_it_ends_after_the_absolute_limit_even_when_used(town, monkeypatch, settings):
    settings.OWNER_ABSOLUTE_TIMEOUT_SECONDS = 12 * 3600
    clock = Clock(monkeypatch)
    footage_request = make_request(town["maple"])
    owner = owner_of(footage_request)
    for _ in range(12 * 4 - 1):
        clock.advance(minutes=15)
        assert owner.get(answer_url(footage_request)).status_code == 200
    clock.advance(minutes=16)
    assert owner.get(answer_url(footage_request)).status_code in (403, 404)


def test_sign_out_ends_it(town):
    footage_request = make_request(town["maple"])
    owner = owner_of(footage_request)
    owner.post("/manage/sign-out/")
    assert owner.get(answer_url(footage_request)).status_code in (403, 404)


def test_opening_the_link_gives_a_new_session_id(town):
    footage_request = make_request(town["maple"])
    client = Client()
    client.get("/")  # any session a fixation attacker might have planted
    client.session.save()
    before = client.session.session_key
    owner_of(footage_request, client)
    assert client.session.session_key != before


def test_another_request_stays_out_of_reach(town):
    first, second = owners_with_email(town["maple"], 2)
    mine = make_request(town["maple"], registration=first)
    other = make_request(town["maple"], registration=second)
    owner = owner_of(mine)
    assert owner.get(answer_url(other)).status_code == 404
