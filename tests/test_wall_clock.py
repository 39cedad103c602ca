"""Times typed on the nights clocks change: 1:30 a.m. happens twice in November and 2:30 a.m. never in March.

Django's own field refused both ("may be ambiguous or may not exist"), so an incident in that hour could not be
searched, nor its footage asked for. Maple Falls is on America/Chicago (the suite's TIME_ZONE).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from cameraregistry.wall_clock import WallClockDateTimeField, WallClockEndField, moment_on_the_clock
from canvass.models import CanvassSearch
from footage.models import FootageRequest
from tests.canvass.helpers import form_data
from tests.footage.helpers import make_case, owners_with_email
from tests.owners.helpers import committing, run_tasks
from tests.staff_fixtures import make_staff, staff_client

UTC = dt.UTC
FALL_BACK = "2026-11-01"  # 2:00 CDT becomes 1:00 CST: 1:00-1:59 happens twice
SPRING_FORWARD = "2026-03-08"  # 2:00 CST becomes 3:00 CDT: 2:00-2:59 never happens


def footage_form(case, start: str, end: str, message: str = "") -> dict:
    """The footage request form of `case` asking every chosen camera for the window typed."""
    cameras = [str(c.pk) for c in case.chosen_cameras.all()]
    return {"cameras": cameras, "window_start": start, "window_end": end, "message": message}


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        (
            f"{FALL_BACK}T01:30",
            dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
            dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC),
        ),
        (
            f"{SPRING_FORWARD}T02:30",
            dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            dt.datetime(2026, 3, 8, 8, 30, tzinfo=UTC),
        ),
        (f"{FALL_BACK}T03:00", dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC), dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC)),
        ("2026-07-04T21:15", dt.datetime(2026, 7, 5, 2, 15, tzinfo=UTC), dt.datetime(2026, 7, 5, 2, 15, tzinfo=UTC)),
    ],
)
def test_a_start_is_the_earlier_reading_and_an_end_the_later(typed, start, end):
    assert WallClockDateTimeField().clean(typed) == start
    assert WallClockEndField().clean(typed) == end


def test_an_ordinary_time_reads_as_djangos_field_reads_it():
    from django import forms

    for typed in ("2026-12-07T08:05", "2026-12-07 08:05:30", "2026-06-01T23:59", "2026-12-07T08:05+02:00"):
        assert WallClockDateTimeField().clean(typed) == forms.DateTimeField().clean(typed)


@pytest.mark.parametrize("typed", ["not a time", "2026-02-30T10:00", "2026-11-01T25:00", "\x00"])
def test_what_is_not_a_time_gets_the_fields_message(typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        WallClockEndField().clean(typed)
    assert refused.value.code == "invalid"


def test_the_last_representable_minute_is_left_to_the_forms_rules():
    assert WallClockEndField().clean("9999-12-31T23:59").year == 9999


def test_the_two_readings_are_an_hour_apart_only_on_those_nights():
    from zoneinfo import ZoneInfo

    chicago = ZoneInfo("America/Chicago")
    night = dt.datetime(2026, 11, 1, 1, 30)
    earlier, later = (moment_on_the_clock(night, chicago, latest=latest) for latest in (False, True))
    assert later - earlier == dt.timedelta(hours=1)
    noon = dt.datetime(2026, 11, 1, 12, 0)
    assert moment_on_the_clock(noon, chicago, latest=False) == moment_on_the_clock(noon, chicago, latest=True)


@pytest.mark.django_db
def test_an_incident_in_the_repeated_hour_is_searched_over_both_of_its_times(town):
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    data = form_data(town["maple"], window_start=f"{FALL_BACK}T01:10", window_end=f"{FALL_BACK}T01:40")
    response = investigator.post("/staff/canvass/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    search = CanvassSearch.objects.get()
    # 1:10 a.m. daylight time to 1:40 a.m. standard time: the robbery happened at one of them.
    assert (search.window_start, search.window_end) == (
        dt.datetime(2026, 11, 1, 6, 10, tzinfo=UTC),
        dt.datetime(2026, 11, 1, 7, 40, tzinfo=UTC),
    )
    results = investigator.get(response["Location"]).content.decode()
    assert "could not be interpreted" not in results and "couldn’t be interpreted" not in results


@pytest.mark.django_db
def test_footage_is_asked_for_a_skipped_hour_and_the_request_keeps_the_window(town):
    investigator = make_staff(town["maple"], "investigator")
    case = make_case(town["maple"], investigator, owners_with_email(town["maple"], 1))
    client = staff_client(Client(), investigator)
    message = "A window was broken around 2:30 a.m., as the victim's clock said."
    data = footage_form(case, f"{SPRING_FORWARD}T02:15", f"{SPRING_FORWARD}T02:45", message)
    with committing():
        response = client.post(f"/footage/staff/cases/{case.pk}/requests/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    footage_request = FootageRequest.objects.get(case=case)
    assert (footage_request.window_start, footage_request.window_end) == (
        dt.datetime(2026, 3, 8, 7, 15, tzinfo=UTC),
        dt.datetime(2026, 3, 8, 8, 45, tzinfo=UTC),
    )


@pytest.mark.django_db
def test_a_registration_drive_may_end_in_the_hour_clocks_skip(town, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: dt.datetime(2027, 3, 10, 15, 0, tzinfo=UTC))
    chief = staff_client(Client(), make_staff(town["maple"], "administrator"))
    form = {
        "action": "registration_limits",
        "registrations_per_hour_per_network": "20",
        "registration_event_limit_per_hour": "100",
        "registration_event_until": "2027-03-14T02:30",
    }
    response = chief.post("/staff/admin/settings/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    town["maple"].refresh_from_db()
    assert town["maple"].registration_event_until == dt.datetime(2027, 3, 14, 8, 30, tzinfo=UTC)  # 3:30 a.m. CDT


def test_a_repeated_time_is_shown_with_its_zone_and_every_other_time_as_before():
    from cameraregistry.templatetags.clock import clock

    first = dt.datetime(2026, 11, 1, 6, 10, tzinfo=UTC)  # 1:10 daylight time
    second = dt.datetime(2026, 11, 1, 7, 40, tzinfo=UTC)  # 1:40 standard time
    assert (clock(first, "Y-m-d H:i"), clock(second, "Y-m-d H:i")) == ("2026-11-01 01:10 CDT", "2026-11-01 01:40 CST")
    assert clock(dt.datetime(2026, 11, 1, 9, 0, tzinfo=UTC), "Y-m-d H:i") == "2026-11-01 03:00"
    assert clock(dt.datetime(2026, 3, 8, 8, 30, tzinfo=UTC), "Y-m-d H:i") == "2026-03-08 03:30"
    assert clock(None) == "" and clock("", "Y-m-d") == ""


@pytest.mark.django_db
def test_the_results_page_and_the_owners_email_say_which_1_oclock_hour(town):
    investigator = make_staff(town["maple"], "investigator")
    client = staff_client(Client(), investigator)
    data = form_data(town["maple"], window_start=f"{FALL_BACK}T01:10", window_end=f"{FALL_BACK}T01:40")
    results = client.get(client.post("/staff/canvass/", data)["Location"]).content.decode()
    assert "2026-11-01 01:10 CDT to 2026-11-01 01:40 CST" in results

    case = make_case(town["maple"], investigator, owners_with_email(town["maple"], 1), number="2026-NIGHT-2")
    form = footage_form(case, f"{FALL_BACK}T01:10", f"{FALL_BACK}T01:40")
    with committing():
        assert client.post(f"/footage/staff/cases/{case.pk}/requests/", form).status_code == 302
    run_tasks()
    [message] = mail.outbox
    assert "CDT" in message.body and "CST" in message.body, message.body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [
        # 23:30 CDT to 02:20 CST is 3 h 50 min of real time, though the clock readings are 2 h 50 min apart.
        ("2026-10-31T23:30", "2026-11-01T02:20", "limit of 3 hours"),
        ("2026-10-31T23:30", "2026-11-01T01:20", None),
        ("0001-01-01T00:00", "0001-01-01T02:00", "starts in 1: check the year"),
        ("0025-06-01T21:00", "0025-06-01T23:00", "starts in 25: check the year"),
    ],
)
def test_the_window_limit_counts_real_hours_and_a_mistyped_year_is_named(town, start, end, refused):
    town["maple"].max_search_window_hours = 3
    town["maple"].save()
    investigator = staff_client(Client(), make_staff(town["maple"], "investigator"))
    response = investigator.post("/staff/canvass/", form_data(town["maple"], window_start=start, window_end=end))
    if refused is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 400 and refused in response.content.decode()
        assert not CanvassSearch.objects.exists()


@pytest.mark.django_db
def test_a_footage_request_from_a_mistyped_year_is_refused_and_nothing_is_sent(town):
    investigator = make_staff(town["maple"], "investigator")
    case = make_case(town["maple"], investigator, owners_with_email(town["maple"], 1))
    client = staff_client(Client(), investigator)
    data = footage_form(case, "0026-11-01T01:10", "0026-11-01T01:40")
    response = client.post(f"/footage/staff/cases/{case.pk}/requests/", data)
    assert response.status_code == 400 and "starts in 26: check the year" in response.content.decode()
    assert not FootageRequest.objects.exists()
