"""The agency setting "registrations per hour from one network" and its event mode, from the staff side."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from audit.models import AuditEntry
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/staff/admin/settings/"
NOW = dt.datetime(2026, 12, 5, 14, 5, tzinfo=dt.UTC)  # 8:05 a.m. in Maple Falls


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


def limits(everyday="20", event="", until="") -> dict[str, str]:
    return {
        "action": "registration_limits",
        "registrations_per_hour_per_network": everyday,
        "registration_event_limit_per_hour": event,
        "registration_event_until": until,
    }


def maple_admin(town) -> Client:
    return staff_client(Client(), make_staff(town["maple"], "administrator"))


def test_an_administrator_sets_the_everyday_limit_and_it_is_audited(town):
    chief = maple_admin(town)
    response = chief.post(SETTINGS_URL, limits(everyday="45"))
    assert response.status_code == 302
    town["maple"].refresh_from_db()
    assert town["maple"].registrations_per_hour_per_network == 45
    entry = AuditEntry.objects.filter(action="agency.settings_change", agency=town["maple"]).latest("id")
    assert entry.parameters["changed"] == {"registrations_per_hour_per_network": [20, 45]}
    assert "Registration limits saved." in chief.get(SETTINGS_URL).content.decode()


def test_event_mode_ends_by_clearing_both_fields(town):
    chief = maple_admin(town)
    assert chief.post(SETTINGS_URL, limits(event="150", until="2026-12-05T18:00")).status_code == 302
    town["maple"].refresh_from_db()
    assert town["maple"].registration_limit_per_hour(NOW) == 150
    assert town["maple"].registration_limit_per_hour(dt.datetime(2026, 12, 6, 0, 1, tzinfo=dt.UTC)) == 20
    assert chief.post(SETTINGS_URL, limits()).status_code == 302
    town["maple"].refresh_from_db()
    assert town["maple"].registration_event_until is None and town["maple"].registration_limit_per_hour(NOW) == 20


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"everyday": "1000000000000000000000000"}, "Enter a whole number from 1 to 200."),
        ({"everyday": "9" * 5000}, "Enter a whole number from 1 to 200."),
        ({"everyday": "-5"}, "Enter a whole number from 1 to 200."),
        ({"everyday": "0"}, "Enter a whole number from 1 to 200."),
        ({"everyday": "201"}, "Enter a whole number from 1 to 200."),
        ({"everyday": "twenty"}, "Enter a whole number from 1 to 200."),
        ({"everyday": ""}, "This field is required."),
        ({"everyday": "2.5"}, "Enter a whole number from 1 to 200."),
        ({"event": "1001", "until": "2026-12-05T18:00"}, "Enter a whole number from 1 to 1000."),
        ({"event": "lots", "until": "2026-12-05T18:00"}, "Enter a whole number from 1 to 1000."),
        ({"event": "10", "until": "2026-12-05T18:00"}, "at least the everyday limit (20 per hour)"),
        ({"event": "100"}, "Enter when the event ends, or clear the event limit."),
        ({"until": "2026-12-05T18:00"}, "Enter the event limit that applies until the end time."),
        ({"event": "100", "until": "tomorrow evening"}, "Enter a date and time, e.g. 2026-06-13 18:00."),
        ({"event": "100", "until": "2026-12-05T07:00"}, "The event end must be in the future."),
        ({"event": "100", "until": "2027-02-01T07:00"}, "Event mode can last at most 31 days from now"),
        ({"event": "100", "until": "9999-12-31T23:59"}, "Event mode can last at most 31 days from now"),
        ({"event": "100", "until": "0001-01-01T00:00"}, "The event end must be in the future."),
        ({"event": "100", "until": "2026-13-45T99:99"}, "Enter a date and time, e.g. 2026-06-13 18:00."),
    ],
)
def test_hostile_values_get_a_clear_form_error_and_change_nothing(town, values, message):
    chief = maple_admin(town)
    before = AuditEntry.objects.filter(action="agency.settings_change").count()
    response = chief.post(SETTINGS_URL, limits(**values))
    assert response.status_code == 200
    assert message in response.content.decode()
    town["maple"].refresh_from_db()
    assert town["maple"].registrations_per_hour_per_network == 20
    assert town["maple"].registration_event_limit_per_hour is None and town["maple"].registration_event_until is None
    assert AuditEntry.objects.filter(action="agency.settings_change").count() == before


def test_another_agencys_administrator_changes_only_their_own_agency(town):
    cedar_chief = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    response = cedar_chief.post(SETTINGS_URL, limits(everyday="150", event="900", until="2026-12-05T18:00"))
    assert response.status_code == 302
    town["maple"].refresh_from_db()
    town["cedar"].refresh_from_db()
    assert town["maple"].registrations_per_hour_per_network == 20
    assert town["maple"].registration_event_limit_per_hour is None
    assert town["cedar"].registrations_per_hour_per_network == 150
    # There is no way to name another agency: an agency field in the post is ignored.
    cedar_chief.post(SETTINGS_URL, {**limits(everyday="7"), "agency": str(town["maple"].pk)})
    town["maple"].refresh_from_db()
    assert town["maple"].registrations_per_hour_per_network == 20


def test_anonymous_and_other_roles_cannot_reach_the_setting(town):
    anonymous = Client()
    response = anonymous.get(SETTINGS_URL)
    assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]
    response = anonymous.post(SETTINGS_URL, limits(everyday="200"))
    assert response.status_code in (302, 403)
    for role in ("investigator", "supervisor", "auditor"):
        staff = staff_client(Client(), make_staff(town["maple"], role))
        assert staff.get(SETTINGS_URL).status_code == 403
        assert staff.post(SETTINGS_URL, limits(everyday="200")).status_code == 403
    town["maple"].refresh_from_db()
    assert town["maple"].registrations_per_hour_per_network == 20
