"""What an owner can do with their own registration once the link opened a session."""

from __future__ import annotations

import pytest
from django.core import mail

from agencies.models import TermsVersion
from agencies.selectors import agency_for_point
from audit.models import AuditEntry
from owners.forms import OwnerCameraForm, OwnerRegistrationForm
from owners.models import StatusReport
from registrations.models import AddressPoint, Camera, ConsentRecord, Registration
from tests.owners.helpers import a_registration_with_email, committing, owner_client, run_tasks

pytestmark = pytest.mark.django_db


def edit_data(registration: Registration, **overrides) -> dict:
    data = {
        key: ("" if value is None else value) for key, value in OwnerRegistrationForm.initial_for(registration).items()
    }
    cameras = list(registration.cameras.all())
    data |= {
        "cameras-TOTAL_FORMS": str(len(cameras)),
        "cameras-INITIAL_FORMS": "0",
        "cameras-MIN_NUM_FORMS": "1",
        "cameras-MAX_NUM_FORMS": "30",
    }
    for index, camera in enumerate(cameras):
        for key, value in OwnerCameraForm.initial_for(camera).items():
            data[f"cameras-{index}-{key}"] = "" if value is None else value
    data.update(overrides)
    return data


@pytest.mark.slow
def test_it_shows_everything_the_owner_registered(town):
    registration = a_registration_with_email(town["maple"])
    page = owner_client(registration).get("/manage/edit/").content.decode()
    assert registration.owner_phone in page and registration.owner_email in page
    assert f'name="cameras-TOTAL_FORMS" value="{registration.cameras.count()}"' in page


