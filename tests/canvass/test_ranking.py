"""Hand-built scenes where the right ranking is known, plus properties of the ranking functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cameraregistry import geo
from canvass import ranking
from canvass.ranking import CameraFacts, SearchArea

PLACE = (41.6820, -87.8420)
NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
INCIDENT = NOW - timedelta(days=1)


def camera_at(bearing_from_place: float, distance: float, *, camera_id: int = 1, **facts) -> CameraFacts:
    lat, lon = geo.destination_point(*PLACE, bearing_from_place, distance)
    values = {"retention_days": 30, "last_confirmed_at": NOW - timedelta(days=10), "verified": True}
    values.update(facts)
    return CameraFacts(camera_id=camera_id, registration_id=camera_id, latitude=lat, longitude=lon, **values)


def rank(cameras, area=None, window_start=INCIDENT):
    area = area or SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=150)
    return ranking.rank(cameras, area, window_start=window_start, now=NOW)


def test_a_camera_facing_the_place_ranks_above_a_nearer_one_facing_away():
    # Camera 1 is 40 m north of the place looking south at it; camera 2 is 10 m east looking further east.
    facing = camera_at(0, 40, camera_id=1, bearing_degrees=180, field_of_view_degrees=90, range_m=50)
    away = camera_at(90, 10, camera_id=2, bearing_degrees=90, field_of_view_degrees=90, range_m=50)
    results = rank([away, facing])
    assert [item.camera.camera_id for item in results] == [1, 2]
    assert results[0].sees_incident is True
    assert results[1].sees_incident is False
    assert results[0].distance_m > results[1].distance_m
    assert any(reason.code == "sees" for reason in results[0].reasons)
    assert any(reason.code == "faces_away" for reason in results[1].reasons)


def test_a_camera_out_of_range_does_not_see_the_place_even_if_it_faces_it():
    far = camera_at(0, 100, bearing_degrees=180, field_of_view_degrees=90, range_m=30)
    assert rank([far])[0].sees_incident is False


def test_a_camera_without_direction_appears_between_facing_and_facing_away():
    facing = camera_at(0, 40, camera_id=1, bearing_degrees=180, field_of_view_degrees=90, range_m=50)
    unknown = camera_at(0, 40, camera_id=2)
    away = camera_at(0, 40, camera_id=3, bearing_degrees=0, field_of_view_degrees=90, range_m=50)
    results = rank([away, unknown, facing])
    assert [item.camera.camera_id for item in results] == [1, 2, 3]
    assert results[1].sees_incident is None


def test_a_place_outside_the_radius_is_never_returned():
    inside = camera_at(45, 149, camera_id=1)
    outside = camera_at(45, 151, camera_id=2)
    results = rank([inside, outside])
    assert [item.camera.camera_id for item in results] == [1]


def test_the_radius_boundary_is_decided_by_exact_geodesic_distance():
    # Points within the plane's margin of the boundary: exact distance decides, on either side.
    cameras = [
        camera_at(bearing, distance, camera_id=i)
        for i, (bearing, distance) in enumerate(
            [(0, 149.9), (90, 150.05), (180, 149.5), (270, 150.5), (33, 148.0), (300, 152.0)]
        )
    ]
    results = rank(cameras)
    returned = {item.camera.camera_id for item in results}
    expected = {c.camera_id for c in cameras if geo.distance_m(*PLACE, c.latitude, c.longitude) <= 150}
    assert returned == expected == {0, 2, 4}


def test_a_boundary_within_millimetres_is_decided_by_exact_geodesic_distance():
    # Within the azimuthal plane's error bound of a 1 km radius the exact geodesic decides.
    offsets = [-1e-4, 1e-4, -0.01, 0.01, -2.5, 2.5]
    cameras = [camera_at(40 * i, 1000 + d, camera_id=i) for i, d in enumerate(offsets)]
    results = rank(cameras, area=SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1000))
    returned = {item.camera.camera_id for item in results}
    expected = {c.camera_id for c in cameras if geo.distance_m(*PLACE, c.latitude, c.longitude) <= 1000}
    assert returned == expected == {0, 2, 4}
    for item in results:
        assert item.distance_m == pytest.approx(1000 + offsets[item.camera.camera_id], abs=1e-3)


def test_footage_past_retention_is_flagged_and_ranks_low():
    incident = NOW - timedelta(days=10)
    kept = camera_at(0, 80, camera_id=1, retention_days=30)
    gone = camera_at(0, 20, camera_id=2, retention_days=7)
    results = rank([gone, kept], window_start=incident)
    assert [item.camera.camera_id for item in results] == [1, 2]
    assert results[0].footage_likely_kept is True
    assert results[1].footage_likely_kept is False
    assert results[1].overwritten_after == incident + timedelta(days=7)
    assert any(reason.code == "footage_gone" and "2025-06-07" in reason.text for reason in results[1].reasons)


def test_footage_about_to_be_overwritten_is_urgent_and_comes_first():
    incident = NOW - timedelta(days=6)
    urgent = camera_at(0, 60, camera_id=1, retention_days=7)
    relaxed = camera_at(0, 60, camera_id=2, retention_days=30)
    results = rank([relaxed, urgent], window_start=incident)
    assert results[0].camera.camera_id == 1
    assert results[0].urgent is True
    assert results[1].urgent is False


def test_a_route_passing_in_front_of_a_camera_finds_it():
    # The route runs east-west 30 m south of the camera, which looks south.
    camera = camera_at(0, 30, camera_id=1, bearing_degrees=180, field_of_view_degrees=60, range_m=40)
    looking_away = camera_at(0, 30, camera_id=2, bearing_degrees=0, field_of_view_degrees=60, range_m=40)
    west = geo.destination_point(*PLACE, 270, 300)
    east = geo.destination_point(*PLACE, 90, 300)
    area = SearchArea(kind=ranking.ROUTE, place=PLACE, vertices=(west, east), corridor_m=50)
    results = rank([looking_away, camera], area=area)
    assert [item.camera.camera_id for item in results] == [1, 2]
    assert results[0].sees_incident is True
    assert results[1].sees_incident is False
    assert round(results[0].distance_m) == 30
    assert any("crosses the route" in reason.text for reason in results[0].reasons)


def test_a_route_excludes_cameras_beyond_its_corridor():
    west = geo.destination_point(*PLACE, 270, 300)
    east = geo.destination_point(*PLACE, 90, 300)
    area = SearchArea(kind=ranking.ROUTE, place=PLACE, vertices=(west, east), corridor_m=50)
    near = camera_at(0, 45, camera_id=1)
    far = camera_at(0, 55, camera_id=2)
    beyond_the_end = camera_at(90, 360, camera_id=3)
    assert [item.camera.camera_id for item in rank([near, far, beyond_the_end], area=area)] == [1]


def test_a_polygon_includes_only_cameras_inside_it():
    corners = tuple(geo.destination_point(*PLACE, bearing, 100) for bearing in (45, 135, 225, 315))
    area = SearchArea(kind=ranking.POLYGON, place=PLACE, vertices=corners)
    inside = camera_at(0, 60, camera_id=1)
    outside = camera_at(0, 90, camera_id=2)  # the square's edge is about 71 m north of its centre
    assert [item.camera.camera_id for item in rank([inside, outside], area=area)] == [1]


def test_every_point_of_the_score_is_explained():
    camera = camera_at(0, 40, bearing_degrees=180, field_of_view_degrees=90, range_m=50, records_street=True)
    result = rank([camera])[0]
    assert result.score == round(sum(reason.points for reason in result.reasons), 1)
    assert {reason.code for reason in result.reasons} >= {"sees", "records_street", "distance", "footage_kept"}


def test_stale_and_unverified_registrations_say_so():
    camera = camera_at(0, 40, verified=False, last_confirmed_at=NOW - timedelta(days=500))
    codes = {reason.code for reason in rank([camera])[0].reasons}
    assert {"unverified", "stale"} <= codes


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=359.9),
            st.floats(min_value=0, max_value=400),
            st.one_of(st.none(), st.integers(min_value=0, max_value=359)),
            st.integers(min_value=1, max_value=365),
            st.booleans(),
        ),
        max_size=25,
    ),
    st.integers(min_value=1, max_value=300),
)
def test_ranking_properties(specs, radius):
    cameras = [
        camera_at(
            bearing,
            distance,
            camera_id=index,
            bearing_degrees=facing,
            field_of_view_degrees=90 if facing is not None else None,
            range_m=40 if facing is not None else None,
            retention_days=retention,
            records_street=street,
        )
        for index, (bearing, distance, facing, retention, street) in enumerate(specs)
    ]
    results = rank(cameras, area=SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=radius))
    returned = {item.camera.camera_id for item in results}
    # Exactly the cameras within the radius, by the reference geodesic distance.
    expected = {c.camera_id for c in cameras if geo.distance_m(*PLACE, c.latitude, c.longitude) <= radius}
    assert returned == expected
    scores = [item.score for item in results]
    assert scores == sorted(scores, reverse=True)
    for item in results:
        assert abs(item.distance_m - geo.distance_m(*PLACE, item.camera.latitude, item.camera.longitude)) < 0.5
        if item.sees_incident is not None:
            cone = (item.camera.latitude, item.camera.longitude, item.camera.bearing_degrees, 90, 40)
            assert item.sees_incident == geo.point_in_cone(*cone, *PLACE)


def test_walking_order_visits_every_stop_once_starting_nearest():
    stops = [geo.destination_point(*PLACE, 90, d) for d in (300, 100, 200, 50)]
    order = ranking.walking_order(PLACE, stops)
    assert order == [3, 1, 2, 0]
    assert ranking.walking_order(PLACE, []) == []


def test_days_kept_count_on_the_local_clock_across_a_daylight_saving_change_like_the_case_page():
    """A search saved and reopened reads its window back in UTC; the first run had it on the local clock.

    Both must say one moment, and the case page's urgency list the same: 20:00 three days on, not 19:00.
    """
    from zoneinfo import ZoneInfo

    from canvass.selectors import overwrite_urgency

    chicago = ZoneInfo("America/Chicago")
    start = datetime(2026, 10, 31, 20, 0, tzinfo=chicago)  # the night before clocks go back
    camera = camera_at(0, 20, retention_days=3)
    now = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=150)
    kept_until = {
        ranking.rank([camera], area, window_start=moment, now=now)[0].overwritten_after
        for moment in (start, start.astimezone(UTC))
    }
    assert kept_until == {datetime(2026, 11, 3, 20, 0, tzinfo=chicago)}
    [moment] = kept_until
    assert moment.astimezone(UTC) == datetime(2026, 11, 4, 2, 0, tzinfo=UTC)  # 73 hours: one of the three days has 25
    reason = next(r for r in ranking.rank([camera], area, window_start=start, now=now)[0].reasons if "kept" in r.code)
    assert "2026-11-03 20:00" in reason.text

    chosen = SimpleNamespace(pk=1, camera=SimpleNamespace(retention_days=3))  # a CaseCamera, as far as it reads one
    urgency = overwrite_urgency([chosen], start.astimezone(UTC), now=now, zone=chicago)
    assert [item.overwritten_after for item in urgency.urgent] == [moment]
