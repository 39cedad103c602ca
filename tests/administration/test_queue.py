"""The verification queue on a Monday morning: only what needs a look, newest first, with why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from administration import queue as verification
from registrations.models import Registration, Status
from tests.owners.helpers import owner_client
from tests.owners.test_self_service import edit_data
from tests.staff_fixtures import make_staff, staff_client


@pytest.fixture
def verified_town(town):
    """Every registration verified a week ago, as after a year of a running program."""
    week_ago = timezone.now() - timedelta(days=7)
    Registration.objects.update(status=Status.ACTIVE, verified_at=week_ago, created_at=week_ago - timedelta(days=30))
    return town


@pytest.fixture
def administrator(verified_town) -> Client:
    return staff_client(Client(), make_staff(verified_town["maple"], "administrator"))


def _queue(client: Client, **params) -> str:
    response = client.get("/staff/admin/queue/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_verified_registrations_that_nobody_touched_are_not_in_the_queue(administrator, verified_town):
    # Seeding and imports touch updated_at; that alone must not fill the queue.
    Registration.objects.update(updated_at=timezone.now())
    assert "Nothing to verify." in _queue(administrator)


def test_a_registration_made_a_minute_ago_is_at_the_top(administrator, verified_town):
    newest = Registration.objects.filter(agency=verified_town["maple"]).order_by("pk").last()
    Registration.objects.filter(pk=newest.pk).update(status=Status.PENDING, verified_at=None, created_at=timezone.now())
    older = Registration.objects.filter(agency=verified_town["maple"]).exclude(pk=newest.pk).first()
    Registration.objects.filter(pk=older.pk).update(
        status=Status.PENDING, verified_at=None, created_at=timezone.now() - timedelta(days=3)
    )
    page = _queue(administrator)
    assert page.index(newest.display_name) < page.index(older.display_name)
    assert "New registration" in page


def test_an_owner_edit_puts_it_back_with_the_fields_that_changed(administrator, verified_town):
    registration = Registration.objects.filter(agency=verified_town["maple"]).exclude(owner_email="").first()
    owner = owner_client(registration)
    response = owner.post("/manage/edit/", edit_data(registration, owner_phone="(555) 010-9999"))
    assert response.status_code == 302, response.content.decode()[:2000]
    page = _queue(administrator, kind="changed")
    assert registration.display_name in page and "Changed by the owner" in page
    assert "Changed:" in page and "phone" in page.lower()
    assert "010-9999" not in page  # names of fields, never the owner's new values
    review = administrator.get(f"/staff/admin/registrations/{registration.public_id}/").content.decode()
    assert "Changed by the owner since it was last verified" in review
    # Verifying takes it out, and clears the list of changes.
    administrator.post(f"/staff/admin/registrations/{registration.public_id}/verify/", {"note": "called"})
    assert "Nothing to verify." in _queue(administrator)
    registration.refresh_from_db()
    assert registration.owner_changes == []


def test_an_edit_that_changes_nothing_does_not_queue(administrator, verified_town):
    registration = Registration.objects.filter(agency=verified_town["maple"]).exclude(owner_email="").first()
    assert owner_client(registration).post("/manage/edit/", edit_data(registration)).status_code == 302
    assert registration.display_name not in _queue(administrator)


def test_a_reported_change_is_its_own_kind(administrator, verified_town):
    registration = Registration.objects.filter(agency=verified_town["maple"]).exclude(owner_email="").first()
    owner_client(registration).post("/manage/status/", {"kind": "moved", "note": "Sold in May"})
    page = _queue(administrator, kind="reported")
    assert registration.display_name in page and "Change reported by the owner" in page
    review = administrator.get(f"/staff/admin/registrations/{registration.public_id}/").content.decode()
    assert "I moved away from this address" in review and "Sold in May" in review


def test_the_queue_pages_and_searches_by_street(administrator, verified_town):
    maple = Registration.objects.filter(agency=verified_town["maple"])
    maple.update(status=Status.PENDING, verified_at=None)
    total = maple.count()
    first = _queue(administrator)
    assert f"{total} registrations need a look" in first
    if total > verification.PAGE_SIZE:
        assert "Page 1 of" in first
    one = maple.order_by("pk").first()
    street = one.street_address.split(" ", 1)[1]
    found = _queue(administrator, street=street)
    assert one.display_name in found
    assert all(r.display_name in found for r in maple.filter(street_address__icontains=street)[:10])


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "<script>"},
        {"street": "x" * 5000},
        {"street": "\x00"},
        {"page": "999999999999999999999"},
        {"page": "-1"},
    ],
)
def test_hostile_filters_never_break_the_queue(administrator, params):
    assert administrator.get("/staff/admin/queue/", params).status_code == 200


def test_other_agency_and_other_roles_see_nothing_of_this_queue(verified_town):
    registration = Registration.objects.filter(agency=verified_town["maple"]).first()
    Registration.objects.filter(pk=registration.pk).update(status=Status.PENDING, verified_at=None)
    cedar = staff_client(Client(), make_staff(verified_town["cedar"], "administrator"))
    assert registration.display_name not in _queue(cedar)
    investigator = staff_client(Client(), make_staff(verified_town["maple"], "investigator"))
    assert investigator.get("/staff/admin/queue/").status_code == 403
    assert Client().get("/staff/admin/queue/").status_code == 302


def test_an_address_not_in_the_table_is_its_own_kind(administrator, verified_town):
    registration = Registration.objects.filter(agency=verified_town["maple"]).first()
    Registration.objects.filter(pk=registration.pk).update(
        status=Status.PENDING, verified_at=None, address_not_in_table=True
    )
    page = _queue(administrator, kind="address")
    assert registration.display_name in page and "Address not in the address table" in page
    others = _queue(administrator, kind="changed")
    assert registration.display_name not in others
