"""Id-only tombstones in the sync feed: withdrawals, retention purges and merges; who sees them; how long."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone

from administration.services import purge_expired
from registrations.models import Registration, RegistrationTombstone
from registrations.services import registration_withdraw, registrations_merge
from tests.api.helpers import api_client, is_problem, make_token
from tests.footage.helpers import end_share, share
from tests.owners.helpers import committing
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.django_db

PERSONAL_FIELDS = ("owner_name", "owner_phone", "owner_email", "street_address", "business_name", "alternate_name")


def feed_items(client, **params) -> list[dict]:
    """Every item of the feed, following next_cursor."""
    items, cursor = [], None
    while True:
        response = client.get("/api/v1/registrations/", {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content[:500]
        page = response.json()
        items += page["results"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


def tombstones(client, since) -> list[dict]:
    return [item for item in feed_items(client, updated_since=since.isoformat(), page_size=500) if item.get("deleted")]


def personal_values(registration) -> list[str]:
    values = [str(getattr(registration, name)) for name in PERSONAL_FIELDS]
    values += [str(registration.latitude), str(registration.longitude)]
    return [value for value in values if len(value) > 3]


def withdraw(agency, count: int = 1) -> list[tuple[str, list[str]]]:
    """Withdraw `count` registrations of `agency` through the owner service: (public id, its personal values)."""
    gone = []
    for registration in Registration.objects.filter(agency=agency).order_by("id")[:count]:
        gone.append((str(registration.public_id), personal_values(registration)))
        registration_withdraw(registration=registration)
    return gone


@pytest.mark.slow
def test_a_withdrawal_leaves_an_id_only_tombstone_in_the_feed(town, run_tasks):
    maple = town["maple"]
    _token, secret = make_token(maple)
    client = api_client(secret)
    since = timezone.now() - timedelta(seconds=1)
    Registration.objects.filter(agency=maple).update(owner_email="owner@example.org")
    with committing():
        [(gone_id, secrets)] = withdraw(maple)
    found = tombstones(client, since)
    assert [item["id"] for item in found] == [gone_id]
    assert set(found[0]) == {"id", "deleted", "updated_at"} and found[0]["deleted"] is True
    for value in secrets:
        assert value not in str(found)
    row = RegistrationTombstone.objects.get(public_id=gone_id)
    assert (row.agency_id, row.reason) == (maple.pk, "withdrawn")
    assert not Registration.objects.filter(public_id=gone_id).exists()
    # Without updated_since (a full sync) the registration is simply absent.
    assert gone_id not in [item["id"] for item in feed_items(client, page_size=500)]
    # The owner's confirmation says what stays, and for how long.
    run_tasks()
    assert any("for 90 days the registration's random reference number" in message.body for message in mail.outbox)


@pytest.mark.slow
def test_tombstones_come_in_cursor_order_with_the_rows_never_repeated_or_skipped(town):
    maple = town["maple"]
    _token, secret = make_token(maple)
    client = api_client(secret)
    since = Registration.objects.filter(agency=maple).order_by("updated_at").first().updated_at
    gone = {public_id for public_id, _ in withdraw(maple, 3)}
    items = feed_items(client, updated_since=since.isoformat(), page_size=2)
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == Registration.objects.filter(agency=maple).count() + 3
    assert {item["id"] for item in items if item.get("deleted")} == gone
    moments = [item["updated_at"] for item in items]
    assert moments == sorted(moments, key=lambda text: timezone.datetime.fromisoformat(text.replace("Z", "+00:00")))


def test_a_purge_leaves_tombstones_in_the_feed(town):
    maple = town["maple"]
    _token, secret = make_token(maple)
    client = api_client(secret)
    now = timezone.now()
    maple.stale_removal_months = 24
    maple.save()
    Registration.objects.update(last_confirmed_at=now - timedelta(days=10))
    doomed = list(Registration.objects.filter(agency=maple).order_by("id")[:3])
    Registration.objects.filter(pk__in=[r.pk for r in doomed]).update(last_confirmed_at=now - timedelta(days=24 * 31))
    secrets = [value for registration in doomed for value in personal_values(registration)]
    assert purge_expired(now=now).totals["stale_registrations"] == 3
    found = tombstones(client, now - timedelta(seconds=1))
    assert sorted(item["id"] for item in found) == sorted(str(r.public_id) for r in doomed)
    assert all(set(item) == {"id", "deleted", "updated_at"} for item in found)
    for value in secrets:
        assert value not in str(found)
    assert set(RegistrationTombstone.objects.values_list("reason", flat=True)) == {"purged"}
    # A second run removes nothing more and writes no second tombstone.
    purge_expired(now=now)
    assert RegistrationTombstone.objects.count() == 3


def test_bbox_does_not_filter_tombstones_and_status_leaves_them_out(town):
    maple = town["maple"]
    _token, secret = make_token(maple)
    client = api_client(secret)
    since = timezone.now() - timedelta(seconds=1)
    [(gone_id, _)] = withdraw(maple)
    far_away = "10.0,10.0,10.001,10.001"
    items = feed_items(client, updated_since=since.isoformat(), bbox=far_away)
    assert [item["id"] for item in items] == [gone_id]
    assert not [
        item for item in feed_items(client, updated_since=since.isoformat(), status="active") if "deleted" in item
    ]


def test_another_agency_token_does_not_see_the_tombstones(town):
    maple, cedar = town["maple"], town["cedar"]
    _token, secret = make_token(cedar)
    since = timezone.now() - timedelta(seconds=1)
    withdraw(maple, 2)
    assert tombstones(api_client(secret), since) == []
    is_problem(api_client(None).get("/api/v1/registrations/", {"updated_since": since.isoformat()}), 401)


@pytest.mark.parametrize("how", ["revoke", "expire"])
def test_a_partner_sees_the_tombstones_only_while_the_agreement_is_active(town, how):
    maple, cedar = town["maple"], town["cedar"]
    _token, secret = make_token(cedar)
    client = api_client(secret)
    since = timezone.now() - timedelta(seconds=1)
    agreement = share(maple, cedar)
    gone = {public_id for public_id, _ in withdraw(maple, 2)}
    assert {item["id"] for item in tombstones(client, since)} == gone
    end_share(agreement, how)
    assert tombstones(client, since) == []


def test_merge_tombstones_come_from_the_same_table(town):
    maple = town["maple"]
    _token, secret = make_token(maple)
    since = timezone.now() - timedelta(seconds=1)
    keep, duplicate = Registration.objects.filter(agency=maple).order_by("id")[:2]
    registrations_merge(keep=keep, duplicate=duplicate, actor=make_staff(maple, "administrator"))
    row = RegistrationTombstone.objects.get()
    assert (str(row.public_id), row.agency_id, row.reason) == (str(duplicate.public_id), maple.pk, "merged")
    assert [item["id"] for item in tombstones(api_client(secret), since)] == [str(duplicate.public_id)]


def test_the_migration_turns_earlier_merges_into_tombstones(town):
    from administration.models import RegistrationHistory

    maple = town["maple"]
    keep, duplicate = Registration.objects.filter(agency=maple).order_by("id")[:2]
    registrations_merge(keep=keep, duplicate=duplicate, actor=make_staff(maple, "administrator"))
    history = RegistrationHistory.objects.get(action="merged")
    RegistrationTombstone.objects.all().delete()  # as before the table existed
    RegistrationHistory.objects.create(registration=keep, action="merged", details={"merged_public_id": "garbage"})
    migration = importlib.import_module("registrations.migrations.0006_registration_tombstone")
    migration.merges_to_tombstones(apps, None)
    row = RegistrationTombstone.objects.get()
    assert (row.public_id, row.agency_id, row.removed_at) == (duplicate.public_id, maple.pk, history.occurred_at)


def test_tombstones_older_than_the_setting_are_purged(town, settings):
    maple = town["maple"]
    settings.REGISTRATION_TOMBSTONE_DAYS = 10
    _token, secret = make_token(maple)
    client = api_client(secret)
    (old_id, _), (young_id, _) = withdraw(maple, 2)
    now = timezone.now()
    RegistrationTombstone.objects.filter(public_id=old_id).update(removed_at=now - timedelta(days=10, seconds=1))
    RegistrationTombstone.objects.filter(public_id=young_id).update(removed_at=now - timedelta(days=9))
    report = purge_expired(now=now)
    assert report.totals["registration_tombstones"] == 1
    # (The town's own stale registrations were purged in the same run: their tombstones are new.)
    withdrawn = RegistrationTombstone.objects.filter(reason="withdrawn").values_list("public_id", flat=True)
    assert [str(p) for p in withdrawn] == [young_id]
    found = {item["id"] for item in tombstones(client, now - timedelta(days=30))}
    assert young_id in found and old_id not in found


@pytest.mark.parametrize("value", ["yesterday", "2026-13-45T99:99:99", "\x00", "9" * 400, "99999-01-01T00:00:00Z"])
def test_a_hostile_updated_since_is_still_a_400_problem(town, value):
    maple = town["maple"]
    _token, secret = make_token(maple)
    withdraw(maple)
    body = is_problem(api_client(secret).get("/api/v1/registrations/", {"updated_since": value}), 400)
    assert [error["field"] for error in body["errors"]] == ["updated_since"]
