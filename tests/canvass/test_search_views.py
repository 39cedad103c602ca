"""The search page, results, contact reveal, sheet and exports: happy paths, hostile input and outsiders."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from agencies.models import is_forbidden_purpose
from audit.models import AuditEntry
from canvass.models import CanvassSearch, Case
from registrations.models import Registration
from tests.canvass.helpers import busy_registration, form_data, offense
from tests.staff_fixtures import make_staff, staff_client

SEARCH_URL = "/staff/canvass/"


@pytest.fixture
def investigator(town):
    return make_staff(town["maple"], "investigator")


@pytest.fixture
def signed_in(client, investigator):
    return staff_client(client, investigator)


def run_search(client, town, **overrides):
    return client.post(SEARCH_URL, form_data(town["maple"], **overrides))


def test_it_shows_the_search_page_with_the_agency_offense_types(signed_in, town):
    response = signed_in.get(SEARCH_URL)
    assert response.status_code == 200
    assert b"Burglary" in response.content
    assert b"leaflet/leaflet.js" in response.content
    assert b"<script>" not in response.content  # strict CSP: no inline scripts


def test_it_runs_a_search_saves_it_under_its_case_and_audits_it(signed_in, town, investigator):
    response = run_search(signed_in, town)
    assert response.status_code == 302
    search = CanvassSearch.objects.get()
    assert response["Location"] == reverse("canvass:results", args=[search.pk])
    assert search.case.case_number == "2025-000123"
    assert search.case.agency == town["maple"]
    assert search.created_by == investigator
    assert search.result_count > 0
    entry = AuditEntry.objects.filter(action="canvass.search").get()
    assert entry.parameters["case_number"] == "2025-000123"
    assert entry.parameters["radius_m"] == 91  # "300" typed in a US agency is 300 ft, stored as 91 m
    assert entry.parameters["result_count"] == search.result_count
    text = json.dumps(entry.parameters)
    for registration in Registration.objects.filter(agency=town["maple"])[:10]:
        assert registration.owner_phone not in text

    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    assert b"Sees it" in page.content or b"Direction unknown" in page.content or b"Faces away" in page.content
    data = json.loads(page.context["map_data"] and json.dumps(page.context["map_data"]))
    roles = {feature["properties"]["role"] for feature in data["features"]}
    assert {"area", "incident"} <= roles
    # Every ranked camera is on the map, as one compact row (not a feature with repeated property names).
    assert len(data["cameras"]) == search.result_count
    assert data["camera_columns"] == ["lon", "lat", "verdict", "rank", "camera_id"]


def test_a_second_search_with_the_same_case_number_joins_the_case(signed_in, town):
    run_search(signed_in, town)
    run_search(signed_in, town, radius_m="150")
    assert Case.objects.count() == 1
    assert CanvassSearch.objects.count() == 2


def test_results_never_include_another_agencys_registrations(signed_in, town):
    # A big radius at the Maple/Cedar border: only Maple's registrations come back.
    cedar_registration = busy_registration(town["cedar"])
    run_search(signed_in, town, registration=cedar_registration, radius_m="1500")
    search = CanvassSearch.objects.get()
    page = signed_in.get(reverse("canvass:results", args=[search.pk]))
    agencies = {entry["detail"].agency_id for entry in page.context["items"]}
    assert agencies <= {town["maple"].pk}
    cedar_ids = {str(p) for p in Registration.objects.filter(agency=town["cedar"]).values_list("public_id", flat=True)}
    assert not cedar_ids & {entry["detail"].registration_public_id for entry in page.context["items"]}


def test_it_searches_by_typed_address(signed_in, town):
    from registrations.models import AddressPoint

    point = AddressPoint.objects.order_by("id")[50]
    response = run_search(signed_in, town, latitude="", longitude="", address=point.address)
    assert response.status_code == 302
    search = CanvassSearch.objects.get()
    assert (search.latitude, search.longitude) == (point.latitude, point.longitude)


def test_a_misspelt_address_offers_each_suggestion_as_a_button(signed_in, town):
    """ "1100 Mapel Av": nothing is searched, and each nearest address is a button carrying it (the page's script
    puts it in the address field and searches again); a hostile address comes back as text only."""
    response = run_search(signed_in, town, latitude="", longitude="", address="1100 Mapel Av")
    assert response.status_code == 400 and not CanvassSearch.objects.exists()
    page = response.content.decode()
    assert 'data-address="1100 Maple Ave"' in page and ">1100 Maple Ave</button>" in page
    hostile = run_search(signed_in, town, latitude="", longitude="", address='"><script>alert(1)</script> Mapel Av')
    assert "<script>alert(1)</script>" not in hostile.content.decode()
    nowhere = run_search(signed_in, town, latitude="", longitude="", address="99999 Nowhere Rd")
    assert "address-suggestions" not in nowhere.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"latitude": "91", "longitude": "-87.8"}, b"Latitude must be between -90 and 90"),
        ({"latitude": "nan", "longitude": "-87.8"}, b"finite"),
        ({"latitude": "41.6", "longitude": "inf"}, b"finite"),
        ({"latitude": "", "longitude": "", "address": ""}, b"Give the incident"),
        ({"latitude": "", "longitude": "", "address": "999 Nowhere Blvd"}, b"was not found"),
        ({"radius_m": "0"}, b"radius must be between 2 and 4,921 feet"),
        ({"radius_m": "-20"}, b"radius must be between"),
        ({"radius_m": "999999"}, b"radius must be between"),
        ({"radius_m": "1e400"}, b"whole number"),
        ({"radius_m": "lots"}, b"must be a number"),
        ({"window_start": "2025-01-02T10:00", "window_end": "2025-01-02T09:00"}, b"ends before it starts"),
        ({"window_start": "2025-01-01T10:00", "window_end": "2025-01-03T10:00"}, b"limit of 24 hours"),
        ({"window_start": "2999-01-01T10:00", "window_end": "2999-01-01T11:00"}, b"in the future"),
        ({"window_start": "yesterday"}, b"Enter a valid date/time"),
        ({"case_number": ""}, b"Enter the case number"),
        ({"case_number": "1'; DROP TABLE canvass_case;--"}, b"A case number has 1 to 40"),
        ({"case_number": "<script>alert(1)</script>"}, b"A case number has 1 to 40"),
        ({"offense_type": ""}, b"Choose an offense type"),
        ({"offense_type": "999999"}, b"Select a valid choice"),
        ({"area_kind": "circle"}, b"Select a valid choice"),
        ({"area_kind": "polygon", "vertices": "[[41.68, -87.84], [41.69, -87.84]]"}, b"polygon needs at least 3"),
        ({"area_kind": "polygon", "vertices": "not json"}, b"could not be read"),
        ({"area_kind": "polygon", "vertices": '{"a": 1}'}, b"could not be read"),
        ({"area_kind": "route", "vertices": "[[41.68, -87.84]]"}, b"route needs at least 2"),
        ({"area_kind": "route", "vertices": "[[41.68, -87.84], [41.69, -87.84]]", "corridor_m": "5000"}, b"corridor"),
        ({"area_kind": "route", "vertices": "[[41.68, -87.84], [41.88, -87.84]]"}, b"more than the limit of 10 km"),
        ({"area_kind": "route", "vertices": '[["a", "b"], [1, 2]]'}, b"must be a number"),
    ],
)
def test_bad_and_hostile_input_gets_a_clear_error_and_saves_nothing(signed_in, town, overrides, message):
    response = run_search(signed_in, town, **overrides)
    assert response.status_code == 400
    assert message in response.content, response.content.decode()[:3000]
    assert b"The search was not run" in response.content
    assert not CanvassSearch.objects.exists()
    assert not Case.objects.exists()
    assert b"<script>alert(1)</script>" not in response.content


def test_a_self_crossing_polygon_is_refused(signed_in, town):
    bowtie = json.dumps([[41.680, -87.845], [41.684, -87.840], [41.680, -87.840], [41.684, -87.845]])
    response = run_search(signed_in, town, area_kind="polygon", vertices=bowtie)
    assert response.status_code == 400
    assert b"edges cross each other" in response.content


def test_a_polygon_with_ten_thousand_points_is_refused_quickly(signed_in, town):
    points = json.dumps([[41.68 + i * 1e-6, -87.84 + (i % 2) * 1e-6] for i in range(10_000)])
    response = run_search(signed_in, town, area_kind="polygon", vertices=points)
    assert response.status_code == 400
    assert b"at most 200" in response.content


def test_a_drawn_polygon_and_a_route_find_cameras(signed_in, town):
    registration = busy_registration(town["maple"])
    lat, lon = registration.latitude, registration.longitude
    square = json.dumps(
        [[lat - 0.002, lon - 0.002], [lat - 0.002, lon + 0.002], [lat + 0.002, lon + 0.002], [lat + 0.002, lon - 0.002]]
    )
    assert run_search(signed_in, town, area_kind="polygon", vertices=square).status_code == 302
    route = json.dumps([[lat - 0.003, lon], [lat + 0.003, lon]])
    assert run_search(signed_in, town, area_kind="route", vertices=route, corridor_m="60").status_code == 302
    polygon_search, route_search = CanvassSearch.objects.order_by("id")
    assert polygon_search.area_geometry["type"] == "Polygon"
    assert route_search.area_geometry["type"] == "LineString"
    assert polygon_search.result_count > 0 and route_search.result_count > 0
    for search in (polygon_search, route_search):
        page = signed_in.get(reverse("canvass:results", args=[search.pk]))
        assert page.status_code == 200
        assert len(page.context["items"]) == search.result_count


def test_protest_is_never_an_allowed_purpose(signed_in, town):
    from agencies.models import OffenseType

    protest = OffenseType.objects.create(agency=town["maple"], name="Protest monitoring")
    page = signed_in.get(SEARCH_URL)
    assert b"Protest monitoring" not in page.content
    from canvass import services

    with pytest.raises(services.ValidationError) as error:
        services._clean_offense_type(page.wsgi_request.user, protest.pk)
    assert "not an allowed purpose" in str(error.value)
    for name in ("Lawful Assembly", "First Amendment activity", "Demonstration"):
        assert is_forbidden_purpose(name)
    assert not is_forbidden_purpose("Burglary")


def test_an_offense_type_of_another_agency_is_refused(signed_in, town):
    response = run_search(signed_in, town, offense_type=str(offense(town["cedar"]).pk))
    assert response.status_code == 400
    assert not CanvassSearch.objects.exists()


def test_a_case_keeps_its_offense_type(signed_in, town):
    run_search(signed_in, town)
    response = run_search(signed_in, town, offense_type=str(offense(town["maple"], "Robbery").pk))
    assert response.status_code == 400
    assert b"is recorded as Burglary" in response.content


@pytest.mark.slow
def test_contact_details_are_revealed_on_post_only_and_audited(signed_in, town):
    run_search(signed_in, town)
    search = CanvassSearch.objects.get()
    page = signed_in.get(reverse("canvass:results", args=[search.pk]))
    detail = page.context["items"][0]["detail"]
    registration = Registration.objects.get(public_id=detail.registration_public_id)
    assert registration.owner_phone.encode() not in page.content
    url = reverse("canvass:contact", args=[search.pk, detail.registration_public_id])
    assert signed_in.get(url).status_code == 405
    response = signed_in.post(url)
    assert response.status_code == 200
    assert registration.owner_phone.encode() in response.content
    entry = AuditEntry.objects.filter(action="registration.contact_view").get()
    assert entry.object_id == str(registration.public_id)
    # Another agency's registration cannot be revealed through our search.
    cedar = Registration.objects.filter(agency=town["cedar"]).first()
    assert signed_in.post(reverse("canvass:contact", args=[search.pk, cedar.public_id])).status_code == 404


def test_the_sheet_lists_addresses_in_walking_order_with_contacts_and_is_audited(signed_in, town):
    run_search(signed_in, town)
    search = CanvassSearch.objects.get()
    response = signed_in.get(reverse("canvass:sheet", args=[search.pk]))
    assert response.status_code == 200
    stops = response.context["stops"]
    assert stops
    first = stops[0].registration
    assert first.owner_phone.encode() in response.content
    assert b"print.css" in response.content
    entry = AuditEntry.objects.filter(action="canvass.sheet").get()
    assert entry.parameters["registrations"][0] == str(first.public_id)
    from canvass.ranking import walking_order

    points = [(stop.registration.latitude, stop.registration.longitude) for stop in stops]
    assert walking_order((search.latitude, search.longitude), points) == list(range(len(points)))


def test_exports_are_one_row_per_address_neutralise_formulas_and_are_audited(signed_in, town):
    registration = busy_registration(town["maple"])
    registration.notes_for_detectives = '=HYPERLINK("http://evil.example")'
    registration.save()
    camera = registration.cameras.first()
    camera.brand = "@SUM(1+1)"
    camera.description = "-2+3 the porch"
    camera.save()
    run_search(signed_in, town, registration=registration)
    search = CanvassSearch.objects.get()
    page = signed_in.get(reverse("canvass:results", args=[search.pk]))
    addresses = {entry["detail"].registration_id for entry in page.context["items"]}
    response = signed_in.get(reverse("canvass:export_csv", args=[search.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == len(addresses) <= search.result_count  # one row per address, not per camera
    assert [int(row["rank"]) for row in rows] == list(range(1, len(rows) + 1))
    assert sum(int(row["camera_count"]) for row in rows) == search.result_count
    ours = next(row for row in rows if row["registration"] == str(registration.public_id))
    assert ours["notes_for_detectives"] == '\'=HYPERLINK("http://evil.example")'
    assert ours["brand"].startswith("'@SUM(1+1)")
    assert "-2+3 the porch" in ours["cameras"]
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())
    assert registration.owner_phone not in response.content.decode()

    geo = signed_in.get(reverse("canvass:export_geojson", args=[search.pk]))
    data = json.loads(geo.content)
    features = [f for f in data["features"] if f["properties"]["role"] == "address"]
    assert len(features) == len(addresses)
    assert sum(len(f["properties"]["cameras"]) for f in features) == search.result_count
    feature = next(f for f in features if f["properties"]["registration"] == str(registration.public_id))
    assert feature["properties"]["notes_for_detectives"] == registration.notes_for_detectives
    assert camera.pk in [entry["camera_id"] for entry in feature["properties"]["cameras"]]
    entries = AuditEntry.objects.filter(action="canvass.export")
    assert entries.count() == 2
    assert {entry.parameters["rows"] for entry in entries} == {len(addresses)}


def test_choosing_and_removing_cameras_on_the_case(signed_in, town):
    run_search(signed_in, town)
    search = CanvassSearch.objects.get()
    page = signed_in.get(reverse("canvass:results", args=[search.pk]))
    camera_id = page.context["items"][0]["item"].camera.camera_id
    add = reverse("canvass:case_camera_add", args=[search.case.pk])
    response = signed_in.post(add, {"camera_id": camera_id, "search_id": search.pk})
    assert response.status_code == 302
    assert search.case.chosen_cameras.filter(camera_id=camera_id).exists()
    case_page = signed_in.get(reverse("canvass:case", args=[search.case.pk]))
    assert case_page.status_code == 200
    assert f'id="chosen-{camera_id}"'.encode() in case_page.content
    # A Cedar Grove camera, or nonsense, cannot be chosen.
    cedar_camera = busy_registration(town["cedar"]).cameras.first()
    for bad in (cedar_camera.pk, "abc", "99999999999999999999999"):
        assert signed_in.post(add, {"camera_id": bad}).status_code == 400
    remove = reverse("canvass:case_camera_remove", args=[search.case.pk, camera_id])
    assert signed_in.post(remove).status_code == 302
    assert not search.case.chosen_cameras.exists()


# --- outsiders --------------------------------------------------------------


def _urls(search):
    registration = Registration.objects.first()
    return [
        ("get", reverse("canvass:results", args=[search.pk])),
        ("get", reverse("canvass:sheet", args=[search.pk])),
        ("get", reverse("canvass:export_csv", args=[search.pk])),
        ("get", reverse("canvass:export_geojson", args=[search.pk])),
        ("get", reverse("canvass:case", args=[search.case.pk])),
        ("post", reverse("canvass:contact", args=[search.pk, registration.public_id])),
        ("post", reverse("canvass:case_camera_add", args=[search.case.pk])),
        ("post", reverse("canvass:case_camera_remove", args=[search.case.pk, 1])),
    ]


@pytest.fixture
def existing_search(client, town, investigator):
    staff_client(client, investigator)
    run_search(client, town)
    client.logout()
    return CanvassSearch.objects.get()


def test_anonymous_visitors_are_sent_to_sign_in(client, existing_search):
    for method, url in [("get", SEARCH_URL), *_urls(existing_search)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/staff/" in response["Location"]
        assert "canvass" not in response["Location"].split("?")[0]


def test_an_auditor_cannot_search_or_see_results(client, town, existing_search):
    staff_client(client, make_staff(town["maple"], "auditor"))
    assert client.get(SEARCH_URL).status_code == 403
    assert client.post(SEARCH_URL, form_data(town["maple"])).status_code == 403
    for method, url in _urls(existing_search):
        assert getattr(client, method)(url).status_code == 403, url
    assert CanvassSearch.objects.count() == 1


def test_another_agency_gets_404_for_our_searches_and_cases(client, town, existing_search):
    staff_client(client, make_staff(town["cedar"], "investigator"))
    for method, url in _urls(existing_search):
        assert getattr(client, method)(url).status_code == 404, url
    assert not AuditEntry.objects.filter(
        action__in=["canvass.sheet", "canvass.export", "registration.contact_view"]
    ).exists()


def test_unknown_ids_are_404(signed_in, town):
    assert signed_in.get("/staff/canvass/searches/999999/").status_code == 404
    assert signed_in.get("/staff/canvass/cases/999999/").status_code == 404
