"""Cases through the API: list, detail with urgency, choose/unchoose cameras, close/reopen — the case page's rules."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from canvass.models import Case, CaseCamera
from registrations.models import Camera
from tests.api.helpers import ALL_SCOPES, api_client, audited, is_problem, make_token, post_json, search_body
from tests.canvass.helpers import busy_registration, offense
from tests.footage.helpers import end_share, make_case, share
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(town):
    maple = town["maple"]
    token, secret = make_token(maple, ["canvass:search", "cases:write", "footage:request"])
    client = api_client(secret)
    search = post_json(client, "/api/v1/searches/", search_body(maple)).json()
    case = Case.objects.get(pk=search["case"]["id"])
    camera_id = search["results"][0]["cameras"][0]["camera_id"]
    return {"token": token, "client": client, "case": case, "camera_id": camera_id, "search": search, **town}


def test_list_and_page_through_cases(world):
    client, maple = world["client"], world["maple"]
    make_case(maple, make_staff(maple, "investigator"), [], number="2025-000999")
    make_case(world["cedar"], make_staff(world["cedar"], "investigator"), [], number="CEDAR-1")
    first = client.get("/api/v1/cases/", {"page_size": 1}).json()
    assert len(first["results"]) == 1 and first["next_page"] == 2
    second = client.get("/api/v1/cases/", {"page_size": 1, "page": 2}).json()
    assert second["next_page"] is None
    numbers = {first["results"][0]["case_number"], second["results"][0]["case_number"]}
    assert numbers == {"2025-000123", "2025-000999"}
    assert client.get("/api/v1/cases/", {"status": "closed"}).json()["results"] == []
    is_problem(client.get("/api/v1/cases/", {"page_size": 101}), 400)


def test_choose_see_and_unchoose_a_camera(world):
    client, case, camera_id, token = world["client"], world["case"], world["camera_id"], world["token"]
    chosen = post_json(client, f"/api/v1/cases/{case.pk}/cameras/", {"camera_id": camera_id, "note": "alley"})
    assert chosen.status_code == 200 and chosen.json()["camera_id"] == camera_id
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert [c["camera_id"] for c in detail["chosen_cameras"]] == [camera_id]
    assert detail["searches"][0]["id"] == world["search"]["id"] and detail["offense_type"]["name"] == "Burglary"
    again = client.get(f"/api/v1/searches/{world['search']['id']}/").json()
    assert any(c["chosen"] for row in again["results"] for c in row["cameras"] if c["camera_id"] == camera_id)
    assert client.delete(f"/api/v1/cases/{case.pk}/cameras/{camera_id}/").status_code == 204
    assert not CaseCamera.objects.filter(case=case).exists()
    assert client.delete(f"/api/v1/cases/{case.pk}/cameras/{camera_id}/").status_code == 204
    assert AuditEntry.objects.filter(action="canvass.camera_choose", actor_id=token.account_id).count() == 1
    assert AuditEntry.objects.filter(action="canvass.camera_unchoose", actor_id=token.account_id).count() == 1
    assert len(audited("api.cases.cameras.choose", token)) == 1
    assert len(audited("api.cases.cameras.remove", token)) == 2
    assert len(audited("api.cases.detail", token)) == 1


def test_footage_urgency_is_in_the_detail(world):
    client, case, camera_id = world["client"], world["case"], world["camera_id"]
    Camera.objects.filter(pk=camera_id).update(retention_days=1)
    post_json(client, f"/api/v1/cases/{case.pk}/cameras/", {"camera_id": camera_id})
    urgency = client.get(f"/api/v1/cases/{case.pk}/").json()["urgency"]
    [item] = urgency["urgent"]
    assert item["camera_id"] == camera_id and item["retention_days"] == 1
    assert item["words"].startswith("keeps 1 day, probably overwritten after ")


def test_a_camera_the_agency_cannot_search_cannot_be_chosen(world):
    cedar_camera = Camera.objects.filter(registration__agency=world["cedar"]).first()
    url = f"/api/v1/cases/{world['case'].pk}/cameras/"
    problem = is_problem(post_json(world["client"], url, {"camera_id": cedar_camera.pk}), 400)
    assert problem["errors"] == [{"field": "camera_id", "message": "That camera is not one you can choose."}]
    for body in ({"camera_id": "abc"}, {"camera_id": 2**70}, {"camera_id": 1, "note": "a\x00b"}, {}):
        problem = is_problem(post_json(world["client"], url, body), 400)
        assert problem["errors"][0]["field"] in ("camera_id", "note")


def test_close_and_reopen_with_a_reason(world):
    client, case = world["client"], world["case"]
    problem = is_problem(post_json(client, f"/api/v1/cases/{case.pk}/close/", {}), 400)
    assert problem["errors"] == [{"field": "reason", "message": "Give the reason for closing the case."}]
    closed = post_json(client, f"/api/v1/cases/{case.pk}/close/", {"reason": "Charged"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["close_reason"] == "Charged"
    is_problem(post_json(client, f"/api/v1/cases/{case.pk}/close/", {"reason": "again"}), 400)
    refused = is_problem(post_json(client, "/api/v1/searches/", search_body(world["maple"])), 400)
    assert refused["errors"][0]["field"] == "case_number" and "closed" in refused["errors"][0]["message"]
    reopened = post_json(client, f"/api/v1/cases/{case.pk}/reopen/", {"reason": "New lead"})
    assert reopened.json()["status"] == "open"
    assert AuditEntry.objects.filter(action__in=["case.close", "case.reopen"], object_id=str(case.pk)).count() == 2


def _operations(case, camera_id):
    return [
        ("canvass:search", "get", "/api/v1/cases/", None),
        ("canvass:search", "get", f"/api/v1/cases/{case.pk}/", None),
        ("cases:write", "post", f"/api/v1/cases/{case.pk}/cameras/", {"camera_id": camera_id}),
        ("cases:write", "delete", f"/api/v1/cases/{case.pk}/cameras/{camera_id}/", None),
        ("cases:write", "post", f"/api/v1/cases/{case.pk}/close/", {"reason": "Done"}),
        ("cases:write", "post", f"/api/v1/cases/{case.pk}/reopen/", {"reason": "Again"}),
    ]


def _call(client, method, url, body):
    return post_json(client, url, body) if method == "post" else getattr(client, method)(url)


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_scope_opens_exactly_its_case_operations(world, scope):
    _token, secret = make_token(world["maple"], [scope])
    client = api_client(secret)
    for needed, method, url, body in _operations(world["case"], world["camera_id"]):
        response = _call(client, method, url, body)
        if scope == needed:
            assert response.status_code in (200, 204), (url, response.content[:300])
        else:
            assert needed in is_problem(response, 403)["detail"], url


def test_another_agencys_case_is_not_found(world):
    _token, secret = make_token(world["cedar"], ALL_SCOPES)
    client = api_client(secret)
    for _needed, method, url, body in _operations(world["case"], world["camera_id"])[1:]:
        is_problem(_call(client, method, url, body), 404)
    assert world["case"].status == "open" and CaseCamera.objects.count() == 0


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_a_partners_chosen_camera_shows_only_while_shared(town, how):
    maple, cedar = town["maple"], town["cedar"]
    _token, secret = make_token(cedar, ["canvass:search", "cases:write"])
    client = api_client(secret)
    agreement = share(maple, cedar)
    place = busy_registration(maple)
    search = post_json(
        client, "/api/v1/searches/", search_body(maple, place, offense_type=offense(cedar).pk, radius_m=400)
    ).json()
    maple_camera = place.cameras.first().pk
    url = f"/api/v1/cases/{search['case']['id']}/"
    assert post_json(client, f"{url}cameras/", {"camera_id": maple_camera}).status_code == 200
    assert [c["camera_id"] for c in client.get(url).json()["chosen_cameras"]] == [maple_camera]
    end_share(agreement, how)
    assert client.get(url).json()["chosen_cameras"] == []
    other = place.cameras.exclude(pk=maple_camera).first() or place.cameras.first()
    client.delete(f"{url}cameras/{maple_camera}/")
    is_problem(post_json(client, f"{url}cameras/", {"camera_id": other.pk}), 400)


def _body_operations(world):
    case = world["case"].pk
    return [
        (f"/api/v1/cases/{case}/cameras/", "note", {"camera_id": world["camera_id"]}),
        (f"/api/v1/cases/{case}/close/", "reason", {}),
        (f"/api/v1/cases/{case}/reopen/", "reason", {}),
        (f"/api/v1/cases/{case}/footage-requests/", "message", {"cameras": [world["camera_id"]]}),
    ]


def test_hostile_bodies_on_every_write_are_problems_naming_the_field(world):
    client = world["client"]
    for url, text_field, base in _body_operations(world):
        is_problem(post_json(client, url, "{not json"), 400)
        is_problem(post_json(client, url, "[" * 100 + "]" * 100), 400)
        problem = is_problem(post_json(client, url, {**base, text_field: "a\x00b"}), 400)
        assert [e["field"] for e in problem["errors"]] == [text_field], (url, problem)
        problem = is_problem(post_json(client, url, {**base, text_field: 12.5}), 400)
        assert [e["field"] for e in problem["errors"]] == [text_field], (url, problem)
        is_problem(post_json(client, url, {**base, "padding": "x" * 600_000}), 413)
    nan = is_problem(post_json(client, _body_operations(world)[0][0], '{"camera_id": NaN}'), 400)
    assert [e["field"] for e in nan["errors"]] == ["camera_id"]
    huge = {"cameras": list(range(1, 10_001))}
    problem = is_problem(post_json(client, _body_operations(world)[3][0], huge), 400)
    assert {e["field"] for e in problem["errors"]} == {"cameras"}
    assert world["case"].status == "open" and not CaseCamera.objects.exists()


def test_every_case_operation_is_audited_with_the_token_name(world):
    client, case, camera_id, token = world["client"], world["case"], world["camera_id"], world["token"]
    client.get("/api/v1/cases/")
    for _needed, method, url, body in _operations(case, camera_id):
        _call(client, method, url, body)
    for operation in ("list", "detail", "cameras.choose", "cameras.remove", "close", "reopen"):
        assert audited(f"api.cases.{operation}", token), operation
