"""Candidate narrowing: the strip index must never lose a camera the exact geometry would rank, nor add one the
access chokepoint or the program excludes."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cameraregistry import geo
from canvass import candidates, ranking, selectors
from canvass.ranking import SearchArea
from registrations.models import LATITUDE_STRIPS_PER_DEGREE, Camera, Registration, Status
from tests.staff_fixtures import make_staff

# A strip boundary next to the demo town: areas around it always span two strips or more.
BOUNDARY_LAT = (math.floor(41.6820 * LATITUDE_STRIPS_PER_DEGREE) + 1) / LATITUDE_STRIPS_PER_DEGREE
PLACE = (BOUNDARY_LAT, -87.8420)
# Just inside and just outside the radii searched below, and a little either side of the boundary.
DISTANCES = [0.3, 2.0, 40.0, 149.0, 151.0, 380.0, 499.0, 501.0, 995.0, 1005.0, 1600.0]


@pytest.fixture
def scene(town):
    """The town's 40 registrations moved around PLACE, at known distances in every direction."""
    for index, registration in enumerate(Registration.objects.order_by("pk")):
        lat, lon = geo.destination_point(*PLACE, (index * 37) % 360, DISTANCES[index % len(DISTANCES)])
        Registration.objects.filter(pk=registration.pk).update(
            latitude=lat, longitude=lon, status=Status.ACTIVE, agency=town["maple"]
        )
    return town


def everyone():
    return Registration.objects.all()


def ranked_ids(facts, area):
    now = timezone.now()
    return [item.camera.camera_id for item in ranking.rank(facts, area, window_start=now - timedelta(days=1), now=now)]


def full_scan(area, registrations=None):
    """What ranking keeps when it sees every searchable camera: the answer narrowing must not change."""
    registrations = everyone() if registrations is None else registrations
    return ranked_ids(
        candidates.facts_of(registrations.filter(status__in=candidates.SEARCHABLE_STATUSES, cameras__id__isnull=False)),
        area,
    )


def narrowed(area, registrations=None):
    facts, _details = candidates.candidate_cameras(everyone() if registrations is None else registrations, area)
    return ranked_ids(facts, area)


@pytest.mark.parametrize("radius", [1.0, 150.0, 500.0, 1000.0, 1500.0])
def test_radius_search_finds_exactly_what_a_full_scan_finds(scene, radius):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=radius)
    min_lat, _min_lon, max_lat, _max_lon = candidates.area_bounding_box(area)
    assert len(candidates._strips(min_lat, max_lat)) >= 2
    expected = full_scan(area)
    assert narrowed(area) == expected
    if radius >= 150:
        assert expected, "the scene puts cameras inside every radius searched"


def test_polygon_and_route_searches_find_exactly_what_a_full_scan_finds(scene):
    square = tuple(geo.destination_point(*PLACE, bearing, 700) for bearing in (45, 135, 225, 315))
    polygon = SearchArea(kind=ranking.POLYGON, place=PLACE, vertices=square)
    route = SearchArea(
        kind=ranking.ROUTE,
        place=PLACE,
        vertices=(geo.destination_point(*PLACE, 200, 900), PLACE, geo.destination_point(*PLACE, 20, 900)),
        corridor_m=60,
    )
    for area in (polygon, route):
        expected = full_scan(area)
        assert expected
        assert narrowed(area) == expected


def test_a_route_longer_than_the_strip_limit_is_still_complete(scene):
    # About 80 km north to south: more strips than are worth listing, so the plain box narrows instead.
    route = SearchArea(
        kind=ranking.ROUTE,
        place=PLACE,
        vertices=(geo.destination_point(*PLACE, 180, 40_000), geo.destination_point(*PLACE, 0, 40_000)),
        corridor_m=200,
    )
    min_lat, _min_lon, max_lat, _max_lon = candidates.area_bounding_box(route)
    assert len(candidates._strips(min_lat, max_lat)) > candidates._MOST_STRIPS
    expected = full_scan(route)
    assert expected
    assert narrowed(route) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    north_m=st.floats(min_value=-1200, max_value=1200),
    east_m=st.floats(min_value=-1200, max_value=1200),
    radius=st.floats(min_value=0.5, max_value=1500),
)
def test_any_radius_anywhere_near_the_scene_matches_a_full_scan(scene, north_m, east_m, radius):
    lat, lon = (
        geo.destination_point(*PLACE, 0, north_m) if north_m >= 0 else geo.destination_point(*PLACE, 180, -north_m)
    )
    lat, lon = geo.destination_point(lat, lon, 90 if east_m >= 0 else 270, abs(east_m))
    area = SearchArea(kind=ranking.RADIUS, place=(lat, lon), radius_m=radius)
    assert narrowed(area) == full_scan(area)


