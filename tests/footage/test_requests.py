"""Footage requests: sending, the owner's private link and answers, history, reminders, outsiders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from footage.models import FootageRequest, FootageRequestToken
from footage.services import footage_reminders_run
from footage.tokens import request_link_issue
from tests.footage.helpers import make_case, make_request, owner_of, owners_with_email, window
from tests.owners.helpers import committing, link_in, owner_client, run_tasks
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def investigator(town):
    return make_staff(town["maple"], "investigator")


@pytest.fixture
def case(town, investigator):
    return make_case(town["maple"], investigator, owners_with_email(town["maple"], 3))


def request_form(case, **overrides):
    start, end = window()
    data = {
        "cameras": [str(c.pk) for c in case.chosen_cameras.all()],
        "message": "A car was broken into at 9 pm.",
        "window_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "window_end": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def test_an_investigator_sends_requests_and_each_owner_gets_a_working_link(client, town, investigator, case):
    staff_client(client, investigator)
    with committing():
        response = client.post(f"/footage/staff/cases/{case.pk}/requests/", request_form(case))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FootageRequest.objects.filter(case=case).count() == 3
    run_tasks()
    assert len(mail.outbox) == 3
    first = FootageRequest.objects.filter(case=case).order_by("id").first()
    message = next(m for m in mail.outbox if m.to == [first.registration.owner_email])
    assert case.case_number in message.subject and "A car was broken into" in message.body
    assert message.alternatives[0][1] == "text/html"
    path = link_in(message.body, "/footage/r/")
    owner = Client()
    assert "See the request" in owner.get(path).content.decode()
    answer = owner.post(path, follow=True)
    assert case.case_number in answer.content.decode()
    page = client.get(f"/footage/staff/cases/{case.pk}/requests/").content.decode()
    assert "Request email delivered" in page and "Waiting for the owner" in page
    assert AuditEntry.objects.filter(action="footage_request.create").count() == 3


def test_the_email_is_in_the_owners_language(town, investigator):
    registration = owners_with_email(town["maple"], 1)[0]
    registration.language = "es"
    registration.save()
    with committing():
        make_request(town["maple"], registration, investigator)
    run_tasks()
    assert "le pide video" in mail.outbox[0].subject
    assert "Responder a la solicitud" in mail.outbox[0].alternatives[0][0]


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"window_start": "2025-01-02T10:00", "window_end": "2025-01-01T10:00"}, "must be after its start"),
        ({"window_start": "2025-01-01T10:00", "window_end": "2025-01-20T10:00"}, "at most 7 days"),
        ({"window_start": "yesterday"}, "Enter a date and time"),
        ({"cameras": ["999999"]}, "is not part of this case"),
        ({"cameras": []}, "Pick at least one camera"),
        ({"message": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_wrong_request_forms_are_explained_and_nothing_is_sent(client, town, investigator, case, overrides, message):
    staff_client(client, investigator)
    response = client.post(f"/footage/staff/cases/{case.pk}/requests/", request_form(case, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FootageRequest.objects.exists()


def test_a_paused_owner_is_not_contacted(client, town, investigator, case):
    registration = case.chosen_cameras.first().camera.registration
    registration.status = "paused"
    registration.save()
    staff_client(client, investigator)
    response = client.post(f"/footage/staff/cases/{case.pk}/requests/", request_form(case))
    assert response.status_code == 400 and "paused participation" in response.content.decode()
    assert not FootageRequest.objects.exists()


def test_outsiders_cannot_see_or_send_requests(client, town, case):
    path = f"/footage/staff/cases/{case.pk}/requests/"
    assert client.get(path).status_code == 302  # anonymous: to the staff sign-in
    cedar = staff_client(Client(), make_staff(town["cedar"], "investigator"))
    assert cedar.get(path).status_code == 404
    assert cedar.post(path, request_form(case)).status_code == 404
    auditor = staff_client(Client(), make_staff(town["maple"], "auditor"))
    assert auditor.get(path).status_code == 403
    owner = owner_client(case.chosen_cameras.first().camera.registration)
    assert owner.get(path).status_code == 302
    assert not FootageRequest.objects.exists()


def test_a_request_link_never_opens_another_request(town, investigator):
    first = make_request(town["maple"], owners_with_email(town["maple"], 2)[0], investigator)
    second = make_request(town["maple"], owners_with_email(town["maple"], 2)[1], investigator)
    value = request_link_issue(footage_request=first)
    owner = Client()
    assert owner.get(f"/footage/r/{second.public_id}/{value}/").status_code == 404
    assert owner.post(f"/footage/r/{second.public_id}/{value}/").status_code == 404
    owner_of(first, owner)
    assert owner.get(f"/footage/answer/{first.public_id}/").status_code == 200
    assert owner.get(f"/footage/answer/{second.public_id}/").status_code == 404  # only what its link opened
    assert owner.post(f"/footage/answer/{second.public_id}/respond/", {"answer": "declined"}).status_code == 404


def test_tampered_and_expired_request_links_are_refused(town, investigator):
    footage_request = make_request(town["maple"], investigator=investigator)
    value = request_link_issue(footage_request=footage_request)
    assert Client().get(f"/footage/r/{footage_request.public_id}/{value[:-3]}abc/").status_code == 404
    assert Client().get(f"/footage/r/{footage_request.public_id}/nonsense/").status_code == 404
    FootageRequestToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(f"/footage/r/{footage_request.public_id}/{value}/")
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_anonymous_and_manage_sessions_cannot_open_answer_pages(town, investigator):
    footage_request = make_request(town["maple"], investigator=investigator)
    assert Client().get(f"/footage/answer/{footage_request.public_id}/").status_code == 404
    owner = owner_client(footage_request.registration)  # the right owner, but through /manage/, not this request's link
    assert owner.get(f"/footage/answer/{footage_request.public_id}/").status_code == 404


@pytest.mark.parametrize("answer,reason", [("declined", ""), ("declined", "Not comfortable"), ("no_footage", "")])
def test_the_owner_answers_without_having_to_give_a_reason(town, investigator, answer, reason):
    footage_request = make_request(town["maple"], investigator=investigator)
    owner = owner_of(footage_request)
    response = owner.post(f"/footage/answer/{footage_request.public_id}/respond/", {"answer": answer, "reason": reason})
    assert response.status_code == 200
    footage_request.refresh_from_db()
    assert footage_request.status == answer and footage_request.owner_reason == reason
    again = owner.post(f"/footage/answer/{footage_request.public_id}/respond/", {"answer": "no_footage"})
    assert again.status_code == 409 and "already answered" in again.content.decode()
    entry = AuditEntry.objects.get(action="footage_request.answer")
    assert entry.parameters == {"answer": answer, "by": "owner"}


def test_a_phone_call_is_recorded_by_the_investigator(client, town, investigator):
    footage_request = make_request(town["maple"], investigator=investigator)
    staff_client(client, investigator)
    path = f"/footage/staff/requests/{footage_request.pk}/phone/"
    assert client.post(path, {"outcome": "note", "note": ""}).status_code == 400
    assert client.post(path, {"outcome": "declined", "note": "Owner said no politely"}).status_code == 302
    footage_request.refresh_from_db()
    assert footage_request.status == "declined"
    page = client.get(f"/footage/staff/requests/{footage_request.pk}/").content.decode()
    assert "Owner said no politely" in page
    other = staff_client(Client(), make_staff(town["cedar"], "investigator"))
    assert other.post(path, {"outcome": "note", "note": "x"}).status_code == 404


def test_reminders_go_once_and_unanswered_requests_expire(town, investigator):
    with committing():
        footage_request = make_request(town["maple"], investigator=investigator)
    run_tasks()
    assert len(mail.outbox) == 1
    agency = town["maple"]
    later = timezone.now() + timedelta(days=agency.request_reminder_days, minutes=1)
    with committing():  # reminders are queued through the outbox, which enqueues once the run commits
        assert footage_reminders_run(now=later) == {"reminders": 1, "expired": 0}
    run_tasks()
    with committing():
        assert footage_reminders_run(now=later) == {"reminders": 0, "expired": 0}
    run_tasks()
    assert len(mail.outbox) == 2 and "Reminder" in mail.outbox[1].subject
    much_later = timezone.now() + timedelta(days=agency.request_expiry_days, minutes=1)
    assert footage_reminders_run(now=much_later) == {"reminders": 0, "expired": 1}
    footage_request.refresh_from_db()
    assert footage_request.status == "expired"


def test_a_withdrawal_keeps_the_case_history_but_nothing_personal(town, investigator):
    footage_request = make_request(town["maple"], investigator=investigator)
    owner_client(footage_request.registration).post("/manage/withdraw/", {"confirm": "yes"})
    footage_request.refresh_from_db()
    assert footage_request.registration is None
    client = staff_client(Client(), investigator)
    assert "owner withdrew" in client.get(f"/footage/staff/cases/{footage_request.case_id}/requests/").content.decode()
