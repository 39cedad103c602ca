"""A revoked or expired sharing agreement ends every footage path that starts from a partner's camera.

Cedar Grove (the partner) works a case with a camera of Maple Falls (the owner agency) chosen while
Maple shared with it. Before the share, after a revocation and after the end date passes, nothing
of that camera's owner reaches Cedar: no address, no new request, no email, no reminder; requests
already sent show "access ended". Evidence received while the share was active stays with the case.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from footage.models import EvidenceFile, FootageRequest
from footage.services import footage_reminders_run
from tests.footage.helpers import (
    end_share,
    make_case,
    make_request,
    mp4_upload,
    owner_of,
    owners_with_email,
    share,
    window,
)
from tests.owners.helpers import committing, run_tasks
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

ENDINGS = ["revoke", "expire"]


@pytest.fixture
def world(town):
    maple, cedar = town["maple"], town["cedar"]
    investigator = make_staff(cedar, "investigator")
    owner = owners_with_email(maple, 1)[0]
    own = owners_with_email(cedar, 1)[0]
    case = make_case(cedar, investigator, [owner, own], number="CG-2025-77")
    return {
        "maple": maple,
        "cedar": cedar,
        "investigator": investigator,
        "owner": owner,
        "own": own,
        "case": case,
        "camera": case.chosen_cameras.get(camera__registration=owner),
        "own_camera": case.chosen_cameras.get(camera__registration=own),
    }


def request_form(*case_cameras):
    start, end = window()
    return {
        "cameras": [str(c.pk) for c in case_cameras],
        "message": "A car was broken into at 9 pm.",
        "window_start": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "window_end": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"),
    }


def requests_url(world) -> str:
    return f"/footage/staff/cases/{world['case'].pk}/requests/"


def signed_in(world) -> Client:
    return staff_client(Client(), world["investigator"])


def partner_request(world) -> FootageRequest:
    with committing():
        footage_request = make_request(
            world["cedar"], world["owner"], investigator=world["investigator"], case=world["case"]
        )
    run_tasks()
    return footage_request


# ---- the request form: GET and POST ------------------------------------------------------


def test_before_any_share_the_partner_camera_is_absent_and_cannot_be_asked(world):
    client = signed_in(world)
    page = client.get(requests_url(world)).content.decode()
    assert world["owner"].street_address not in page
    assert world["own"].street_address in page
    with committing():
        response = client.post(requests_url(world), request_form(world["camera"]))
    assert response.status_code == 400
    assert world["owner"].street_address not in response.content.decode()
    run_tasks()
    assert not FootageRequest.objects.filter(registration=world["owner"]).exists()
    assert mail.outbox == []


def test_during_the_share_the_partner_camera_is_listed_and_asked(world):
    share(world["maple"], world["cedar"])
    client = signed_in(world)
    assert world["owner"].street_address in client.get(requests_url(world)).content.decode()
    with committing():
        response = client.post(requests_url(world), request_form(world["camera"]))
    assert response.status_code == 302
    run_tasks()
    assert FootageRequest.objects.filter(registration=world["owner"], agency=world["cedar"]).count() == 1
    assert [message.to for message in mail.outbox] == [[world["owner"].owner_email]]


@pytest.mark.parametrize("how", ENDINGS)
def test_after_the_share_ends_the_form_hides_the_camera_and_refuses_it(world, how):
    agreement = share(world["maple"], world["cedar"])
    client = signed_in(world)
    end_share(agreement, how)
    page = client.get(requests_url(world)).content.decode()
    assert world["owner"].street_address not in page
    assert world["own"].street_address in page
    with committing():
        response = client.post(requests_url(world), request_form(world["camera"], world["own_camera"]))
    assert response.status_code == 400
    assert world["owner"].street_address not in response.content.decode()
    run_tasks()
    assert not FootageRequest.objects.filter(case=world["case"]).exists()
    assert mail.outbox == []


@pytest.mark.parametrize("how", ENDINGS)
def test_after_the_share_ends_the_service_refuses_the_partner_camera(world, how):
    from django.core.exceptions import ValidationError

    from footage.services import footage_request_create
    from tests.footage.helpers import verified

    agreement = share(world["maple"], world["cedar"])
    end_share(agreement, how)
    start, end = window()
    with pytest.raises(ValidationError):
        footage_request_create(
            user=verified(world["investigator"]),
            case=world["case"],
            case_camera_ids=[world["camera"].pk],
            window_start=start,
            window_end=end,
            message="",
        )
    assert not FootageRequest.objects.exists()


# ---- requests already sent -------------------------------------------------------------


@pytest.mark.parametrize("how", ENDINGS)
def test_sent_requests_show_access_ended_without_address_or_contact(world, how):
    agreement = share(world["maple"], world["cedar"])
    footage_request = partner_request(world)
    client = signed_in(world)
    detail_url = f"/footage/staff/requests/{footage_request.pk}/"
    assert world["owner"].street_address in client.get(detail_url).content.decode()
    end_share(agreement, how)

    owner = world["owner"]
    for url in (requests_url(world), detail_url):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Access ended" in page
        for private in (owner.street_address, owner.owner_email, owner.owner_phone, owner.owner_name):
            assert private not in page
    detail = client.get(detail_url).content.decode()
    assert 'action="/footage/staff/requests/' not in detail  # no phone-call form
    refused = client.post(f"{detail_url}phone/", {"outcome": "declined", "note": "Called them"})
    assert refused.status_code == 409
    footage_request.refresh_from_db()
    assert footage_request.status == "waiting"
    assert not footage_request.events.filter(kind="phone_call").exists()


def test_before_any_share_a_guessed_request_of_another_agency_is_not_found(world):
    maple_request = make_request(world["maple"], world["owner"])
    client = signed_in(world)
    assert client.get(f"/footage/staff/requests/{maple_request.pk}/").status_code == 404


@pytest.mark.parametrize("how", ENDINGS)
def test_no_reminder_reaches_the_owner_after_the_share_ends(world, how):
    agreement = share(world["maple"], world["cedar"])
    footage_request = partner_request(world)
    assert len(mail.outbox) == 1
    later = timezone.now() + timedelta(days=world["cedar"].request_reminder_days, minutes=1)
    end_share(agreement, how)
    assert footage_reminders_run(now=later)["reminders"] == 0
    run_tasks()
    assert len(mail.outbox) == 1
    footage_request.refresh_from_db()
    assert footage_request.reminder_sent_at is None


@pytest.mark.parametrize("how", ENDINGS)
def test_a_queued_email_is_not_sent_once_the_share_has_ended(world, how):
    agreement = share(world["maple"], world["cedar"])
    with committing():
        footage_request = make_request(
            world["cedar"], world["owner"], investigator=world["investigator"], case=world["case"]
        )
    end_share(agreement, how)
    run_tasks()
    assert mail.outbox == []
    footage_request.refresh_from_db()
    assert footage_request.email_sent_at is None


def test_during_the_share_the_reminder_is_sent(world):
    share(world["maple"], world["cedar"])
    partner_request(world)
    later = timezone.now() + timedelta(days=world["cedar"].request_reminder_days, minutes=1)
    with committing():  # reminders are queued through the outbox, which enqueues once the run commits
        assert footage_reminders_run(now=later)["reminders"] == 1
    run_tasks()
    assert len(mail.outbox) == 2


# ---- the owner's side ------------------------------------------------------------------


@pytest.mark.parametrize("how", ENDINGS)
def test_the_owner_link_page_says_no_longer_active_and_refuses_new_files(world, how):
    agreement = share(world["maple"], world["cedar"])
    footage_request = partner_request(world)
    owner = owner_of(footage_request)
    answer_url = f"/footage/answer/{footage_request.public_id}/"
    assert owner.post(f"{answer_url}upload/", {"files": [mp4_upload("before.mp4")]}).status_code == 200
    end_share(agreement, how)

    page = owner.get(answer_url).content.decode()
    assert "no longer active" in page
    assert 'id="send-files"' not in page
    refused = owner.post(f"{answer_url}upload/", {"files": [mp4_upload("after.mp4")]})
    assert refused.status_code == 410
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["before.mp4"]
    declined = owner.post(f"{answer_url}respond/", {"answer": "declined", "reason": "no"})
    assert declined.status_code == 410
    footage_request.refresh_from_db()
    assert footage_request.status == "footage_received" and footage_request.owner_reason == ""


# ---- evidence received before the end stays with the case --------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("how", ENDINGS)
def test_evidence_manifest_keeps_earlier_evidence_without_the_owner_address(world, how):
    agreement = share(world["maple"], world["cedar"])
    footage_request = partner_request(world)
    owner = owner_of(footage_request)
    owner.post(f"/footage/answer/{footage_request.public_id}/upload/", {"files": [mp4_upload("porch.mp4")]})
    end_share(agreement, how)
    client = signed_in(world)
    response = client.get(f"/footage/staff/cases/{world['case'].pk}/evidence-manifest.csv")
    assert response.status_code == 200
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[2] for row in rows[1:]] == ["porch.mp4"]
    assert world["owner"].street_address not in text
    evidence = EvidenceFile.objects.get()
    assert client.get(f"/footage/staff/evidence/{evidence.pk}/download/").status_code == 200
