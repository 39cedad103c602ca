"""Bad and hostile input on every field of the public form: a clear error, nothing half-saved, never a 500."""

from __future__ import annotations

import pytest

from registrations.models import Camera, ConsentRecord, Registration
from tests.registrations.helpers import form_data, post

pytestmark = pytest.mark.django_db

TEXT_FIELDS = [
    "street_address",
    "unit",
    "city",
    "postal_code",
    "owner_name",
    "contact_hours",
    "alternate_relation",
    "notes_for_detectives",
    "business_name",
]
CAMERA_TEXT_FIELDS = ["description", "brand"]
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def counts() -> tuple[int, int, int]:
    return Registration.objects.count(), Camera.objects.count(), ConsentRecord.objects.count()


@pytest.fixture
def terms(town):
    return town["maple"].current_terms()


@pytest.mark.parametrize(
    "field",
    [
        "exterior",
        "records",
        "property_type",
        "street_address",
        "owner_name",
        "owner_phone",
        "consent",
        "preferred_contact_method",
        "form_nonce",
    ],
)
def test_each_required_field_left_empty_gets_a_message(client, terms, field):
    before = counts()
    data = form_data(terms.pk)
    data.pop(field)
    response = post(client, data)
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert counts() == before


@pytest.mark.slow
@pytest.mark.parametrize("field", TEXT_FIELDS + ["owner_email", "owner_phone", "alternate_name", "alternate_email"])
def test_ten_kilobytes_in_a_field_is_refused_clearly(client, terms, field):
    before = counts()
    response = post(client, form_data(terms.pk, property_type="business", **{field: "A" * 10_240}))
    assert response.status_code == 400
    assert "Ensure this value has at most" in response.content.decode() or "Enter a" in response.content.decode()
    assert counts() == before


@pytest.mark.slow
@pytest.mark.parametrize("field", CAMERA_TEXT_FIELDS)
def test_ten_kilobytes_in_a_camera_field_is_refused(client, terms, field):
    before = counts()
    data = form_data(terms.pk)
    data[f"cameras-0-{field}"] = "B" * 10_240
    response = post(client, data)
    assert response.status_code == 400
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner_email", "not-an-email", "Enter a valid email address"),
        ("owner_email", "a@b", "Enter a valid email address"),
        ("alternate_email", "x@@example.com", "Enter a valid email address"),
        ("owner_phone", "12345", "10-digit phone number"),
        ("owner_phone", "call me maybe", "digits, spaces, dashes"),
        ("owner_phone", "+1", "8 to 15 digits"),
        ("latitude", "not-a-number", "Enter a number"),
        ("latitude", "91", "less than or equal to 90"),
        ("longitude", "-181", "greater than or equal to -180"),
        ("property_type", "castle", "Select a valid choice"),
        ("preferred_contact_method", "pigeon", "Select a valid choice"),
        ("exterior", "maybe", "Select a valid choice"),
        ("terms_version", "abc", "Enter a whole number"),
    ],
)
@pytest.mark.slow
def test_invalid_values_get_a_message_naming_the_problem(client, terms, field, value, message):
    before = counts()
    response = post(client, form_data(terms.pk, **{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("retention_days", "0", "Enter at least 1 day."),
        ("retention_days", "366", "Enter at most 365 days."),
        ("retention_days", "seven", "Enter a whole number of days."),
        ("retention_days", "", "Enter how many days of footage it keeps."),
        ("bearing_degrees", "400", "Select a valid choice"),
        ("bearing_degrees", "north", "Select a valid choice"),
        ("field_of_view_degrees", "720", "Select a valid choice"),
        ("range_m", "-5", "Enter at least 2 feet."),
        ("range_m", "100000", "Enter at most 984 feet."),
        ("range_m", "1e309", "Enter a whole number of feet."),
        ("range_m", "eighty", "Enter a whole number of feet."),
        ("locations", [], "Choose where on the property this camera is."),
        ("locations", ["roof"], "Select a valid choice"),
        ("records_street", "perhaps", "Select a valid choice"),
    ],
)
@pytest.mark.slow
def test_invalid_camera_values_get_a_message(client, terms, field, value, message):
    before = counts()
    data = form_data(terms.pk)
    data[f"cameras-0-{field}"] = value
    response = post(client, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


@pytest.mark.slow
@pytest.mark.parametrize("total", ["0", "-1", "abc", "1000000", ""])
def test_a_tampered_camera_count_is_handled(client, terms, total):
    before = counts()
    data = form_data(terms.pk)
    data["cameras-TOTAL_FORMS"] = total
    response = post(client, data)
    assert response.status_code in (200, 302, 400)
    if response.status_code != 302:
        assert counts() == before


def test_deleting_every_camera_is_refused(client, terms):
    data = form_data(terms.pk)
    data["cameras-0-DELETE"] = "on"
    response = post(client, data)
    assert response.status_code == 400
    assert "Add at least one camera." in response.content.decode()


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_html_is_stored_as_text_and_rendered_escaped(client, terms, field):
    value = "101 1st St" if field == "street_address" else "<script>1</script>"
    data = form_data(terms.pk, property_type="business", business_name="Shop")
    data.update({field: value})
    if field == "alternate_relation":
        data.update(alternate_name="Bo Alvarez", alternate_phone="708-555-0111")
    response = post(client, data)
    assert response.status_code == 302, response.content.decode()[:500]
    registration = Registration.objects.order_by("-id").first()
    assert getattr(registration, field) == value
    page = client.get("/register/thanks/").content.decode()
    assert "<script>alert" not in page


def test_html_in_an_invalid_submission_is_echoed_escaped(client, terms):
    response = post(client, form_data(terms.pk, owner_name=SCRIPT, owner_phone="bad"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


@pytest.mark.slow
def test_null_bytes_are_refused(client, terms):
    before = counts()
    response = post(client, form_data(terms.pk, owner_name="Rosa\x00Alvarez"))
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert counts() == before


def test_business_needs_a_name(client, terms):
    response = post(client, form_data(terms.pk, property_type="business", business_name=""))
    assert response.status_code == 400
    assert "Enter the name of the business." in response.content.decode()


def test_email_contact_needs_an_email(client, terms):
    response = post(client, form_data(terms.pk, preferred_contact_method="email", owner_email=""))
    assert response.status_code == 400
    assert "Enter an email address, or choose another way to be contacted." in response.content.decode()


def test_alternate_details_without_a_name_are_refused(client, terms):
    response = post(client, form_data(terms.pk, alternate_phone="708-555-0199"))
    assert response.status_code == 400
    assert "alternate person" in response.content.decode()


def test_a_post_that_is_not_a_form_is_a_clear_400(client, terms):
    response = client.post("/register/", data=b"\x00\xff garbage", content_type="application/octet-stream")
    assert response.status_code == 400


@pytest.mark.parametrize("query", ["", "a", "x" * 5000, "<script>", "' OR 1=1 --"])
def test_geocode_endpoint_handles_odd_queries(client, town, query):
    response = client.get("/register/geocode", {"address": query})
    assert response.status_code in (200, 400)
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "params",
    [{}, {"lat": "x", "lon": "1"}, {"lat": "nan", "lon": "0"}, {"lat": "95", "lon": "0"}, {"lat": "inf", "lon": "0"}],
)
def test_agency_endpoint_rejects_bad_points(client, town, params):
    response = client.get("/register/agency", params)
    assert response.status_code == 400
    assert "error" in response.json()