def test_outsiders_and_excluded_statuses_never_become_candidates(scene):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1000)
    inside = candidates.facts_of(everyone().filter(cameras__id__isnull=False))
    in_area = {fact.registration_id for fact in inside if fact.camera_id in set(full_scan(area))}
    other_agency, paused, rejected, *_rest = sorted(in_area)
    Registration.objects.filter(pk=other_agency).update(agency=scene["cedar"])
    Registration.objects.filter(pk=paused).update(status=Status.PAUSED)
    Registration.objects.filter(pk=rejected).update(status=Status.REJECTED)
    maple_only = Registration.objects.filter(agency=scene["maple"])

    facts, details = candidates.candidate_cameras(maple_only, area)
    found = {fact.registration_id for fact in facts}
    assert not found & {other_agency, paused, rejected}
    assert {detail.registration_id for detail in details.values()}.isdisjoint({other_agency, paused, rejected})
    assert narrowed(area, maple_only) == full_scan(area, maple_only)


def test_details_are_read_once_and_only_when_asked_for(scene, django_assert_num_queries):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=500)
    with django_assert_num_queries(1):
        facts, details = candidates.candidate_cameras(everyone(), area)
    assert facts
    with django_assert_num_queries(1):
        for fact in facts:
            detail = details[fact.camera_id]
            assert detail.registration_id == fact.registration_id
    camera = Camera.objects.select_related("registration").get(pk=facts[0].camera_id)
    detail = details[camera.pk]
    assert detail.street_address == camera.registration.street_address
    assert detail.registration_public_id == str(camera.registration.public_id)
    assert detail.brand == camera.brand
    assert detail.locations == tuple(camera.locations or ())
    with pytest.raises(KeyError):
        details[-1]


def test_details_read_from_the_cursor_are_what_the_orm_reads(scene):
    """Every camera's details as the model fields give them: public ids, several locations, a unit, a business."""
    registrations = list(Registration.objects.order_by("pk")[:3])
    Registration.objects.filter(pk=registrations[0].pk).update(unit="Apt 2", business_name="Corner Deli")
    Camera.objects.filter(registration=registrations[1]).update(locations=["front", "driveway"], brand="Acme")
    Camera.objects.filter(registration=registrations[2]).update(locations=[], description="the alley")
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1500)
    _facts, details = candidates.candidate_cameras(everyone(), area)
    cameras = Camera.objects.select_related("registration").filter(pk__in=list(details))
    assert len(cameras) == len(details) > 20
    for camera in cameras:
        registration, detail = camera.registration, details[camera.pk]
        assert (
            detail.registration_id,
            detail.registration_public_id,
            detail.agency_id,
            detail.status,
            detail.address,
            detail.business_name,
            detail.description,
            detail.locations,
            detail.exports_common_format,
            detail.brand,
        ) == (
            registration.pk,
            str(registration.public_id),
            registration.agency_id,
            registration.status,
            f"{registration.street_address}, {registration.unit}" if registration.unit else registration.street_address,
            registration.business_name,
            camera.description,
            tuple(camera.locations or ()),
            camera.exports_common_format,
            camera.brand,
        )
    assert {("front", "driveway")} <= {detail.locations for detail in details.values()}


def test_facts_carry_the_registration_as_the_database_holds_it(scene):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1000)
    facts, _details = candidates.candidate_cameras(everyone(), area)
    registration = Registration.objects.get(pk=facts[0].registration_id)
    Registration.objects.filter(pk=registration.pk).update(verified_at=None)
    unverified = next(f for f in candidates.candidate_cameras(everyone(), area)[0] if f.camera_id == facts[0].camera_id)
    assert unverified.verified is False
    assert unverified.last_confirmed_at == registration.last_confirmed_at
    assert unverified.last_confirmed_at.tzinfo is not None
    Registration.objects.filter(pk=registration.pk).update(verified_at=timezone.now())
    verified = next(f for f in candidates.candidate_cameras(everyone(), area)[0] if f.camera_id == facts[0].camera_id)
    assert verified.verified is True


@pytest.mark.sqlite  # SQLite's plan is deterministic at any size
def test_sqlite_reads_the_strip_index(scene):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=500)
    queryset = candidates.in_area_box(everyone(), area).values_list("id", "cameras__id")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "registration_canvass_strip" in plan


@pytest.mark.sqlite  # SQLite's plan is deterministic at any size
def test_sqlite_reads_each_cameras_ranking_facts_from_the_covering_index(scene):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1000)
    # Every fact column but the annotation, which reads the registration only: a camera column added to
    # FACT_COLUMNS without adding it to the camera_ranking_facts index fails here.
    fields = [column for column in candidates.FACT_COLUMNS if column != "verified"]
    sql, params = candidates.in_area_box(everyone(), area).values_list(*fields).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "COVERING INDEX camera_ranking_facts" in plan


def _fact_rows(facts):
    return [vars(fact) for fact in facts]


