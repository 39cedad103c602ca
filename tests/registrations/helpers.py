"""Valid form data for the public registration, to be broken one field at a time by tests."""

from __future__ import annotations

from django.test import Client, TestCase

from registrations.form_nonce import new_form_nonce as _new_nonce


def camera_fields(index: int = 0, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        f"cameras-{index}-locations": ["front", "driveway"],
        f"cameras-{index}-records_street": "yes",
        f"cameras-{index}-description": "The roadway in front of the house",
        f"cameras-{index}-bearing_degrees": "180",
        f"cameras-{index}-field_of_view_degrees": "90",
        f"cameras-{index}-range_m": "30",
        f"cameras-{index}-retention_days": "14",
        f"cameras-{index}-exports_common_format": "yes",
        f"cameras-{index}-brand": "Lorex",
    }
    data.update({f"cameras-{index}-{key}": value for key, value in overrides.items()})
    return data


def form_data(terms_pk: int | None, cameras: int = 1, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "exterior": "yes",
        "records": "yes",
        "property_type": "residence",
        "business_name": "",
        "street_address": "101 1st St",
        "unit": "",
        "city": "",
        "postal_code": "",
        "latitude": "",
        "longitude": "",
        "owner_name": "Rosa Alvarez",
        "owner_phone": "(708) 555-0142",
        "owner_email": "rosa.alvarez@example.com",
        "preferred_contact_method": "phone",
        "contact_hours": "Evenings",
        "alternate_name": "",
        "alternate_phone": "",
        "alternate_email": "",
        "alternate_relation": "",
        "notes_for_detectives": "Recorder in the basement",
        "consent": "on",
        "website": "",
        "form_nonce": _new_nonce(),
        "terms_version": str(terms_pk) if terms_pk else "",
        "cameras-TOTAL_FORMS": str(cameras),
        "cameras-INITIAL_FORMS": "0",
        "cameras-MIN_NUM_FORMS": "1",
        "cameras-MAX_NUM_FORMS": "30",
    }
    for index in range(cameras):
        data.update(camera_fields(index))
    data.update(overrides)
    return data


def post(client: Client, data: dict[str, object]):
    # Tests run inside a transaction that never commits; run the on-commit work (queueing the email) anyway.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post("/register/", data)
