"""Closing and reopening a case: who may, the reason, the audit, and what a closed case still allows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from audit.models import AuditEntry
from canvass.models import Case, CaseStatus
from canvass.services import case_close, case_reopen
from footage.models import FootageRequest
from tests.canvass.helpers import form_data
from tests.footage.helpers import make_case, owners_with_email, verified, window
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def investigator(town):
    return make_staff(town["maple"], "investigator")


@pytest.fixture
def case(town, investigator):
    return make_case(town["maple"], investigator, owners_with_email(town["maple"], 2))


def close_url(case) -> str:
    return f"/staff/canvass/cases/{case.pk}/close/"


def reopen_url(case) -> str:
    return f"/staff/canvass/cases/{case.pk}/reopen/"


@pytest.mark.parametrize("role", ["investigator", "supervisor", "administrator"])
def test_it_lets_the_agencys_case_workers_close_with_a_reason_audited(client, town, case, role):
    user = make_staff(town["maple"], role)
    staff_client(client, user)
    response = client.post(close_url(case), {"reason": "Suspect charged; evidence handed to the prosecutor."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.closed_by == user and case.close_reason == "Suspect charged; evidence handed to the prosecutor."
    entry = AuditEntry.objects.get(action="case.close")
    assert entry.actor_id == user.pk and entry.object_id == str(case.pk)
    assert entry.parameters["reason"] == case.close_reason
    page = client.get(f"/staff/canvass/cases/{case.pk}/").content.decode()
    assert "Closed on" in page and str(user) in page and "Suspect charged" in page


def test_it_reopens_with_a_reason_audited_and_the_retention_clock_stops(client, town, case, investigator):
    case_close(user=verified(investigator), case=case, reason="No leads left.")
    staff_client(client, investigator)
    response = client.post(reopen_url(case), {"reason": "New witness came forward."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_at is None and case.close_reason == ""
    entry = AuditEntry.objects.get(action="case.reopen")
    assert entry.parameters["reason"] == "New witness came forward."


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_a_reason_is_required_and_bounded(client, case, investigator, reason):
    staff_client(client, investigator)
    response = client.post(close_url(case), {"reason": reason})
    assert response.status_code == 400
    assert "reason" in response.content.decode().lower()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert not AuditEntry.objects.filter(action="case.close").exists()


def test_the_service_refuses_a_missing_reason_and_a_double_close(case, investigator):
    with pytest.raises(ValidationError):
        case_close(user=verified(investigator), case=case, reason=" ")
    case_close(user=verified(investigator), case=case, reason="Done.")
    with pytest.raises(ValidationError):
        case_close(user=verified(investigator), case=case, reason="Again.")
    with pytest.raises(ValidationError):
        case_reopen(user=verified(investigator), case=Case.objects.get(pk=case.pk), reason="")


def test_outsiders_cannot_close_or_reopen(town, case):
    data = {"reason": "Closing someone else's case."}
    assert Client().post(close_url(case), data).status_code == 302  # to the sign-in
    assert "/staff/sign-in/" in Client().post(close_url(case), data)["Location"]
    auditor = staff_client(Client(), make_staff(town["maple"], "auditor"))
    assert auditor.post(close_url(case), data).status_code == 403
    other_agency = staff_client(Client(), make_staff(town["cedar"], "investigator"))
    assert other_agency.post(close_url(case), data).status_code == 404
    assert other_agency.post(reopen_url(case), data).status_code == 404
    assert other_agency.post("/staff/canvass/cases/99999999/close/", data).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    with pytest.raises(PermissionDenied):
        case_close(user=verified(make_staff(town["cedar"], "supervisor")), case=case, reason="No.")
    with pytest.raises(PermissionDenied):
        case_close(user=verified(make_staff(town["maple"], "auditor")), case=case, reason="No.")


def test_closing_needs_a_post(client, case, investigator):
    staff_client(client, investigator)
    assert client.get(close_url(case)).status_code == 405


def test_a_closed_case_refuses_new_searches_and_footage_requests(client, town, case, investigator):
    case_close(user=verified(investigator), case=case, reason="Closed by arrest.")
    staff_client(client, investigator)
    page = client.get(f"/staff/canvass/cases/{case.pk}/")
    assert page.status_code == 200  # still viewable
    search = client.post(
        "/staff/canvass/",
        form_data(town["maple"], case_number=case.case_number, offense_type=str(case.offense_type_id)),
    )
    assert search.status_code == 400 and "is closed" in search.content.decode()
    assert not case.searches.exists()
    start, end = window()
    request_page = client.post(
        f"/footage/staff/cases/{case.pk}/requests/",
        {
            "cameras": [str(c.pk) for c in case.chosen_cameras.all()],
            "message": "",
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": end.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert request_page.status_code == 400 and "case is closed" in request_page.content.decode()
    assert not FootageRequest.objects.filter(case=case).exists()
    # Reopened, the same request goes through.
    case_reopen(user=verified(investigator), case=Case.objects.get(pk=case.pk), reason="New lead.")
    assert client.get(f"/staff/canvass/cases/{case.pk}/").status_code == 200


def test_a_closed_case_takes_no_more_uploads_and_sends_no_reminders(town, investigator):
    from datetime import timedelta

    from django.utils import timezone

    from footage.models import EvidenceFile
    from footage.services import footage_reminders_run
    from tests.footage.helpers import make_request, mp4_upload, owner_of

    footage_request = make_request(town["maple"], investigator=investigator)
    FootageRequest.objects.filter(pk=footage_request.pk).update(
        email_sent_at=timezone.now(), reminder_due_at=timezone.now() - timedelta(hours=1)
    )
    case_close(user=verified(investigator), case=footage_request.case, reason="Charged.")
    assert footage_reminders_run()["reminders"] == 0
    owner = owner_of(footage_request)
    response = owner.post(f"/footage/answer/{footage_request.public_id}/upload/", {"files": [mp4_upload()]})
    assert response.status_code == 409 and "closed this case" in response.content.decode()
    assert not EvidenceFile.objects.exists()
