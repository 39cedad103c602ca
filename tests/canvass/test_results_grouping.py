"""One row per address and true verdicts: hand-built scenes for the verdict, and the paged results page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cameraregistry import geo
from canvass import grouping, ranking
from canvass.models import CanvassSearch
from tests.canvass.helpers import form_data
from tests.staff_fixtures import make_staff, staff_client

PLACE = (40.0, -75.0)


def _camera_at(bearing_to_camera: float, distance_m: float, *, facing: int | None, range_m: int | None, fov: int = 60):
    """A camera `distance_m` from the place, standing in direction `bearing_to_camera` from it."""
    lat, lon = geo.destination_point(PLACE[0], PLACE[1], bearing_to_camera, distance_m)
    return ranking.CameraFacts(
        camera_id=1,
        registration_id=1,
        latitude=lat,
        longitude=lon,
        retention_days=14,
        bearing_degrees=facing,
        field_of_view_degrees=fov if facing is not None else None,
        range_m=range_m,
    )


def _ranked(camera, sees, distance_m):
    return ranking.RankedCamera(
        camera=camera,
        score=1.0,
        distance_m=distance_m,
        sees_incident=sees,
        footage_likely_kept=True,
        overwritten_after=timezone.now() + timedelta(days=10),
        urgent=False,
    )


def test_a_camera_pointing_at_the_place_within_its_range_sees_it():
    camera = _camera_at(0, 30, facing=180, range_m=50)  # north of the place, looking south
    assert grouping.verdict(_ranked(camera, True, 30), PLACE) == grouping.SEES


def test_a_camera_pointing_at_the_place_beyond_its_range_might_and_does_not_face_away():
    camera = _camera_at(0, 120, facing=180, range_m=40)
    assert grouping.verdict(_ranked(camera, False, 120), PLACE) == grouping.MIGHT
    assert grouping.VERDICT_WORDS[grouping.MIGHT] == "Points this way, beyond its stated range"


def test_a_camera_looking_the_other_way_faces_away_even_when_close():
    camera = _camera_at(0, 30, facing=0, range_m=50)  # north of the place, looking further north
    assert grouping.verdict(_ranked(camera, False, 30), PLACE) == grouping.AWAY


def test_a_camera_without_a_direction_is_unknown():
    camera = _camera_at(90, 30, facing=None, range_m=None)
    assert grouping.verdict(_ranked(camera, None, 30), PLACE) == grouping.UNKNOWN


@pytest.mark.slow
@pytest.mark.parametrize("distance", [80.0, 900.0, 4900.0])
def test_the_cheap_plane_bearing_gives_the_exact_verdict_at_every_facing(distance):
    """Cameras all around the place, turned through every whole-degree facing (so the place passes each cone's
    edge): the local plane's bearing (what the results page uses) and the exact geodesic one agree every time."""
    plane = grouping.LocalPlane(*PLACE)
    verdicts = set()
    for direction in range(0, 360, 30):
        for facing in range(360):
            camera = _camera_at(direction + 0.37, distance, facing=facing, range_m=40, fov=61)
            item = _ranked(camera, False, distance)
            verdicts.add(grouping.verdict(item, PLACE, plane))
            assert grouping.verdict(item, PLACE, plane) == grouping.verdict(item, PLACE)
    assert verdicts == {grouping.MIGHT, grouping.AWAY}


def test_facing_is_said_in_words():
    assert grouping.facing_words(270) == "faces west (270°)"


@pytest.mark.parametrize("language", ["en", "es"])
def test_rows_word_each_value_as_the_owner_pages_do(language):
    """The rows' memo of words (one per grouping) says exactly what registrations.display says, in each language."""
    from django.utils import translation

    from canvass.candidates import CameraDetails
    from registrations import display

    with translation.override(language):
        words = grouping.Words()
        for bearing in [None, *range(-45, 725)]:
            assert words.facing(bearing) == display.facing(bearing)
        for days in (0, 1, 2, 14, 30, 365):
            assert words.days(days) == display.days_kept(days)
        for answer in ("yes", "no", "unknown", ""):
            assert words.export(answer) == display.export_answer(answer)
        for locations, description in [((), ""), (("front", "driveway"), ""), (("alley",), "the bins"), ((), "x")]:
            detail = CameraDetails(1, 2, "id", 3, "active", "1 Elm St", "", "", description, locations, "yes", "")
            assert words.title(detail) == words.title(detail) == display.title_words(locations, description)
    with translation.override("es"):  # the memo is not English-only
        assert grouping.Words().facing(270) == display.facing(270) != "faces west (270°)"


@pytest.fixture
def investigator_client(client, town):
    return staff_client(client, make_staff(town["maple"], "investigator"))


def _search(signed_in, town, **overrides):
    response = signed_in.post("/staff/canvass/", form_data(town["maple"], **overrides))
    assert response.status_code == 302, response.content[:500]
    return CanvassSearch.objects.latest("id")


def test_the_results_page_has_one_row_per_address(investigator_client, town):
    search = _search(investigator_client, town, radius_m="3000")
    response = investigator_client.get(f"/staff/canvass/searches/{search.pk}/")
    assert response.status_code == 200
    rows = response.context["addresses"]
    ids = [row.registration_id for row in rows]
    assert len(ids) == len(set(ids)) and ids
    ranks = [row.rank for row in rows]
    assert ranks == sorted(ranks)
    assert b"Showing 1" in response.content


@pytest.mark.parametrize("page", ["abc", "-3", "0", "", "1e9", "%00", "9" * 5000, "١"])
def test_hostile_page_numbers_give_the_first_page_or_404_never_500(investigator_client, town, page):
    search = _search(investigator_client, town)
    response = investigator_client.get(f"/staff/canvass/searches/{search.pk}/", {"page": page})
    assert response.status_code in (200, 404)


def test_a_page_past_the_last_is_404(investigator_client, town):
    search = _search(investigator_client, town)
    assert investigator_client.get(f"/staff/canvass/searches/{search.pk}/", {"page": "999"}).status_code == 404


def test_another_agency_and_anonymous_cannot_page_the_results(client, investigator_client, town):
    search = _search(investigator_client, town)
    url = f"/staff/canvass/searches/{search.pk}/?page=1"
    client.logout()
    assert client.get(url).status_code in (302, 403)
    other = staff_client(client, make_staff(town["cedar"], "investigator"))
    assert other.get(url).status_code == 404
