"""/manage/: asking for a private link, and using links that are expired, reused, tampered or someone else's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from registrations.models import OwnerAccessToken
from registrations.tokens import owner_link_issue
from tests.owners.helpers import a_registration_with_email, committing, link_in, owner_client, run_tasks

pytestmark = pytest.mark.django_db


def without_csrf(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_it_asks_for_an_email_without_a_session(client, town):
    response = client.get("/manage/")
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_it_answers_the_same_for_registered_and_unknown_emails(client, town):
    registration = a_registration_with_email(town["maple"])
    with committing():
        known = client.post("/manage/", {"email": registration.owner_email.upper()})
        unknown = client.post("/manage/", {"email": "nobody-at-all@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert without_csrf(known.content.decode()) == without_csrf(unknown.content.decode())
    assert "Check your email" in known.content.decode() and "Check your email" in unknown.content.decode()
    run_tasks()
    assert [message.to for message in mail.outbox] == [[registration.owner_email]]
    path = link_in(mail.outbox[0].body, "/manage/link/")
    owner = Client()
    assert owner.get(path).status_code == 200
    assert owner.post(path).status_code == 302
    assert registration.street_address in owner.get("/manage/").content.decode()


def test_it_rejects_a_malformed_email_with_a_message(client, town):
    response = client.post("/manage/", {"email": "not an email<script>"})
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()


def test_it_rate_limits_requests_per_address_and_per_email(client, town):
    registration = a_registration_with_email(town["maple"])
    with committing():
        for _ in range(5):
            client.post("/manage/", {"email": registration.owner_email})
    run_tasks()
    assert len(mail.outbox) == 3  # per-email limit: the rest answered the same but sent nothing
    for _ in range(6):
        last = client.post("/manage/", {"email": f"x{_}@example.com"})
    assert last.status_code == 429
    assert "Too many requests" in last.content.decode()


def test_it_refuses_a_reused_link(client, town):
    registration = a_registration_with_email(town["maple"])
    value = owner_link_issue(registration=registration)
    assert client.post(f"/manage/link/{value}/").status_code == 302
    response = Client().post(f"/manage/link/{value}/")
    assert response.status_code == 410
    assert "already used" in response.content.decode()
    assert 'name="email"' in response.content.decode()  # a way to ask for a new one


def test_it_refuses_an_expired_link(client, town):
    registration = a_registration_with_email(town["maple"])
    value = owner_link_issue(registration=registration)
    OwnerAccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/manage/link/{value}/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()


@pytest.mark.parametrize(
    "mangle",
    [lambda v: v[:-2] + "xx", lambda v: ("B" if v[0] == "A" else "A") + v[1:], lambda v: v + "/../1", lambda v: "%00"],
)
def test_it_refuses_a_tampered_link(client, town, mangle):
    registration = a_registration_with_email(town["maple"])
    value = owner_link_issue(registration=registration)
    response = client.post(f"/manage/link/{mangle(value)}/")
    assert response.status_code in (404, 410)
    assert client.session.get("owner_registration_id") is None


def test_a_session_sees_only_its_own_registration(town):
    mine = a_registration_with_email(town["maple"])
    other = a_registration_with_email(town["cedar"])
    owner = owner_client(mine)
    page = owner.get("/manage/").content.decode()
    assert mine.owner_name in page and other.owner_name not in page
    # No page takes a registration id; putting another id anywhere changes nothing.
    assert other.owner_name not in owner.get(f"/manage/?registration={other.pk}").content.decode()
    assert owner.get(f"/manage/edit/?id={other.pk}").status_code == 200
    assert other.owner_name not in owner.get(f"/manage/edit/?id={other.pk}").content.decode()


@pytest.mark.parametrize("path", ["/manage/edit/", "/manage/status/", "/manage/withdraw/", "/manage/consent/"])
def test_anonymous_visitors_get_no_owner_page(client, town, path):
    response = client.get(path)
    assert response.status_code == 403
    assert "Open your registration from your email" in response.content.decode()


@pytest.mark.parametrize("path", ["/manage/pause/", "/manage/resume/", "/manage/withdraw/", "/manage/reconfirm/"])
def test_anonymous_posts_change_nothing(client, town, path):
    before = list(town["maple"].registrations.values_list("status", "last_confirmed_at"))
    response = client.post(path, {"confirm": "yes"})
    assert response.status_code == 403
    assert list(town["maple"].registrations.values_list("status", "last_confirmed_at")) == before


def test_an_owner_session_cannot_reach_staff_pages(town):
    owner = owner_client(a_registration_with_email(town["maple"]))
    for path in ("/staff/", "/django-admin/"):
        response = owner.get(path)
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert (
                "login" in response["Location"]
                or "sign-in" in response["Location"]
                or "sign_in" in response["Location"]
            )


def test_a_link_opens_only_the_registration_it_was_issued_for(town):
    mine = a_registration_with_email(town["maple"])
    other = a_registration_with_email(town["cedar"])
    owner_link_issue(registration=other)
    owner = owner_client(mine)
    assert owner.session["owner_registration_id"] == mine.pk
