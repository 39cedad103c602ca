"""The agency that owns the data sees every partner's use of it in its audit viewer and CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from accounts.access import Permission, sharing_uses_record
from accounts.models import SharingAgreement
from agencies.models import Agency
from audit.models import AuditEntry
from canvass import services as canvass_services
from canvass.models import CaseCamera
from footage.services import footage_request_create
from registrations.models import Registration
from tests.canvass.helpers import busy_registration, offense
from tests.staff_fixtures import make_staff, staff_client

URL = "/staff/audit/"
EXPORT_URL = "/staff/audit/export.csv"
ALL_SHAREABLE = [
    Permission.VIEW_REGISTRATIONS,
    Permission.VIEW_CONTACT_DETAILS,
    Permission.SEARCH_CANVASS,
    Permission.REQUEST_FOOTAGE,
]


def verified(user):
    user.is_verified = lambda: True
    return user


def rows_of(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def partner_use(town, client):
    """Cedar's investigator uses Maple's registrations in every way a sharing agreement allows."""
    maple, cedar = town["maple"], town["cedar"]
    now = timezone.now()
    SharingAgreement.objects.create(
        granting_agency=maple,
        receiving_agency=cedar,
        scope=[permission.value for permission in ALL_SHAREABLE],
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=10),
    )
    partner = make_staff(cedar, "investigator", username="det.cedar")
    registration = busy_registration(maple)
    staff_client(client, partner)
    assert client.get(f"/staff/registrations/{registration.public_id}/").status_code == 200
    assert client.post(f"/staff/registrations/{registration.public_id}/contact/").status_code == 200
    assert client.get("/staff/registrations/", {"street": registration.street_address}).status_code == 200
    verified(partner)
    end = timezone.now() - dt.timedelta(hours=2)
    result = canvass_services.canvass_search_run(
        user=partner,
        case_number="CEDAR-77",
        offense_type_id=offense(cedar).pk,
        place=canvass_services.Place(registration.latitude, registration.longitude),
        window=(end - dt.timedelta(hours=1), end),
        area=canvass_services.AreaRequest(radius_m=300),
    )
    search = result.search
    canvass_services.canvass_search_results(user=partner, search=search)
    canvass_services.canvass_export(user=partner, search=search, export_format="csv")
    camera = registration.cameras.first()
    canvass_services.case_camera_add(user=partner, case=search.case, camera_id=camera.pk)
    chosen = CaseCamera.objects.get(case=search.case, camera=camera)
    footage_request_create(
        user=partner,
        case=search.case,
        case_camera_ids=[chosen.pk],
        window_start=end - dt.timedelta(hours=1),
        window_end=end,
        message="Please",
    )
    # Cedar also works on its own data: Maple must not see that.
    cedar_registration = Registration.objects.filter(agency=cedar).first()
    assert client.get(f"/staff/registrations/{cedar_registration.public_id}/").status_code == 200
    client.logout()
    return {
        "partner": partner,
        "registration": registration,
        "search": search,
        "cedar_registration": cedar_registration,
    }


def partner_uses(entries) -> set[str]:
    return {entry.parameters.get("use") or entry.parameters.get("path", "") for entry in entries}


@pytest.mark.parametrize("role", ["auditor", "supervisor"])
def test_the_owning_agency_sees_every_partner_use_in_the_viewer(client, town, partner_use, role):
    staff_client(client, make_staff(town["maple"], role))

    response = client.get(URL, {"actor": "det.cedar"})

    assert response.status_code == 200
    entries = list(response.context["page"].object_list)
    assert entries and all(entry.data_agency_id == town["maple"].pk for entry in entries)
    assert all(entry.agency_id == town["cedar"].pk for entry in entries)
    uses = partner_uses(entries)
    public_id = str(partner_use["registration"].public_id)
    assert f"/staff/registrations/{public_id}/" in uses
    assert f"/staff/registrations/{public_id}/contact/" in uses
    assert {"canvass.search", "canvass.results", "canvass.export", "canvass.camera_choose"} <= uses
    assert {"footage_request.create", "registration.list"} <= uses
    page = response.content.decode()
    assert "Cedar Grove" in page  # which agency acted
    assert str(partner_use["cedar_registration"].public_id) not in page


@pytest.mark.parametrize("role", ["auditor", "supervisor"])
def test_the_owning_agency_sees_partner_use_in_the_csv_export(client, town, partner_use, role):
    staff_client(client, make_staff(town["maple"], role))

    rows = rows_of(client.get(EXPORT_URL))

    partner_rows = [row for row in rows if row["actor"] == "det.cedar"]
    assert partner_rows
    assert {row["acting_agency"] for row in partner_rows} == {"cedar-grove"}
    assert {row["data_agency"] for row in partner_rows} == {"maple-falls"}
    text = " ".join(row["parameters"] for row in partner_rows)
    assert "canvass.search" in text and "footage_request.create" in text
    assert str(partner_use["cedar_registration"].public_id) not in " ".join(row["object_id"] for row in rows)


def test_the_acting_agency_still_sees_its_own_entries(client, town, partner_use):
    staff_client(client, make_staff(town["cedar"], "auditor"))

    entries = list(client.get(URL, {"actor": "det.cedar"}).context["page"].object_list)

    actions = {entry.action for entry in entries}
    assert {"registration.view", "registration.contact_view", "canvass.search", "sharing.use"} <= actions
    assert str(partner_use["cedar_registration"].public_id) in {entry.object_id for entry in entries}


def test_a_partners_own_data_is_not_shown_to_the_owner_of_other_data(client, town, partner_use):
    staff_client(client, make_staff(town["maple"], "auditor"))

    entries = list(client.get(URL).context["page"].object_list)

    cedar_only = [entry for entry in entries if entry.agency_id == town["cedar"].pk]
    assert cedar_only and all(entry.data_agency_id == town["maple"].pk for entry in cedar_only)
    assert str(partner_use["cedar_registration"].public_id) not in {entry.object_id for entry in entries}


def test_a_third_agency_sees_none_of_it(client, town, partner_use):
    birch = Agency.objects.create(name="Birch Hollow", slug="birch-hollow", boundary=town["maple"].boundary)
    staff_client(client, make_staff(birch, "auditor"))

    entries = list(client.get(URL).context["page"].object_list)
    rows = rows_of(client.get(EXPORT_URL))

    assert all(birch.pk in (entry.agency_id, entry.data_agency_id) for entry in entries)
    assert "det.cedar" not in {entry.actor_label for entry in entries}
    assert not [row for row in rows if row["actor"] == "det.cedar"]


@pytest.mark.parametrize("who", ["anonymous", "investigator", "other_agency_investigator"])
def test_outsiders_cannot_read_the_log(client, town, partner_use, who):
    if who == "investigator":
        staff_client(client, make_staff(town["maple"], "investigator"))
    elif who == "other_agency_investigator":
        staff_client(client, make_staff(town["cedar"], "investigator"))
    for url in (URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"det.cedar" not in response.content


def test_sharing_uses_record_writes_one_entry_per_other_agency(town):
    maple, cedar = town["maple"], town["cedar"]
    birch = Agency.objects.create(name="Birch Hollow", slug="birch-hollow", boundary=maple.boundary)
    user = verified(make_staff(cedar, "investigator"))
    before = AuditEntry.objects.count()

    sharing_uses_record(
        user=user,
        agency_ids=[cedar.pk, maple.pk, maple.pk, birch.pk],
        action="canvass.search",
        object_type="canvass_search",
        object_id="5",
    )

    new = list(AuditEntry.objects.filter(sequence__gt=before).order_by("sequence"))
    assert sorted(entry.data_agency_id for entry in new) == sorted([maple.pk, birch.pk])
    assert all(entry.agency_id == cedar.pk and entry.action == "sharing.use" for entry in new)
    assert all(entry.parameters["use"] == "canvass.search" and entry.object_id == "5" for entry in new)
    sharing_uses_record(user=user, agency_ids=[cedar.pk], action="canvass.search")
    assert AuditEntry.objects.count() == before + 2