def test_it_saves_contact_and_camera_changes(town):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    first_camera = registration.cameras.first()
    response = owner.post(
        "/manage/edit/",
        edit_data(
            registration,
            owner_phone="(708) 555-0199",
            owner_email="New.Address@Example.com",
            **{"cameras-0-retention_days": "21", "cameras-0-description": "Alley behind the garage"},
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    registration.refresh_from_db()
    assert registration.owner_phone == "708-555-0199"
    assert registration.owner_email == "new.address@example.com"
    first_camera.refresh_from_db()  # updated in place, so canvass history that points at it stays valid
    assert first_camera.retention_days == 21 and first_camera.description == "Alley behind the garage"
    entry = AuditEntry.objects.filter(action="owner.update").last()
    assert "708" not in str(entry.parameters) and "example.com" not in str(entry.parameters)


def test_it_adds_and_removes_cameras(town):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    count = registration.cameras.count()
    data = edit_data(registration)
    data["cameras-TOTAL_FORMS"] = str(count + 1)
    data |= {
        f"cameras-{count}-locations": ["alley"],
        f"cameras-{count}-records_street": "no",
        f"cameras-{count}-retention_days": "7",
        f"cameras-{count}-exports_common_format": "yes",
    }
    data["cameras-0-DELETE"] = "on"
    assert owner.post("/manage/edit/", data).status_code == 302
    assert registration.cameras.count() == count
    assert registration.cameras.filter(locations=["alley"]).exists()


def test_it_refuses_another_registrations_camera_id(town):
    registration = a_registration_with_email(town["maple"])
    foreign = Camera.objects.exclude(registration=registration).first()
    owner = owner_client(registration)
    response = owner.post(
        "/manage/edit/",
        edit_data(registration, **{"cameras-0-camera_id": str(foreign.pk), "cameras-0-description": "hijack"}),
    )
    assert response.status_code == 400
    assert "is not one of your cameras" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.description != "hijack"


def test_it_explains_each_wrong_field_and_saves_nothing(town):
    registration = a_registration_with_email(town["maple"])
    before = (registration.owner_name, registration.owner_phone)
    owner = owner_client(registration)
    response = owner.post(
        "/manage/edit/",
        edit_data(registration, owner_name="", owner_phone="call me maybe", **{"cameras-0-retention_days": "9999"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter your name." in page and "Enter at most 365 days." in page
    registration.refresh_from_db()
    assert (registration.owner_name, registration.owner_phone) == before


def test_a_new_address_is_geocoded_and_moves_to_the_agency_that_serves_it(town):
    registration = a_registration_with_email(town["maple"])
    cedar_point = next(
        p for p in AddressPoint.objects.order_by("id") if agency_for_point(p.latitude, p.longitude) == town["cedar"]
    )
    owner = owner_client(registration)
    response = owner.post("/manage/edit/", edit_data(registration, street_address=cedar_point.address.split(",")[0]))
    assert response.status_code == 302, response.content.decode()[:3000]
    registration.refresh_from_db()
    assert registration.agency == town["cedar"]
    assert (registration.latitude, registration.longitude) == (cedar_point.latitude, cedar_point.longitude)
    assert registration.status == "pending"
    # The new agency's terms were never accepted, so the owner is asked to.
    assert "updated its program terms" in owner.get("/manage/").content.decode()


def test_an_unknown_address_is_refused_with_a_message(town):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    response = owner.post("/manage/edit/", edit_data(registration, street_address="99999 Nowhere Boulevard"))
    assert response.status_code == 400
    assert "could not find this address" in response.content.decode()
    registration.refresh_from_db()
    assert registration.street_address != "99999 Nowhere Boulevard"


def test_hostile_text_is_stored_as_text_and_escaped(town):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    refused = owner.post("/manage/edit/", edit_data(registration, owner_name="Bob\x00"))
    assert refused.status_code == 400 and "Null characters are not allowed" in refused.content.decode()
    response = owner.post("/manage/edit/", edit_data(registration, owner_name="<script>alert(1)</script>Bob"))
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.owner_name == "<script>alert(1)</script>Bob"
    assert "<script>alert(1)" not in owner.get("/manage/").content.decode()


@pytest.mark.parametrize("kind,paused", [("no_cameras", True), ("moved", True), ("locations_changed", False)])
def test_a_status_report_notifies_the_agency_by_email(town, kind, paused):
    registration = a_registration_with_email(town["maple"])
    owner = owner_client(registration)
    with committing():
        response = owner.post("/manage/status/", {"kind": kind, "note": "Sold the house"})
    assert response.status_code == 200
    run_tasks()
    assert mail.outbox[-1].to == [town["maple"].contact_email]
    assert str(registration.public_id) in mail.outbox[-1].body
    assert StatusReport.objects.get(registration=registration).kind == kind
    registration.refresh_from_db()
    assert (registration.status == "paused") is paused


def test_a_status_report_needs_a_kind(town):
    owner = owner_client(a_registration_with_email(town["maple"]))
    response = owner.post("/manage/status/", {"kind": "burned_down"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode() or "Choose what changed" in response.content.decode()
    assert not StatusReport.objects.exists()


def test_pause_and_resume(town):
    registration = a_registration_with_email(town["maple"])
    registration.status = "active"
    registration.verified_at = registration.created_at
    registration.save()
    owner = owner_client(registration)
    owner.post("/manage/pause/")
    registration.refresh_from_db()
    assert registration.status == "paused"
    owner.post("/manage/resume/")
    registration.refresh_from_db()
    assert registration.status == "active"


def test_it_asks_for_consent_to_newer_terms_and_records_it(town):
    registration = a_registration_with_email(town["maple"])
    old = town["maple"].current_terms()
    new = TermsVersion.objects.create(
        agency=town["maple"], version=old.version + 1, text_en="New terms: footage kept 90 days."
    )
    owner = owner_client(registration)
    assert "updated its program terms" in owner.get("/manage/").content.decode()
    page = owner.get("/manage/consent/").content.decode()
    assert "footage kept 90 days" in page
    assert owner.post("/manage/consent/", {"terms_version": new.pk}).status_code == 400  # box not ticked
    stale = owner.post("/manage/consent/", {"terms_version": old.pk, "consent": "on"})
    assert stale.status_code == 400 and "terms changed" in stale.content.decode()
    assert owner.post("/manage/consent/", {"terms_version": new.pk, "consent": "on"}).status_code == 302
    record = ConsentRecord.objects.get(registration=registration, terms_version=new)
    assert record.source == "self_service"
    assert "updated its program terms" not in owner.get("/manage/").content.decode()
