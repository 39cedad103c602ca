"""A registration drive on shared Wi-Fi: many residents, one client address, within an hour.

Only completed registrations count toward the agency's limit per network; failed submissions and
no-JavaScript "Add another camera" posts do not. Past the limit the resident gets the form back,
filled in, with when to send it and whom to call; an administrator raises the limit for an event.
Time is controlled by replacing django.utils.timezone.now (the rate-limit windows read it), never slept.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from agencies.models import Agency
from agencies.selectors import agency_for_point
from audit.models import AuditEntry
from registrations.models import AddressPoint, Registration
from tests.registrations.helpers import camera_fields, form_data, post
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

LIBRARY_WIFI = "198.51.100.23"
SETTINGS_URL = "/staff/admin/settings/"
# Saturday 5 December 2026, 8:05 a.m. in Maple Falls (America/Chicago, UTC-6): the drive opens.
DRIVE_OPENS = dt.datetime(2026, 12, 5, 14, 5, tzinfo=dt.UTC)


class Clock:
    """A controllable django.utils.timezone.now."""

    def __init__(self, monkeypatch, start: dt.datetime):
        self.now = start
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, DRIVE_OPENS)


@pytest.fixture
def maple_addresses(town):
    """Real addresses of the Maple Falls address table, one per resident at the drive."""
    maple = town["maple"]
    points = [
        p for p in AddressPoint.objects.order_by("id")[:400] if agency_for_point(p.latitude, p.longitude) == maple
    ]
    assert len(points) >= 30
    return [p.address for p in points]


def resident(town, number: int, address: str, cameras: int = 2) -> dict[str, object]:
    """The answers of the number-th resident at the drive, with two cameras."""
    data = form_data(
        town["maple"].current_terms().pk,
        cameras=cameras,
        street_address=address,
        owner_name=f"Resident Number{number}",
        owner_phone=f"(708) 555-{1000 + number:04d}",
        owner_email=f"resident{number}@example.com",
        notes_for_detectives=f"Recorder {number} in the hall closet",
    )
    data.update(camera_fields(1, description=f"Alley behind number {number}", bearing_degrees="270", brand="Reolink"))
    return data


def library_client() -> Client:
    return Client(REMOTE_ADDR=LIBRARY_WIFI)


def register_with_a_mistake_first(client: Client, data: dict) -> object:
    """As people do: forget the phone, then press "Add another camera" without JavaScript, then send."""
    mistake = dict(data, owner_phone="")
    assert post(client, mistake).status_code == 400
    another = dict(data, add_camera="1")
    assert post(client, another).status_code == 200
    return post(client, data)


@pytest.mark.slow
def test_a_registration_drive_registers_twelve_households_from_one_library_connection(town, clock, maple_addresses):
    before = Registration.objects.count()
    for number in range(12):
        client = library_client()  # each resident on their own phone, all behind the library's address
        response = register_with_a_mistake_first(client, resident(town, number, maple_addresses[number]))
        assert response.status_code == 302, response.content.decode()[:3000]
        assert response["Location"] == "/register/thanks/"
        clock.advance(minutes=3)
    assert Registration.objects.count() == before + 12
    assert Registration.objects.filter(street_address=maple_addresses[11]).exists()
    assert Registration.objects.order_by("-id").first().cameras.count() == 2


@pytest.mark.slow
def test_past_the_limit_the_resident_keeps_every_answer_and_learns_when_to_send(town, clock, maple_addresses):
    town["maple"].refresh_from_db()
    assert town["maple"].registrations_per_hour_per_network == 20  # the default
    for number in range(20):  # 60 posts in all: 20 failures, 20 "add another camera", 20 registrations
        assert (
            register_with_a_mistake_first(library_client(), resident(town, number, maple_addresses[number])).status_code
            == 302
        )
    late = library_client()
    answers = resident(town, 20, maple_addresses[20])
    response = post(late, answers)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'id="registration-form"' in page  # the form, not an error page
    assert "Your registration is not sent yet: please send it again after 9 a.m." in page
    assert "Maple Falls Police Department" in page and "708-555-0100" in page
    assert "can raise the limit for the event" in page
    for value in (
        "Resident Number20",
        "(708) 555-1020",
        "resident20@example.com",
        maple_addresses[20],
        "Recorder 20 in the hall closet",
        "Alley behind number 20",
        "Reolink",
        "The roadway in front of the house",
    ):
        assert value in page, value
    assert re.search(r'name="consent"[^>]*checked|checked[^>]*name="consent"', page)
    assert re.search(r"<option value=\"270\" selected>", page.split("cameras-1-bearing_degrees", 1)[1])
    assert 'value="2" id="id_cameras-TOTAL_FORMS"' in page or 'id="id_cameras-TOTAL_FORMS" value="2"' in page
    assert not any(r.owner_name == "Resident Number20" for r in Registration.objects.filter(agency=town["maple"]))

    # Another network is not affected; after the hour turns, the same answers go through.
    assert post(Client(REMOTE_ADDR="203.0.113.50"), resident(town, 40, maple_addresses[21])).status_code == 302
    clock.advance(minutes=55)  # 9:00 a.m.
    assert post(late, answers).status_code == 302
    assert any(r.owner_name == "Resident Number20" for r in Registration.objects.filter(agency=town["maple"]))


def test_the_limit_message_is_in_spanish(town, clock, maple_addresses):
    maple = town["maple"]
    maple.registrations_per_hour_per_network = 1
    maple.save()
    client = library_client()
    client.post("/i18n/setlang/", {"language": "es", "next": "/register/"})
    assert post(client, resident(town, 1, maple_addresses[1])).status_code == 302
    response = post(client, resident(town, 2, maple_addresses[2]))
    assert response.status_code == 429
    page = response.content.decode()
    assert "Su registro aún no se envió: vuelva a enviarlo después de las 09:00" in page
    assert "puede aumentar el límite para el evento" in page
    assert "Resident Number2" in page


@pytest.mark.slow
def test_failed_submissions_and_added_cameras_do_not_count(town, clock, maple_addresses):
    maple = town["maple"]
    maple.registrations_per_hour_per_network = 2
    maple.save()
    client = library_client()
    broken = resident(town, 0, maple_addresses[0])
    for _ in range(25):
        assert post(client, dict(broken, owner_phone="12")).status_code == 400
        assert post(client, dict(broken, add_camera="1")).status_code == 200
        assert post(client, dict(broken, **{"cameras-0-retention_days": "9999"})).status_code == 400
    # Refused by the service after the place was taken (the pin dragged far away): given back.
    far = resident(town, 0, maple_addresses[0])
    point = AddressPoint.objects.get(address=maple_addresses[0])
    for _ in range(5):
        refused = post(client, dict(far, latitude=str(point.latitude + 0.01), longitude=str(point.longitude)))
        assert refused.status_code == 400 and "too far from the address" in refused.content.decode()
    assert post(client, resident(town, 1, maple_addresses[1])).status_code == 302
    assert post(client, resident(town, 2, maple_addresses[2])).status_code == 302
    assert post(client, resident(town, 3, maple_addresses[3])).status_code == 429


@pytest.mark.slow
def test_an_administrator_raises_the_limit_for_the_event(town, clock, maple_addresses):
    maple = town["maple"]
    for number in range(20):
        assert post(library_client(), resident(town, number, maple_addresses[number])).status_code == 302
    waiting = resident(town, 20, maple_addresses[20])
    assert post(library_client(), waiting).status_code == 429

    chief = staff_client(Client(), make_staff(maple, "administrator", username="chief.maple"))
    assert "Registrations per hour from one network" in chief.get(SETTINGS_URL).content.decode()
    response = chief.post(
        SETTINGS_URL,
        {
            "action": "registration_limits",
            "registrations_per_hour_per_network": "20",
            "registration_event_limit_per_hour": "80",
            "registration_event_until": "2026-12-05T14:00",  # 2 p.m. in Maple Falls
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    maple.refresh_from_db()
    assert maple.registration_event_limit_per_hour == 80
    assert maple.registration_event_until == dt.datetime(2026, 12, 5, 20, 0, tzinfo=dt.UTC)
    entry = AuditEntry.objects.filter(action="agency.settings_change", agency=maple).latest("id")
    assert entry.actor_id and set(entry.parameters["changed"]) == {
        "registration_event_limit_per_hour",
        "registration_event_until",
    }
    assert entry.parameters["changed"]["registration_event_limit_per_hour"] == [None, 80]

    assert post(library_client(), waiting).status_code == 302  # the resident's kept form goes through
    for number in range(21, 30):
        assert post(library_client(), resident(town, number, maple_addresses[number])).status_code == 302

    # After the event the everyday limit applies again.
    clock.now = dt.datetime(2026, 12, 5, 20, 30, tzinfo=dt.UTC)
    for number in range(20):
        assert post(library_client(), resident(town, 100 + number, maple_addresses[number])).status_code == 302
    assert post(library_client(), resident(town, 120, maple_addresses[20])).status_code == 429


@pytest.mark.slow
def test_the_raw_post_cap_still_stops_a_flood(town, clock, maple_addresses, settings):
    assert settings.REGISTRATION_POST_LIMIT_PER_HOUR == 200  # the default; a smaller cap keeps the test quick
    settings.REGISTRATION_POST_LIMIT_PER_HOUR = 30
    Agency.objects.update(registrations_per_hour_per_network=4)  # 5 posts each: under the cap of 30
    script = Client(REMOTE_ADDR="192.0.2.66")
    statuses = [script.post("/register/", {"owner_name": f"spam {n}"}).status_code for n in range(30)]
    assert 429 not in statuses
    refused = post(script, resident(town, 1, maple_addresses[1]))
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "please send it again after 9 a.m." in page and "Resident Number1" in page
    assert not any(r.owner_name == "Resident Number1" for r in Registration.objects.all())
    assert post(library_client(), resident(town, 2, maple_addresses[2])).status_code == 302  # others unaffected
    clock.advance(hours=1)
    assert post(script, resident(town, 1, maple_addresses[1])).status_code == 302


@pytest.mark.slow
def test_the_post_cap_grows_with_an_event_limit(town, clock, maple_addresses, settings):
    maple = town["maple"]
    settings.REGISTRATION_POST_LIMIT_PER_HOUR = 30
    Agency.objects.update(registrations_per_hour_per_network=4)
    maple.refresh_from_db()
    maple.registration_event_limit_per_hour = 12
    maple.registration_event_until = DRIVE_OPENS + dt.timedelta(hours=3)
    maple.save()
    script = Client(REMOTE_ADDR="192.0.2.67")
    statuses = [script.post("/register/", {}).status_code for _ in range(59)]
    assert 429 not in statuses  # 5 posts per registration the event allows
    assert post(script, resident(town, 1, maple_addresses[1])).status_code == 302
    assert script.post("/register/", {}).status_code == 429


def test_ipv6_addresses_of_one_network_share_the_count(town, clock, maple_addresses):
    maple = town["maple"]
    maple.registrations_per_hour_per_network = 1
    maple.save()
    assert post(Client(REMOTE_ADDR="2001:db8:5:7::10"), resident(town, 1, maple_addresses[1])).status_code == 302
    assert post(Client(REMOTE_ADDR="2001:db8:5:7::99"), resident(town, 2, maple_addresses[2])).status_code == 429
    assert post(Client(REMOTE_ADDR="2001:db8:5:8::10"), resident(town, 3, maple_addresses[3])).status_code == 302
