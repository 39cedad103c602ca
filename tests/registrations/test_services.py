"""Registration rules in the service layer, independent of the web form."""

from __future__ import annotations

import pytest

from agencies.selectors import agency_for_point
from registrations import services
from registrations.geocoding import geocode, normalize_address
from registrations.models import Registration
from registrations.validators import normalize_phone

pytestmark = pytest.mark.django_db


def valid_input(**overrides) -> services.RegistrationInput:
    point = geocode("101 1st St").point
    data = services.RegistrationInput(
        property_type="residence",
        street_address="101 1st St",
        latitude=point.latitude,
        longitude=point.longitude,
        owner_name="Ana Lopez",
        owner_phone="708 555 0101",
        owner_email="Ana.Lopez@Example.com",
        confirms_exterior_cameras=True,
        confirms_records_and_keeps_video=True,
        cameras=[services.CameraInput(locations=["front"], records_street=True, retention_days=7)],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def rejected(town, **overrides) -> dict[str, list[str]]:
    with pytest.raises(services.RegistrationRejected) as caught:
        services.registration_create(data=valid_input(**overrides), terms=town["maple"].current_terms())
    return caught.value.message_dict


def test_it_creates_a_valid_registration(town):
    registration = services.registration_create(data=valid_input(), terms=town["maple"].current_terms())
    assert registration.agency == town["maple"]
    assert registration.owner_phone == "708-555-0101"
    assert registration.owner_email == "ana.lopez@example.com"
    assert registration.owner_email_hash and registration.owner_email_hash != "ana.lopez@example.com"
    assert registration.cameras.count() == 1
    assert registration.consents.get().source == "web_form"


def test_lookup_by_email_uses_the_keyed_hash(town):
    from cameraregistry.crypto import lookup_hash

    registration = services.registration_create(data=valid_input(), terms=town["maple"].current_terms())
    assert Registration.objects.get(owner_email_hash=lookup_hash("  ANA.LOPEZ@example.com ")) == registration


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"confirms_exterior_cameras": False}, "confirms_exterior_cameras"),
        ({"confirms_records_and_keeps_video": False}, "confirms_records_and_keeps_video"),
        ({"property_type": "business"}, "business_name"),
        ({"property_type": "spaceship"}, "property_type"),
        ({"street_address": ""}, "street_address"),
        ({"owner_name": "   "}, "owner_name"),
        ({"owner_phone": ""}, "owner_phone"),
        ({"owner_phone": "555"}, "owner_phone"),
        ({"owner_email": "nope"}, "owner_email"),
        ({"preferred_contact_method": "email", "owner_email": ""}, "owner_email"),
        ({"alternate_phone": "708-555-0100"}, "alternate_name"),
        ({"alternate_name": "Bo"}, "alternate_phone"),
        ({"latitude": float("nan")}, "location"),
        ({"latitude": 95.0}, "location"),
        ({"cameras": []}, "cameras"),
    ],
)
def test_each_rule_is_enforced(town, overrides, field):
    assert field in rejected(town, **overrides)


@pytest.mark.parametrize(
    "camera",
    [
        services.CameraInput(locations=[], records_street=False, retention_days=7),
        services.CameraInput(locations=["roof"], records_street=False, retention_days=7),
        services.CameraInput(locations=["front"], records_street=False, retention_days=0),
        services.CameraInput(locations=["front"], records_street=False, retention_days=400),
        services.CameraInput(locations=["front"], records_street=False, retention_days=7, bearing_degrees=360),
        services.CameraInput(locations=["front"], records_street=False, retention_days=7, field_of_view_degrees=0),
        services.CameraInput(locations=["front"], records_street=False, retention_days=7, range_m=301),
    ],
)
def test_camera_rules_are_enforced(town, camera):
    assert "camera 1" in rejected(town, cameras=[camera])


def test_too_many_cameras_are_refused(town):
    camera = services.CameraInput(locations=["front"], records_street=False, retention_days=7)
    assert "cameras" in rejected(town, cameras=[camera] * (services.MAX_CAMERAS + 1))


def test_a_point_outside_every_jurisdiction_is_refused_and_nothing_saved(town):
    before = Registration.objects.count()
    errors = rejected(town, latitude=40.0, longitude=-80.0)
    assert "outside the area served" in " ".join(errors["street_address"])
    assert Registration.objects.count() == before


def test_consent_must_be_to_the_serving_agencys_current_terms(town):
    from agencies.services import terms_publish

    old = town["maple"].current_terms()
    terms_publish(agency=town["maple"], text_en="New terms")
    with pytest.raises(services.RegistrationRejected) as caught:
        services.registration_create(data=valid_input(), terms=old)
    assert "consent" in caught.value.message_dict


def test_control_characters_are_stripped(town):
    registration = services.registration_create(
        data=valid_input(owner_name="Ana\x07 Lopez\x1b"), terms=town["maple"].current_terms()
    )
    assert registration.owner_name == "Ana Lopez"


def test_agency_assignment_follows_the_boundary(town):
    maple, cedar = town["maple"], town["cedar"]
    west = maple.min_longitude + 0.001
    east = cedar.max_longitude - 0.001
    middle_latitude = (maple.min_latitude + maple.max_latitude) / 2
    assert agency_for_point(middle_latitude, west) == maple
    assert agency_for_point(middle_latitude, east) == cedar
    assert agency_for_point(maple.max_latitude + 0.01, west) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("101 1st Street", "101 1ST ST"),
        ("  101  North Maple Avenue, Maple Falls, IL", "101 N MAPLE AVE"),
        ("7 Oak Ave Apt 4", "7 OAK AVE"),
        ("12 Elm St. #3", "12 ELM ST"),
        ("", ""),
    ],
)
def test_addresses_are_normalised(text, expected):
    assert normalize_address(text) == expected


def test_geocoder_suggests_nearby_numbers_on_the_same_street(town):
    result = geocode("150 1st St")
    assert result.point is None
    assert result.suggestions and all("1st St" in point.address for point in result.suggestions)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(708) 555-0100", "708-555-0100"),
        ("1-708-555-0100", "708-555-0100"),
        ("708.555.0100 ext 12", "708-555-0100 x12"),
        ("+52 55 1234 5678", "+525512345678"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "name", ["Protest", "Lawful assembly", "Demonstration at city hall", "First Amendment activity"]
)
def test_an_agency_cannot_make_a_protest_an_offense_type(town, name):
    from django.core.exceptions import ValidationError

    from agencies.models import OffenseType

    with pytest.raises(ValidationError):
        OffenseType(agency=town["maple"], name=name).full_clean()
    OffenseType(agency=town["maple"], name="Church burglary").full_clean()
