"""An owner sees everything they registered; a reported move reaches staff, with its note."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from audit.models import AuditEntry
from registrations.display import compass_word, facing
from registrations.models import Camera, Registration
from tests.owners.helpers import a_registration_with_email, committing, link_in, owner_client, run_tasks
from tests.staff_fixtures import make_staff, staff_client

LONG_NOTE = (
    "Gate code 4417#. The dog is friendly but loud — please call before 9 p.m.; the DVR is in the garage "
    "and my son Mateo (Spanish) knows how to export clips onto a USB stick."
)


def _filled(registration: Registration) -> Registration:
    registration.property_type = "business"
    registration.business_name = "Rosa's Bakery & Café"
    registration.alternate_name = "Mateo Álvarez"
    registration.alternate_relation = "son"
    registration.alternate_phone = "(555) 010-4477 ext. 2"
    registration.alternate_email = "mateo@example.org"
    registration.notes_for_detectives = LONG_NOTE
    registration.save()
    registration.cameras.all().delete()
    Camera.objects.create(
        registration=registration,
        locations=["front", "parking_lot"],
        records_street=True,
        description="The roadway at 1403 1st St and the bus stop",
        bearing_degrees=270,
        field_of_view_degrees=110,
        range_m=25,
        retention_days=14,
        exports_common_format="yes",
        brand="Lorex NVR",
    )
    Camera.objects.create(registration=registration, locations=["back"], retention_days=1)
    return registration


def test_the_owner_summary_shows_everything_they_registered(town):
    registration = _filled(a_registration_with_email(town["maple"]))
    page = owner_client(registration).get("/manage/").content.decode()
    for text in [
        "Rosa&#x27;s Bakery &amp; Café",
        "Mateo Álvarez",
        "(son)",
        "(555) 010-4477 ext. 2",
        "mateo@example.org",
        "Gate code 4417#",
        "Front, Parking lot — The roadway at 1403 1st St and the bus stop",
        "faces west (270°)",
        "110°",
        "about 80 ft",  # 25 m in a US agency,
        "14 days",
        "1 day",
        "Lorex NVR",
        "direction not given",
        "Your 2 cameras",
    ]:
        assert text in page, text
    assert "parking_lot" not in page


def test_business_name_is_shown_only_for_a_business(town):
    registration = _filled(a_registration_with_email(town["maple"]))
    registration.property_type = "residence"
    registration.save()
    page = owner_client(registration).get("/manage/").content.decode()
    assert "Rosa&#x27;s Bakery" not in page
    assert "Business name" not in page


def test_the_summary_is_in_spanish_for_a_spanish_speaker(town):
    registration = _filled(a_registration_with_email(town["maple"]))
    owner = owner_client(registration)
    owner.cookies.load({"django_language": "es"})
    page = owner.get("/manage/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "oeste" in page and "Sus 2 cámaras" in page


@pytest.mark.parametrize(
    "bearing,word", [(0, "north"), (44, "north-east"), (90, "east"), (200, "south"), (359, "north")]
)
def test_compass_words(bearing, word):
    assert compass_word(bearing) == word
    assert facing(bearing) == f"faces {word} ({bearing}°)"


def _report(town, kind: str, note: str = LONG_NOTE):
    registration = a_registration_with_email(town["maple"])
    registration.status, registration.verified_at = "active", registration.created_at
    registration.save()
    owner = owner_client(registration)
    with committing():
        assert owner.post("/manage/status/", {"kind": kind, "note": note}).status_code == 200
    return registration, owner


def test_after_a_move_the_owner_is_not_offered_resume_or_still_correct(town):
    registration, owner = _report(town, "moved")
    page = owner.get("/manage/").content.decode()
    assert "you told us" in page.lower() and "I moved away from this address" in page
    assert "Resume participation" not in page and "My details are still correct" not in page
    assert "Withdraw and erase my data" in page
    # A hand-made POST is refused with a message, and nothing changes.
    for path in ("/manage/resume/", "/manage/reconfirm/"):
        response = owner.post(path)
        assert response.status_code == 409
        assert "moved" in response.content.decode() or "reported a change" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "paused"


def test_after_no_cameras_the_owner_may_resume_with_new_cameras(town):
    registration, owner = _report(town, "no_cameras", note="")
    page = owner.get("/manage/").content.decode()
    assert "I have cameras again: resume" in page and "My details are still correct" not in page
    assert owner.post("/manage/resume/").status_code == 302
    registration.refresh_from_db()
    assert registration.status == "active"
    assert "My details are still correct" in owner.get("/manage/").content.decode()


def test_a_reported_move_reaches_staff_with_its_note_and_a_link(town):
    registration, _ = _report(town, "moved")
    run_tasks()
    message = mail.outbox[-1]
    assert "verification queue" not in message.body
    path = link_in(message.body, "/staff/registrations/")
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    page = investigator.get(path).content.decode()
    assert "Changes the owner reported" in page
    assert "I moved away from this address" in page and "Gate code 4417#" in page
    assert AuditEntry.objects.filter(action="registration.view", object_id=str(registration.public_id)).exists()


def test_another_agency_and_anonymous_do_not_see_the_report(town):
    registration, _ = _report(town, "moved")
    path = f"/staff/registrations/{registration.public_id}/"
    cedar = staff_client(Client(), make_staff(town["cedar"], "investigator"))
    assert cedar.get(path).status_code == 404
    anonymous = Client().get(path)
    assert anonymous.status_code in (302, 403) and "Gate code" not in anonymous.content.decode()


def test_another_owner_does_not_see_this_summary(town):
    registration = _filled(a_registration_with_email(town["maple"]))
    other = (
        Registration.objects.filter(agency=town["maple"]).exclude(pk=registration.pk).exclude(owner_email="").first()
    )
    page = owner_client(other).get("/manage/").content.decode()
    assert "Gate code 4417#" not in page and "Mateo Álvarez" not in page
