"""An owner's link session ends after 30 minutes idle and 12 hours in all, on the server, or when signed out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from registrations.models import Registration
from tests.owners.helpers import a_registration_with_email, owner_client

pytestmark = pytest.mark.django_db

OWNER_PAGES = ["/manage/", "/manage/edit/", "/manage/status/", "/manage/withdraw/"]


class Clock:
    """A controllable django.utils.timezone.now."""

    def __init__(self, monkeypatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


def signed_in(response, registration: Registration) -> bool:
    body = response.content.decode()
    return response.status_code == 200 and registration.owner_phone in body and "/manage/sign-out/" in body


def test_it_stays_open_after_29_idle_minutes(town, monkeypatch, settings):
    settings.OWNER_IDLE_TIMEOUT_SECONDS = 30 * 60
    clock = Clock(monkeypatch)
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    for _ in range(3):  # each request restarts the idle clock
        clock.advance(minutes=29)
        assert signed_in(owner.get("/manage/"), registration)


def test_it_ends_after_31_idle_minutes(town, monkeypatch, settings):
    settings.OWNER_IDLE_TIMEOUT_SECONDS = 30 * 60
    clock = Clock(monkeypatch)
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    clock.advance(minutes=31)
    response = owner.get("/manage/")
    body = response.content.decode()
    assert response.status_code == 200 and registration.owner_phone not in body
    assert "Your link session has ended" in body and "30 minutes without use" in body
    assert 'name="email"' in body  # how to get a new link, right there
    assert "owner_registration_id" not in owner.session
    later = owner.get("/manage/edit/")
    assert later.status_code == 403 and registration.owner_phone not in later.content.decode()


def test_an_expired_session_writes_nothing(town, monkeypatch):
    clock = Clock(monkeypatch)
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    clock.advance(hours=1)
    response = owner.post("/manage/pause/")
    assert response.status_code == 403
    assert "Your link session has ended" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status != "paused"


@pytest.mark.slow
def test_the_absolute_limit_ends_even_a_busy_session(town, monkeypatch, settings):
    settings.OWNER_ABSOLUTE_TIMEOUT_SECONDS = 12 * 3600
    clock = Clock(monkeypatch)
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    for _ in range(47):  # a request every 15 minutes for 11 h 45 min
        clock.advance(minutes=15)
        assert signed_in(owner.get("/manage/"), registration)
    clock.advance(minutes=15)
    body = owner.get("/manage/").content.decode()
    assert registration.owner_phone not in body
    assert "12 hours after you opened it" in body


def test_limits_come_from_the_settings(town, monkeypatch, settings):
    settings.OWNER_IDLE_TIMEOUT_SECONDS = 5 * 60
    clock = Clock(monkeypatch)
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    clock.advance(minutes=6)
    assert not signed_in(owner.get("/manage/"), registration)


def test_a_new_link_opens_a_fresh_session_after_one_ended(town, monkeypatch):
    clock = Clock(monkeypatch)
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    clock.advance(hours=13)
    owner_client(registration, owner)
    assert signed_in(owner.get("/manage/"), registration)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("path", OWNER_PAGES)
def test_every_owner_page_has_a_sign_out_button(town, path, language):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    owner.cookies["django_language"] = language
    body = owner.get(path).content.decode()
    label = "Cerrar sesión" if language == "es" else "Sign out"
    assert '<form class="owner-sign-out" action="/manage/sign-out/" method="post">' in body
    assert 'name="csrfmiddlewaretoken"' in body and f">{label}</button>" in body


def test_sign_out_ends_the_session(town):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    response = owner.post("/manage/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/manage/?signed_out=1"
    body = owner.get(response["Location"]).content.decode()
    assert "You are signed out" in body and registration.owner_phone not in body
    for path in OWNER_PAGES[1:]:
        assert owner.get(path).status_code == 403


def test_sign_out_needs_post_and_the_csrf_token(town):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    owner.handler.enforce_csrf_checks = True
    assert owner.get("/manage/sign-out/").status_code == 405
    assert owner.post("/manage/sign-out/").status_code == 403
    assert signed_in(owner.get("/manage/"), registration)


def test_an_owner_session_never_sees_another_owners_registration(town):
    mine = a_registration_with_email(town["maple"])
    theirs = Registration.objects.filter(agency=town["cedar"]).exclude(owner_email="").first()
    owner = owner_client(mine)
    for path in OWNER_PAGES:
        body = owner.get(path).content.decode()
        assert theirs.owner_phone not in body and theirs.street_address not in body
    # A session id from another owner's browser is not something this one can pick up by changing a value.
    session = owner.session
    assert session["owner_registration_id"] == mine.pk
    other = owner_client(theirs)
    assert other.session.session_key != owner.session.session_key
    assert mine.owner_phone not in other.get("/manage/").content.decode()


def test_the_session_ended_page_speaks_spanish(town, monkeypatch):
    clock = Clock(monkeypatch)
    owner = owner_client(a_registration_with_email(town["maple"]))
    owner.cookies["django_language"] = "es"
    clock.advance(minutes=31)
    body = owner.get("/manage/").content.decode()
    assert "Su sesión del enlace ha terminado" in body and "30 minutos sin uso" in body
