"""The search and incident answers are built without walking SearchOutput, and must be byte for byte what
SearchOutput(...).data (the documented schema) renders for the same body: every field's conversion, the datetime
format in the current time zone, None as null, key order."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.renderers import JSONRenderer

from api import canvass_views, incident_views
from api.canvass_serializers import SearchOutput
from canvass.models import CanvassSearch
from registrations.models import Camera, Registration
from tests.api.helpers import api_client, make_token, post_json, search_body
from tests.canvass.helpers import busy_registration, offense
from tests.footage.helpers import share

pytestmark = pytest.mark.django_db


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


@pytest.fixture
def spied(monkeypatch):
    """What each fast builder answered, and what its serializer renders for the same body at the same moment
    (same request, same time zone)."""
    seen: list[tuple[bytes, bytes]] = []

    def spy(builder, serializer):
        def built(body):
            output = builder(body)
            seen.append((rendered(output), rendered(serializer(body).data)))
            return output

        return built

    monkeypatch.setattr(canvass_views, "search_output", spy(canvass_views.search_output, SearchOutput))
    monkeypatch.setattr(
        incident_views, "incident_output", spy(incident_views.incident_output, incident_views.IncidentOutput)
    )
    return seen


@pytest.fixture
def varied(town):
    """Around the incident: a business with a unit and notes, cameras without a direction or range, several
    locations, a camera already chosen for the case, and a partner agency's registrations shared with Maple."""
    maple, cedar = town["maple"], town["cedar"]
    place = busy_registration(maple)
    Registration.objects.filter(pk=place.pk).update(
        business_name="Corner Deli", unit="Suite 2", notes_for_detectives="Ask for the manager; DVR in back."
    )
    cameras = list(Camera.objects.filter(registration__agency=maple).order_by("pk"))
    Camera.objects.filter(pk=cameras[0].pk).update(bearing_degrees=None, range_m=None, field_of_view_degrees=None)
    Camera.objects.filter(pk=cameras[1].pk).update(locations=["front", "driveway"], description="the alley")
    share(cedar, maple)
    Registration.objects.filter(agency=cedar).update(latitude=place.latitude, longitude=place.longitude + 0.001)
    return {"maple": maple, "cedar": cedar, "place": place}


def test_a_search_answer_is_what_the_serializer_gives(varied, spied, settings):
    maple, place = varied["maple"], varied["place"]
    _token, secret = make_token(maple, ["canvass:search", "cases:write"])
    client = api_client(secret)
    bodies = [
        search_body(maple, place, radius_m=1500),
        search_body(maple, place, radius_m=None),
        search_body(
            maple,
            place,
            radius_m=None,
            polygon=[
                [place.longitude - 0.01, place.latitude - 0.01],
                [place.longitude + 0.01, place.latitude - 0.01],
                [place.longitude, place.latitude + 0.01],
            ],
        ),
        search_body(
            maple,
            place,
            radius_m=None,
            route=[[place.longitude - 0.01, place.latitude], [place.longitude + 0.01, place.latitude]],
            corridor_m=120,
        ),
    ]
    first = post_json(client, "/api/v1/searches/", bodies[0])
    assert first.status_code == 201, first.content[:500]
    search = CanvassSearch.objects.get(pk=first.json()["id"])
    chosen = first.json()["results"][1]["cameras"][0]["camera_id"]
    assert post_json(client, f"/api/v1/cases/{search.case.pk}/cameras/", {"camera_id": chosen}).status_code == 200
    responses = [first] + [post_json(client, "/api/v1/searches/", body) for body in bodies[1:]]
    responses.append(client.get(f"/api/v1/searches/{search.pk}/"))
    settings.TIME_ZONE = "UTC"  # a "Z" instead of an offset
    responses.append(client.get(f"/api/v1/searches/{search.pk}/"))
    assert [response.status_code for response in responses] == [201, 201, 201, 201, 200, 200]
    assert len(spied) == len(responses)
    for (built, serialized), response in zip(spied, responses, strict=True):
        assert built == serialized == response.content
    answers = [response.json() for response in responses]
    cameras = [camera for answer in answers for row in answer["results"] for camera in row["cameras"]]
    assert {answer["area"]["kind"] for answer in answers} == {"radius", "polygon", "route"}
    assert any(answer["area"]["radius_m"] is None for answer in answers)
    assert any(camera["bearing_degrees"] is None and camera["range_m"] is None for camera in cameras)
    assert any(camera["chosen"] for camera in cameras)
    assert any(row["business_name"] == "Corner Deli" and row["notes_for_detectives"] for row in answers[0]["results"])
    assert {row["registration"] for row in answers[0]["results"]} & {
        str(public_id)
        for public_id in Registration.objects.filter(agency=varied["cedar"]).values_list("public_id", flat=True)
    }
    assert answers[0]["created_at"].endswith(("-05:00", "-06:00")) and answers[-1]["created_at"].endswith("Z")
    assert answers[-1]["results"][0]["cameras"][0]["overwritten_after"].endswith("Z")


def test_an_incident_answer_is_what_the_serializer_gives(varied, spied):
    maple, place = varied["maple"], varied["place"]
    _token, secret = make_token(maple, ["canvass:search", "cases:write"])
    body = {
        "case_number": "2026-004512",
        "offense_type": offense(maple).name,
        "place": {"latitude": place.latitude, "longitude": place.longitude},
        "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat(),
        "radius_m": 1500,
    }
    response = post_json(api_client(secret), "/api/v1/incidents/", body)
    assert response.status_code == 201, response.content[:500]
    [(built, serialized)] = spied
    assert built == serialized == response.content
    assert response.json()["results"][0]["cameras"][0]["footage"]["words"]


def test_the_cycle_collector_waits_while_the_answer_is_built_and_runs_again_after(town, monkeypatch):
    import gc

    paused = []

    def spy(body):
        paused.append(not gc.isenabled())
        return search_output(body)

    search_output = canvass_views.search_output
    monkeypatch.setattr(canvass_views, "search_output", spy)
    _token, secret = make_token(town["maple"], ["canvass:search"])
    client = api_client(secret)
    assert gc.isenabled()
    created = post_json(client, "/api/v1/searches/", search_body(town["maple"]))
    assert created.status_code == 201 and gc.isenabled()
    assert client.get(f"/api/v1/searches/{created.json()['id']}/").status_code == 200 and gc.isenabled()
    assert paused == [True, True]
    gc.disable()
    try:  # paused by someone else: left paused
        assert post_json(client, "/api/v1/searches/", search_body(town["maple"])).status_code == 201
        assert not gc.isenabled()
    finally:
        gc.enable()
