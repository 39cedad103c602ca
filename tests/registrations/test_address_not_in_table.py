"""The form with an address the table lacks: the pin placed by hand is kept and flagged; without a pin, a clear refusal."""

from __future__ import annotations

import pytest
from django.test import Client

from registrations.geocoding import geocode
from registrations.models import Registration
from tests.registrations.helpers import form_data, post
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

UNKNOWN = "4417 Quixote Blvd"
FLAG = "Address not in the address table — check the pin"


@pytest.fixture
def terms(town):
    return town["maple"].current_terms()


@pytest.fixture
def maple_pin(town):
    point = geocode("101 1st St").point
    return {"latitude": str(point.latitude + 0.0001), "longitude": str(point.longitude)}


def test_a_pin_placed_by_hand_registers_the_address_as_typed_and_flags_it(client, town, terms, maple_pin):
    response = post(client, form_data(terms.pk, street_address=UNKNOWN, **maple_pin))
    assert response.status_code == 302, response.content.decode()[:3000]
    registration = Registration.objects.get(street_address=UNKNOWN)
    assert registration.address_not_in_table
    assert registration.agency == town["maple"]
    assert registration.latitude == pytest.approx(float(maple_pin["latitude"]))


def test_an_address_from_the_table_is_not_flagged(client, town, terms, maple_pin):
    assert post(client, form_data(terms.pk, street_address="101 1st Street", **maple_pin)).status_code == 302
    assert not Registration.objects.get(street_address="101 1st Street").address_not_in_table


def test_a_pin_outside_every_jurisdiction_is_refused(client, town, terms):
    response = post(client, form_data(terms.pk, street_address=UNKNOWN, latitude="41.2", longitude="-88.9"))
    assert response.status_code == 400
    assert "outside the area served" in response.content.decode()
    assert not Registration.objects.filter(street_address=UNKNOWN).exists()


def test_without_a_pin_an_unknown_address_is_refused_with_a_clear_message(client, town, terms):
    response = post(client, form_data(terms.pk, street_address=UNKNOWN))
    assert response.status_code == 400
    page = response.content.decode()
    assert "We could not find “4417 Quixote Blvd” in the address table" in page
    assert "The map location is not valid" not in page
    assert not Registration.objects.filter(street_address=UNKNOWN).exists()


def test_without_a_pin_a_typo_is_refused_naming_the_likely_address(client, town, terms):
    response = post(client, form_data(terms.pk, street_address="101 1sst St"))
    assert response.status_code == 400
    assert "Did you mean 101 1st St" in response.content.decode()


def test_without_a_pin_the_spanish_page_explains_in_spanish(client, town, terms):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    response = post(client, form_data(terms.pk, street_address=UNKNOWN))
    assert response.status_code == 400
    assert "No encontramos “4417 Quixote Blvd” en la tabla de direcciones" in response.content.decode()


def test_the_lookup_answers_in_spanish(client, town):
    body = client.get("/register/geocode", {"address": UNKNOWN}, HTTP_ACCEPT_LANGUAGE="es").json()
    assert "Aún puede registrarse" in body["message"]


def test_addresses_typed_by_residents_never_become_suggestions(client, town, terms, maple_pin):
    assert post(client, form_data(terms.pk, street_address=UNKNOWN, **maple_pin)).status_code == 302
    body = client.get("/register/geocode", {"address": "4417 Quixote Boulevard"}).json()
    assert body["found"] is False
    assert all("Quixote" not in suggestion for suggestion in body["suggestions"])


def test_staff_see_the_flag_and_other_agencies_see_nothing(client, town, terms, maple_pin):
    post(client, form_data(terms.pk, street_address=UNKNOWN, **maple_pin))
    registration = Registration.objects.get(street_address=UNKNOWN)
    supervisor = staff_client(Client(), make_staff(town["maple"], "supervisor"))
    assert FLAG in supervisor.get(f"/staff/registrations/{registration.public_id}/").content.decode()
    assert FLAG in supervisor.get(f"/staff/admin/registrations/{registration.public_id}/").content.decode()
    outsider = staff_client(Client(), make_staff(town["cedar"], "supervisor"))
    assert outsider.get(f"/staff/registrations/{registration.public_id}/").status_code == 404
    assert outsider.get(f"/staff/admin/registrations/{registration.public_id}/").status_code == 404
    assert Client().get(f"/staff/registrations/{registration.public_id}/").status_code in (302, 403)
