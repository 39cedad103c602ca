"""The case page's "ask these owners first" list: cameras whose footage will probably be overwritten within
72 hours, from each camera's days kept and the incident time, and only cameras the investigator may still ask."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from canvass.models import CanvassSearch
from canvass.selectors import case_urgency, overwrite_urgency
from registrations.models import Camera
from tests.footage.helpers import end_share, make_case, owners_with_email, share, verified
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db


def add_search(case, investigator, start, hours: int = 2) -> CanvassSearch:
    return CanvassSearch.objects.create(
        case=case,
        created_by=investigator,
        latitude=0.0,
        longitude=0.0,
        window_start=start,
        window_end=start + timedelta(hours=hours),
        radius_m=150,
    )


def keeps(case_camera, days: int) -> None:
    Camera.objects.filter(pk=case_camera.camera_id).update(retention_days=days)


@pytest.fixture
def investigator(town):
    return verified(make_staff(town["maple"], "investigator"))


@pytest.fixture
def scene(town, investigator):
    """Three owners' cameras chosen for a case whose incident began two days ago: kept 3, 30 and 2 days."""
    short, long, gone = owners_with_email(town["maple"], 3)
    case = make_case(town["maple"], investigator, [short, long, gone], number="2025-URGENT-1")
    add_search(case, investigator, timezone.now() - timedelta(days=2))
    cameras = {
        name: case.chosen_cameras.get(camera__registration=r)
        for name, r in zip(("short", "long", "gone"), (short, long, gone))
    }
    keeps(cameras["short"], 3)  # overwritten in about a day: urgent
    keeps(cameras["long"], 30)  # four weeks left: not urgent
    keeps(cameras["gone"], 1)  # probably overwritten a day ago: too late to be urgent
    return SimpleNamespace(case=case, **cameras)


def test_kept_three_days_two_days_after_the_incident_is_urgent_and_thirty_days_is_not(investigator, scene):
    urgency = case_urgency(investigator, scene.case)
    assert [item.case_camera.pk for item in urgency.urgent] == [scene.short.pk]
    item = urgency.urgent[0]
    assert item.retention_days == 3
    remaining = item.overwritten_after - timezone.now()
    assert timedelta(hours=22) < remaining < timedelta(hours=26)  # a day, give or take a daylight-saving change
    assert urgency.unknown == ()


def test_the_oldest_search_window_sets_the_incident_time(investigator, scene):
    # A later search of a narrower window does not push the deadline back: the first minute asked goes first.
    add_search(scene.case, investigator, timezone.now() - timedelta(hours=5))
    assert [item.case_camera.pk for item in case_urgency(investigator, scene.case).urgent] == [scene.short.pk]


def test_no_search_means_no_incident_time_and_nothing_urgent(town, investigator):
    [owner] = owners_with_email(town["maple"], 1)
    case = make_case(town["maple"], investigator, [owner], number="2025-NOSEARCH")
    keeps(case.chosen_cameras.get(), 1)
    assert case_urgency(investigator, case).urgent == ()


def _camera(pk: int, retention_days):
    return SimpleNamespace(pk=pk, camera=SimpleNamespace(retention_days=retention_days))


def test_unknown_retention_is_listed_as_unknown_and_deadlines_use_the_local_clock():
    zone = ZoneInfo("America/Chicago")
    # The incident at 22:00 local on the Saturday before the autumn clock change (2025-11-02).
    incident = datetime(2025, 11, 1, 22, 0, tzinfo=zone)
    now = datetime(2025, 11, 3, 12, 0, tzinfo=zone)
    urgency = overwrite_urgency(
        [_camera(1, 3), _camera(2, None), _camera(3, 30), _camera(4, 0)], incident, now=now, zone=zone
    )
    assert [item.case_camera.pk for item in urgency.urgent] == [1]
    assert [item.case_camera.pk for item in urgency.unknown] == [2, 4]
    deadline = urgency.urgent[0].overwritten_after
    # Three calendar days on the local clock: 22:00 on the 4th, although 73 hours of real time passed.
    assert (deadline.day, deadline.hour, deadline.minute) == (4, 22, 0)
    assert deadline.utcoffset() == timedelta(hours=-6)
    assert urgency.case_camera_ids == [1, 2, 4]


