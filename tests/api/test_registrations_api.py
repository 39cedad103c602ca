"""The registrations sync feed, detail and contacts: scope, agency reach, sharing, tombstones, audit."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from audit.models import AuditEntry
from registrations.models import Registration
from registrations.services import registrations_merge
from tests.api.helpers import api_client, is_problem, make_token
from tests.footage.helpers import end_share, share
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.django_db


def feed(client, **params):
    response = client.get("/api/v1/registrations/", params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def all_ids(client, **params) -> list[str]:
    ids, cursor = [], None
    while True:
        page = feed(client, **params, **({"cursor": cursor} if cursor else {}))
        ids += [item["id"] for item in page["results"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


def test_the_feed_lists_exactly_the_agency_registrations_in_update_order(town):
    _token, secret = make_token(town["maple"])
    client = api_client(secret)
    ids = all_ids(client, page_size=7)
    expected = Registration.objects.filter(agency=town["maple"]).order_by("updated_at", "id")
    assert ids == [str(public_id) for public_id in expected.values_list("public_id", flat=True)]
    assert not set(ids) & {
        str(p) for p in Registration.objects.filter(agency=town["cedar"]).values_list("public_id", flat=True)
    }


def test_a_feed_item_has_the_staff_page_facts_and_no_contact_details(town):
    _token, secret = make_token(town["maple"])
    registration = Registration.objects.filter(agency=town["maple"], cameras__isnull=False).first()
    body = api_client(secret).get(f"/api/v1/registrations/{registration.public_id}/").json()
    assert body["id"] == str(registration.public_id)
    assert body["latitude"] == registration.latitude and body["street_address"] == registration.street_address
    assert len(body["cameras"]) == registration.cameras.count()
    assert {"retention_days", "bearing_degrees", "locations"} <= set(body["cameras"][0])
    text = str(body)
    for secret_value in (registration.owner_name, registration.owner_phone):
        assert secret_value not in text
    assert not {"owner_name", "owner_phone", "owner_email", "alternate_name"} & set(body)


@pytest.mark.slow
def test_filters_bbox_status_and_updated_since(town):
    _token, secret = make_token(town["maple"])
    client = api_client(secret)
    one = Registration.objects.filter(agency=town["maple"]).order_by("id").first()
    bbox = f"{one.longitude - 1e-6},{one.latitude - 1e-6},{one.longitude + 1e-6},{one.latitude + 1e-6}"
    assert str(one.public_id) in all_ids(client, bbox=bbox)
    inside = Registration.objects.filter(
        agency=town["maple"],
        longitude__gte=one.longitude - 1e-6,
        longitude__lte=one.longitude + 1e-6,
        latitude__gte=one.latitude - 1e-6,
        latitude__lte=one.latitude + 1e-6,
    ).count()
    assert len(all_ids(client, bbox=bbox)) == inside
    statuses = {item["status"] for item in feed(client, status="active", page_size=500)["results"]}
    assert statuses == {"active"}
    latest = Registration.objects.filter(agency=town["maple"]).order_by("id").last()
    later = Registration.objects.order_by("-updated_at").first().updated_at + timedelta(seconds=5)
    Registration.objects.filter(pk=latest.pk).update(updated_at=later)
    since = feed(client, updated_since=later.isoformat())["results"]
    assert [item["id"] for item in since] == [str(latest.public_id)]


def test_a_merged_duplicate_appears_as_a_tombstone_with_no_personal_data(town):
    maple = town["maple"]
    _token, secret = make_token(maple)
    client = api_client(secret)
    keep, duplicate = Registration.objects.filter(agency=maple).order_by("id")[:2]
    before = Registration.objects.filter(agency=maple).order_by("-updated_at").first().updated_at
    gone_id, address = str(duplicate.public_id), duplicate.street_address
    registrations_merge(keep=keep, duplicate=duplicate, actor=make_staff(maple, "administrator"))
    results = feed(client, updated_since=before.isoformat())["results"]
    tombstones = [item for item in results if item.get("deleted")]
    assert tombstones == [{"id": gone_id, "deleted": True, "updated_at": tombstones[0]["updated_at"]}]
    assert address not in str(tombstones)
    assert str(keep.public_id) in [item["id"] for item in results]
    # Without updated_since (a full sync) there are no tombstones.
    assert not [item for item in feed(client, page_size=500)["results"] if item.get("deleted")]


@pytest.mark.slow
def test_cursor_pages_with_tombstones_never_repeat_or_skip(town):
    maple = town["maple"]
    _token, secret = make_token(maple)
    client = api_client(secret)
    admin = make_staff(maple, "administrator")
    start = Registration.objects.filter(agency=maple).order_by("updated_at").first().updated_at
    rows = list(Registration.objects.filter(agency=maple).order_by("id")[:6])
    for keep, duplicate in ((rows[0], rows[1]), (rows[2], rows[3]), (rows[4], rows[5])):
        registrations_merge(keep=keep, duplicate=duplicate, actor=admin)
    ids = all_ids(client, updated_since=start.isoformat(), page_size=2)
    expected = Registration.objects.filter(agency=maple).count() + 3
    assert len(ids) == len(set(ids)) == expected


def test_other_agency_registration_is_not_found_never_forbidden(town):
    _token, secret = make_token(town["cedar"], ["registrations:read", "contacts:read"])
    client = api_client(secret)
    maple_one = Registration.objects.filter(agency=town["maple"]).first()
    for suffix in ("", "contacts/"):
        is_problem(client.get(f"/api/v1/registrations/{maple_one.public_id}/{suffix}"), 404)
        is_problem(client.get(f"/api/v1/registrations/{uuid.uuid4()}/{suffix}"), 404)


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_sharing_shows_the_partner_registrations_until_it_ends(town, how):
    maple, cedar = town["maple"], town["cedar"]
    _token, secret = make_token(cedar, ["registrations:read", "contacts:read"])
    client = api_client(secret)
    maple_ids = {str(p) for p in Registration.objects.filter(agency=maple).values_list("public_id", flat=True)}
    one = Registration.objects.filter(agency=maple).first()
    assert not maple_ids & set(all_ids(client))
    agreement = share(maple, cedar)
    assert maple_ids <= set(all_ids(client))
    assert client.get(f"/api/v1/registrations/{one.public_id}/").status_code == 200
    assert client.get(f"/api/v1/registrations/{one.public_id}/contacts/").status_code == 200
    assert AuditEntry.objects.filter(action="sharing.use", data_agency=maple).exists()
    end_share(agreement, how)
    assert not maple_ids & set(all_ids(client))
    is_problem(client.get(f"/api/v1/registrations/{one.public_id}/"), 404)
    is_problem(client.get(f"/api/v1/registrations/{one.public_id}/contacts/"), 404)


def test_contacts_read_is_audited_like_the_staff_page_and_names_the_token(town):
    token, secret = make_token(town["maple"], ["contacts:read"], name="RMS")
    registration = Registration.objects.filter(agency=town["maple"]).first()
    response = api_client(secret).get(f"/api/v1/registrations/{registration.public_id}/contacts/")
    assert response.status_code == 200
    assert response.json()["owner_name"] == registration.owner_name
    entry = AuditEntry.objects.filter(action="registration.contact_view").get()
    assert entry.actor_id == token.account_id and entry.object_id == str(registration.public_id)
    assert entry.parameters["token"] == {"name": "RMS", "prefix": token.prefix}
    assert secret not in str(entry.parameters)


def test_every_request_served_with_a_token_writes_one_api_entry(town):
    token, secret = make_token(town["maple"])
    client = api_client(secret)
    feed(client)
    registration = Registration.objects.filter(agency=town["maple"]).first()
    client.get(f"/api/v1/registrations/{registration.public_id}/")
    client.get("/api/v1/registrations/", {"status": "nonsense"})
    entries = list(AuditEntry.objects.filter(actor=token.account).order_by("sequence"))
    assert [(e.action, e.outcome) for e in entries] == [
        ("api.registrations.list", "success"),
        ("api.registrations.detail", "success"),
        ("api.registrations.list", "refused"),
    ]
    assert all(e.parameters["token"]["prefix"] == token.prefix for e in entries)