@pytest.mark.parametrize(
    "area",
    [
        SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=150.0),
        SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1500.0),
        SearchArea(
            kind=ranking.POLYGON,
            place=PLACE,
            vertices=((PLACE[0] - 0.004, PLACE[1] - 0.006), (PLACE[0] + 0.005, PLACE[1]), (PLACE[0], PLACE[1] + 0.007)),
        ),
        SearchArea(
            kind=ranking.ROUTE,
            place=PLACE,
            vertices=((PLACE[0] - 0.3, PLACE[1]), (PLACE[0] + 0.3, PLACE[1])),
            corridor_m=80.0,
        ),
    ],
    ids=["150 m", "1,500 m", "polygon", "route over 64 strips"],
)
def test_the_prepared_query_finds_what_the_orm_query_finds(scene, area):
    for agency_ids in ([scene["maple"].pk], [scene["maple"].pk, scene["cedar"].pk]):
        registrations = Registration.objects.filter(agency_id__in=agency_ids)
        expected = candidates.candidate_cameras(registrations, area)[0]
        # Twice: the first run prepares the query (and checks it against the ORM's), the second reuses it.
        assert _fact_rows(candidates.prepared_facts(agency_ids, area)) == _fact_rows(expected)
        assert _fact_rows(candidates.prepared_facts(agency_ids, area)) == _fact_rows(expected)


def test_the_prepared_query_keeps_to_the_agencies_it_is_given(scene):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1000)
    moved = sorted({fact.registration_id for fact in candidates.prepared_facts([scene["maple"].pk], area)})[:3]
    Registration.objects.filter(pk__in=moved).update(agency=scene["cedar"])
    maple = {fact.registration_id for fact in candidates.prepared_facts([scene["maple"].pk], area)}
    assert maple and not maple & set(moved)
    assert set(moved) <= {fact.registration_id for fact in candidates.prepared_facts([scene["cedar"].pk], area)}
    assert candidates.prepared_facts([], area) == []


def test_a_users_search_candidates_follow_the_access_rule(scene):
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1000)
    moved = sorted({fact.registration_id for fact in candidates.prepared_facts([scene["maple"].pk], area)})[:3]
    Registration.objects.filter(pk__in=moved).update(agency=scene["cedar"])
    investigator = make_staff(scene["maple"], "investigator")
    investigator.is_verified = lambda: True  # MFA passed, as the middleware marks a verified session
    facts, details = selectors.search_candidates(investigator, area)
    assert facts and not {fact.registration_id for fact in facts} & set(moved)
    assert {details[fact.camera_id].agency_id for fact in facts} == {scene["maple"].pk}
    # Without the right to search (no MFA this session, or an anonymous visitor): nothing.
    investigator.is_verified = lambda: False
    assert selectors.search_candidates(investigator, area)[0] == []
    facts, details = selectors.search_candidates(AnonymousUser(), area)
    assert facts == [] and len(details) == 0


def test_notes_come_with_the_page_and_never_from_outside_the_search(scene, django_assert_num_queries):
    """The page's notes ride on its details read; an id the search may not read gets no note, by either path."""
    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=1000)
    maple = Registration.objects.filter(agency=scene["maple"])
    facts, _details = candidates.candidate_cameras(maple, area)
    page = sorted({fact.registration_id for fact in facts})[:4]
    outsider = sorted({fact.registration_id for fact in facts})[-1]
    Registration.objects.filter(pk__in=page).update(
        notes_for_detectives="Ring the side door; the DVR is in the garage."
    )
    Registration.objects.filter(pk=page[0]).update(notes_for_detectives="")
    Registration.objects.filter(pk=outsider).update(agency=scene["cedar"], notes_for_detectives="Cedar's own note")
    facts, details = candidates.candidate_cameras(Registration.objects.filter(agency=scene["maple"]), area)
    with django_assert_num_queries(1):
        details.of_registrations(page)
    with django_assert_num_queries(0):
        notes = details.notes_of(page)
    assert notes == {pk: "Ring the side door; the DVR is in the garage." for pk in page[1:]}
    with django_assert_num_queries(1):  # an id the page did not read: asked through the same scoped queryset
        assert details.notes_of([*page, outsider]) == notes


@pytest.mark.postgresql  # psycopg's server-side prepared statements
def test_postgresql_prepares_the_canvass_query_once_per_shape(scene):
    """The second search of the same shape runs the statement the first prepared, and answers the same."""

    def prepared() -> dict[str, int]:
        """The prepared facts statements of this connection, and how often each ran."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                ['%AS "cameras__records_street"%'],
            )
            return dict(cursor.fetchall())

    area = SearchArea(kind=ranking.RADIUS, place=PLACE, radius_m=150)
    maple = [scene["maple"].pk]
    first = candidates.prepared_facts(maple, area)
    assert first
    before = prepared()
    assert before
    again = candidates.prepared_facts(maple, area)
    after = prepared()
    assert [vars(fact) for fact in again] == [vars(fact) for fact in first]
    assert after.keys() == before.keys()  # no new statement: the same one ran again
    assert sum(after.values()) == sum(before.values()) + 1