def test_the_case_page_lists_the_urgent_owners_first_with_a_one_click_request(client, investigator, scene):
    staff_client(client, investigator)
    response = client.get(f"/staff/canvass/cases/{scene.case.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    section = page[page.index('id="urgent-footage"') : page.index("</section>", page.index('id="urgent-footage"'))]
    assert page.index('id="urgent-footage"') < page.index("<h2>Searches</h2>")
    assert f'id="urgent-{scene.short.pk}"' in section
    assert scene.short.camera.registration.street_address in section
    assert f'id="urgent-{scene.long.pk}"' not in section and f'id="urgent-{scene.gone.pk}"' not in section
    assert "keeps 3 days" in section
    link = response.context["request_first_url"]
    assert f'href="{link.replace("&", "&amp;")}"' in section
    parts = urlsplit(link)
    assert parts.path == f"/footage/staff/cases/{scene.case.pk}/requests/"
    assert parse_qs(parts.query)["cameras"] == [str(scene.short.pk)]

    form_page = client.get(link)
    assert form_page.status_code == 200
    checked = {str(value) for value in form_page.context["form"]["cameras"].initial}
    assert checked == {str(scene.short.pk)}
    html = form_page.content.decode()
    assert f'value="{scene.short.pk}" id="id_cameras_0" checked' in html or (
        html.count("checked") == 1 and f'value="{scene.short.pk}"' in html
    )


def test_nothing_urgent_shows_no_urgent_section(client, investigator, scene):
    keeps(scene.short, 30)
    staff_client(client, investigator)
    page = client.get(f"/staff/canvass/cases/{scene.case.pk}/").content.decode()
    assert 'id="urgent-footage"' not in page and "Request footage from these owners first" not in page


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_a_partner_camera_whose_sharing_ended_is_not_offered(client, town, how):
    maple, cedar = town["maple"], town["cedar"]
    investigator = verified(make_staff(cedar, "investigator"))
    [partner_owner] = owners_with_email(maple, 1)
    [own_owner] = owners_with_email(cedar, 1)
    agreement = share(maple, cedar)
    case = make_case(cedar, investigator, [partner_owner, own_owner], number="CG-URGENT-9")
    add_search(case, investigator, timezone.now() - timedelta(days=2))
    partner = case.chosen_cameras.get(camera__registration=partner_owner)
    own = case.chosen_cameras.get(camera__registration=own_owner)
    keeps(partner, 3)
    keeps(own, 3)
    assert {item.case_camera.pk for item in case_urgency(investigator, case).urgent} == {partner.pk, own.pk}

    end_share(agreement, how)
    assert [item.case_camera.pk for item in case_urgency(investigator, case).urgent] == [own.pk]
    staff_client(client, investigator)
    page = client.get(f"/staff/canvass/cases/{case.pk}/").content.decode()
    assert partner_owner.street_address not in page
    assert f'id="urgent-{partner.pk}"' not in page and f'id="urgent-{own.pk}"' in page
    # Asking for the partner's camera by hand in the link pre-selects nothing of it.
    form_page = client.get(f"/footage/staff/cases/{case.pk}/requests/?cameras={partner.pk}&cameras={own.pk}")
    assert list(form_page.context["form"]["cameras"].initial) == [str(own.pk)]
    assert partner_owner.street_address not in form_page.content.decode()


def test_outsiders_see_nothing_of_the_case(client, town, scene):
    url = f"/staff/canvass/cases/{scene.case.pk}/"
    form_url = f"/footage/staff/cases/{scene.case.pk}/requests/?cameras={scene.short.pk}"
    for target in (url, form_url):
        anonymous = client.get(target)
        assert anonymous.status_code == 302 and "/staff/" in anonymous["Location"], target
    staff_client(client, make_staff(town["cedar"], "investigator"))
    for target in (url, form_url):
        assert client.get(target).status_code == 404, target


@pytest.mark.parametrize(
    "query",
    [
        "cameras=abc",
        "cameras=-1",
        "cameras=99999999999999999999",
        "cameras=%00",
        "cameras=1e9&cameras=' OR 1=1",
        "cameras=",
    ],
)
def test_hostile_camera_values_in_the_link_never_500(client, investigator, scene, query):
    staff_client(client, investigator)
    response = client.get(f"/footage/staff/cases/{scene.case.pk}/requests/?{query}")
    assert response.status_code == 200
    assert not response.context["form"]["cameras"].initial
