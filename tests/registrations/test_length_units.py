"""Camera range in the agency's units: residents, owners and staff read and type feet (or metres); stored in metres."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from registrations.models import Camera, Registration
from tests.owners.helpers import a_registration_with_email, owner_client
from tests.registrations.helpers import form_data, post
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/staff/admin/settings/"


def _set_units(town, length_units: str) -> None:
    for agency in town.values():
        agency.length_units = length_units
        agency.save(update_fields=["length_units"])


def test_new_and_existing_agencies_work_in_feet(town):
    assert {agency.length_units for agency in town.values()} == {"us"}


def test_a_resident_of_a_feet_agency_registers_80_feet_and_it_is_stored_as_24_metres(client, town):
    page = client.get("/register/").content.decode()
    assert "Range, in feet" in page
    before = Registration.objects.count()
    response = post(client, form_data(town["maple"].current_terms().pk, **{"cameras-0-range_m": "80"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Registration.objects.count() == before + 1
    camera = Camera.objects.filter(registration=Registration.objects.latest("id")).get()
    assert camera.range_m == 24  # 80 ft = 24.38 m


def test_the_largest_range_is_accepted_in_feet_and_one_more_step_is_refused_in_feet(client, town):
    terms = town["maple"].current_terms().pk
    assert post(client, form_data(terms, **{"cameras-0-range_m": "984"})).status_code == 302
    assert Camera.objects.filter(registration=Registration.objects.latest("id")).get().range_m == 300
    refused = post(client, form_data(terms, **{"cameras-0-range_m": "1000"}))
    assert refused.status_code == 400
    assert "Enter at most 984 feet." in refused.content.decode()


def test_a_metric_agency_asks_and_stores_metres(client, town):
    _set_units(town, "metric")
    page = client.get("/register/").content.decode()
    assert "Range, in metres" in page and "in feet" not in page
    response = post(client, form_data(town["maple"].current_terms().pk, **{"cameras-0-range_m": "80"}))
    assert response.status_code == 302
    assert Camera.objects.filter(registration=Registration.objects.latest("id")).get().range_m == 80
    refused = post(client, form_data(town["maple"].current_terms().pk, **{"cameras-0-range_m": "301"}))
    assert "Enter at most 300 metres." in refused.content.decode()


@pytest.mark.parametrize("value", ["-80", "0", "1e309", "-1e309", "nan", "9" * 400, "eighty", "80.5", "1e5", "½"])
def test_hostile_ranges_get_a_message_and_save_nothing(client, town, value):
    before = Registration.objects.count(), Camera.objects.count()
    response = post(client, form_data(town["maple"].current_terms().pk, **{"cameras-0-range_m": value}))
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert (Registration.objects.count(), Camera.objects.count()) == before


def _with_range(town, range_m: int) -> Registration:
    registration = a_registration_with_email(town["maple"])
    camera = registration.cameras.order_by("id").first()
    camera.range_m = range_m
    camera.save(update_fields=["range_m"])
    return registration


def test_owner_and_staff_pages_show_about_80_ft(town):
    registration = _with_range(town, 24)
    owner = owner_client(registration)
    assert "about 80 ft" in owner.get("/manage/").content.decode()
    edit = owner.get("/manage/edit/").content.decode()
    assert "Range, in feet" in edit and 'value="79"' in edit  # 24 m = 78.7 ft
    detective = staff_client(Client(), make_staff(town["maple"], "investigator"))
    staff_page = detective.get(f"/staff/registrations/{registration.public_id}/").content.decode()
    assert "about 80 ft" in staff_page


def test_owner_pages_in_spanish_say_pies(town):
    registration = _with_range(town, 24)
    owner = owner_client(registration)
    page = owner.get("/manage/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "unos 80 pies" in page


def test_a_metric_agency_shows_metres_to_owner_and_staff(town):
    _set_units(town, "metric")
    registration = _with_range(town, 24)
    assert "about 24 m" in owner_client(registration).get("/manage/").content.decode()


def _settings(of, **changes) -> dict:
    from administration.services import SETTINGS_FIELDS

    data = {name: getattr(of, name) for name in SETTINGS_FIELDS}
    data.update(changes, action="settings")
    return data


def test_an_administrator_switches_to_metric_and_it_is_audited(town):
    chief = staff_client(Client(), make_staff(town["maple"], "administrator"))
    page = chief.get(SETTINGS_URL).content.decode()
    assert "US customary (feet)" in page and "Metric (metres)" in page
    response = chief.post(SETTINGS_URL, _settings(town["maple"], length_units="metric"))
    assert response.status_code == 302
    town["maple"].refresh_from_db()
    town["cedar"].refresh_from_db()
    assert town["maple"].length_units == "metric" and town["cedar"].length_units == "us"
    entry = AuditEntry.objects.filter(action="agency.settings_change", agency=town["maple"]).latest("id")
    assert entry.parameters["changed"] == {"length_units": ["us", "metric"]}


def test_unknown_units_are_refused(town):
    chief = staff_client(Client(), make_staff(town["maple"], "administrator"))
    response = chief.post(SETTINGS_URL, _settings(town["maple"], length_units="furlongs"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    town["maple"].refresh_from_db()
    assert town["maple"].length_units == "us"


def test_another_agencys_administrator_cannot_change_this_agencys_units(town):
    cedar_chief = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    cedar_chief.post(SETTINGS_URL, _settings(town["cedar"], length_units="metric", agency=str(town["maple"].pk)))
    town["maple"].refresh_from_db()
    assert town["maple"].length_units == "us"  # only Cedar's own settings can change


def test_anonymous_and_non_administrators_cannot_reach_the_settings(town):
    anonymous = Client()
    for response in (
        anonymous.get(SETTINGS_URL),
        anonymous.post(SETTINGS_URL, _settings(town["maple"], length_units="metric")),
    ):
        assert response.status_code in (302, 403)
        assert "Metric (metres)" not in response.content.decode()
    detective = staff_client(Client(), make_staff(town["maple"], "investigator"))
    assert detective.post(SETTINGS_URL, _settings(town["maple"], length_units="metric")).status_code == 403
    town["maple"].refresh_from_db()
    assert town["maple"].length_units == "us"


def test_a_range_too_long_to_read_says_what_to_enter(client, town):
    response = post(client, form_data(town["maple"].current_terms().pk, **{"cameras-0-range_m": "9" * 5000}))
    assert response.status_code == 400
    assert "Enter a whole number of feet." in response.content.decode()
