"""Footage requests and evidence through the API: the case requests page's rules, custody audit, partners."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from footage.models import EvidenceFile, FootageRequest
from registrations.models import Registration, Status
from tests.api.helpers import ALL_SCOPES, api_client, audited, is_problem, make_token, post_json
from tests.footage.helpers import end_share, make_case, mp4_bytes, owner_of, owners_with_email, share, window
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.django_db

FOOTAGE_SCOPES = ["footage:request", "footage:read"]


@pytest.fixture
def world(town):
    maple = town["maple"]
    token, secret = make_token(maple, FOOTAGE_SCOPES)
    owners = owners_with_email(maple, 2)
    case = make_case(maple, make_staff(maple, "investigator"), owners, number="2025-7")
    cameras = [owner.cameras.first().pk for owner in owners]
    return {"token": token, "client": api_client(secret), "case": case, "cameras": cameras, **town}


def _create(world, **overrides):
    start, end = window()
    body = {"cameras": world["cameras"], "window_start": start.isoformat(), "window_end": end.isoformat()}
    body.update(overrides)
    return post_json(world["client"], f"/api/v1/cases/{world['case'].pk}/footage-requests/", body)


def _upload(footage_request, content: bytes) -> EvidenceFile:
    from django.core.files.uploadedfile import SimpleUploadedFile

    owner = owner_of(footage_request)
    url = f"/footage/answer/{footage_request.public_id}/upload/"
    assert owner.post(url, {"files": [SimpleUploadedFile("door.mp4", content)]}).status_code == 200
    return EvidenceFile.objects.get(request=footage_request)


def test_create_list_and_read_requests_with_history(world):
    response = _create(world, message="Please")
    assert response.status_code == 201, response.content[:500]
    created = response.json()["results"]
    assert {item["camera_id"] for item in created} == set(world["cameras"])
    assert all(item["status"] == "waiting" and item["events"][0]["kind"] == "created" for item in created)
    listed = world["client"].get(f"/api/v1/cases/{world['case'].pk}/footage-requests/").json()["results"]
    assert {item["id"] for item in listed} == {item["id"] for item in created}
    one = world["client"].get(f"/api/v1/footage-requests/{created[0]['id']}/").json()
    assert one["registration"] and one["address"] and one["access_ended"] is False
    token = world["token"]
    assert AuditEntry.objects.filter(action="footage_request.create", actor_id=token.account_id).count() == 2
    for action in ("api.footage_requests.create", "api.footage_requests.list", "api.footage_requests.detail"):
        assert len(audited(action, token)) == 1, action


def test_the_window_defaults_to_the_latest_search_and_bad_ones_are_refused_as_on_the_page(world):
    problem = is_problem(_create(world, window_start=None, window_end=None), 400)
    assert problem["errors"][0]["field"] == "window_start"
    start = timezone.now() - timezone.timedelta(days=9)
    problem = is_problem(_create(world, window_start=start.isoformat()), 400)
    assert problem["errors"] == [
        {"field": "window_end", "message": "Ask for at most 7 days of footage in one request."}
    ]
    body = {"cameras": world["cameras"]}
    problem = is_problem(post_json(world["client"], f"/api/v1/cases/{world['case'].pk}/footage-requests/", body), 400)
    assert problem["errors"][0] == {"field": "window_start", "message": "Enter the start and end of the time window."}
    assert not FootageRequest.objects.exists()


def test_cameras_must_be_chosen_and_owners_not_paused(world):
    problem = is_problem(_create(world, cameras=[999999]), 400)
    assert problem["errors"][0]["field"] == "cameras"
    Registration.objects.filter(cameras__pk=world["cameras"][0]).update(status=Status.PAUSED)
    problem = is_problem(_create(world), 400)
    assert "paused" in problem["errors"][0]["message"]
    for cameras in ([], ["x"], [1] * 201, None):
        is_problem(_create(world, cameras=cameras), 400)
    assert not FootageRequest.objects.exists()


def test_a_closed_case_takes_no_requests(world):
    world["case"].status = "closed"
    world["case"].save()
    problem = is_problem(_create(world), 400)
    assert "closed" in problem["detail"]


def test_evidence_metadata_and_a_verified_download(world):
    [footage_request, *_] = FootageRequest.objects.filter(pk__in=[i["id"] for i in _create(world).json()["results"]])
    content = mp4_bytes(20_000)
    evidence = _upload(footage_request, content)
    client = world["client"]
    [meta] = client.get(f"/api/v1/footage-requests/{footage_request.pk}/evidence/").json()["results"]
    assert meta["sha256"] == hashlib.sha256(content).hexdigest() == evidence.sha256
    assert meta["size"] == len(content) and meta["name"] == "door.mp4" and meta["received_at"]
    response = client.get(meta["download"])
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    assert response["X-Evidence-SHA256"] == evidence.sha256 and "door.mp4" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="evidence.download", actor_id=world["token"].account_id).count() == 1
    assert len(audited("api.evidence.download", world["token"])) == 1


def test_a_changed_file_is_a_409_never_sent_and_audited(world):
    [first, *_] = FootageRequest.objects.filter(pk__in=[i["id"] for i in _create(world).json()["results"]])
    evidence = _upload(first, mp4_bytes())
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    [stored] = [path for path in root.rglob("*") if path.is_file()]
    stored.write_bytes(stored.read_bytes() + b"tampered")
    response = world["client"].get(f"/api/v1/evidence/{evidence.pk}/download")
    problem = is_problem(response, 409)
    assert problem["expected_sha256"] == evidence.sha256 and problem["actual_sha256"] != evidence.sha256
    entry = AuditEntry.objects.get(action="evidence.hash_mismatch")
    assert entry.outcome == "failure" and entry.actor_id == world["token"].account_id
    assert audited("api.evidence.download", world["token"])[0].outcome == "failure"
    evidence.purged_at = timezone.now()
    EvidenceFile.objects.filter(pk=evidence.pk).update(purged_at=evidence.purged_at)
    is_problem(world["client"].get(f"/api/v1/evidence/{evidence.pk}/download"), 410)


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_scope_opens_exactly_its_footage_operations(world, scope):
    [footage_request, *_] = FootageRequest.objects.filter(pk__in=[i["id"] for i in _create(world).json()["results"]])
    evidence = _upload(footage_request, mp4_bytes())
    _token, secret = make_token(world["maple"], [scope])
    client = api_client(secret)
    start, end = window()
    case_url = f"/api/v1/cases/{world['case'].pk}/footage-requests/"
    operations = [
        ("footage:request", lambda: client.get(case_url)),
        ("footage:request", lambda: client.get(f"/api/v1/footage-requests/{footage_request.pk}/")),
        ("footage:read", lambda: client.get(f"/api/v1/footage-requests/{footage_request.pk}/evidence/")),
        ("footage:read", lambda: client.get(f"/api/v1/evidence/{evidence.pk}/download")),
        (
            "footage:request",
            lambda: post_json(
                client,
                case_url,
                {"cameras": world["cameras"], "window_start": start.isoformat(), "window_end": end.isoformat()},
            ),
        ),
    ]
    for needed, call in operations:
        response = call()
        if scope == needed:
            assert response.status_code in (200, 201), response.content[:300]
        else:
            assert needed in is_problem(response, 403)["detail"]


def test_another_agency_sees_none_of_it(world):
    [footage_request, *_] = FootageRequest.objects.filter(pk__in=[i["id"] for i in _create(world).json()["results"]])
    evidence = _upload(footage_request, mp4_bytes())
    _token, secret = make_token(world["cedar"], ALL_SCOPES)
    client = api_client(secret)
    for url in (
        f"/api/v1/cases/{world['case'].pk}/footage-requests/",
        f"/api/v1/footage-requests/{footage_request.pk}/",
        f"/api/v1/footage-requests/{footage_request.pk}/evidence/",
        f"/api/v1/evidence/{evidence.pk}/download",
    ):
        is_problem(client.get(url), 404)
    is_problem(post_json(client, f"/api/v1/cases/{world['case'].pk}/footage-requests/", {"cameras": [1]}), 404)
    assert not AuditEntry.objects.filter(action="evidence.download").exists()
    assert Client().get(f"/api/v1/evidence/{evidence.pk}/download").status_code == 401


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_a_partners_owner_can_be_asked_only_while_shared(town, how):
    maple, cedar = town["maple"], town["cedar"]
    _token, secret = make_token(cedar, FOOTAGE_SCOPES)
    client = api_client(secret)
    agreement = share(maple, cedar)
    [owner] = owners_with_email(maple, 1)
    case = make_case(cedar, make_staff(cedar, "investigator"), [owner], number="CG-9")
    start, end = window()
    body = {"cameras": [owner.cameras.first().pk], "window_start": start.isoformat(), "window_end": end.isoformat()}
    created = post_json(client, f"/api/v1/cases/{case.pk}/footage-requests/", body)
    assert created.status_code == 201
    request_id = created.json()["results"][0]["id"]
    assert AuditEntry.objects.filter(action="sharing.use", data_agency_id=maple.pk).exists()
    end_share(agreement, how)
    detail = client.get(f"/api/v1/footage-requests/{request_id}/").json()
    assert detail["access_ended"] is True and detail["address"] is None and detail["registration"] is None
    problem = is_problem(post_json(client, f"/api/v1/cases/{case.pk}/footage-requests/", body), 400)
    assert "no longer shared" in problem["errors"][0]["message"]
