"""Staff administration pages, the purge, merges and the public transparency page, with their outsiders."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from administration.models import PurgeRecord, RegistrationHistory
from administration.selectors import duplicate_candidates
from administration.services import purge_expired
from audit.models import AuditEntry
from registrations.models import Camera, Registration, Status
from registrations.services import registrations_merge
from tests.staff_fixtures import make_staff, staff_client


def _copy(registration, **changes):
    """A near-identical second registration of the same place (a resident who registered twice)."""
    cameras = list(registration.cameras.all())
    registration.pk = None
    registration.public_id = None
    import uuid

    registration.public_id = uuid.uuid4()
    for name, value in changes.items():
        setattr(registration, name, value)
    registration.save()
    for camera in cameras:
        camera.pk = None
        camera.registration = registration
        camera.save()
    return registration


@pytest.fixture
def admin_client(client, town):
    return staff_client(client, make_staff(town["maple"], "administrator"))


def test_near_identical_registration_is_found_and_merge_keeps_history(town):
    original = Registration.objects.filter(agency=town["maple"]).first()
    phone = original.owner_phone
    twin = _copy(
        Registration.objects.get(pk=original.pk),
        street_address=original.street_address.replace(" St", " Street"),
        owner_email_hash="",
        status=Status.PENDING,
    )
    twin.owner_phone = phone
    candidates = duplicate_candidates(twin, Registration.objects.all())
    assert candidates[0].registration.pk == original.pk
    assert "same phone" in candidates[0].reasons
    cameras = original.cameras.count() + twin.cameras.count()
    kept = registrations_merge(keep=original, duplicate=twin, actor=None, note="same owner, called")
    assert not Registration.objects.filter(pk=twin.pk).exists()
    assert Camera.objects.filter(registration=kept).count() == cameras
    history = RegistrationHistory.objects.get(registration=kept, action="merged")
    assert history.details["merged_public_id"] == str(twin.public_id) and history.note == "same owner, called"
    assert AuditEntry.objects.filter(action="registration.merge", object_id=str(kept.public_id)).exists()


def test_neighbours_are_not_duplicates(town):
    registration = Registration.objects.filter(agency=town["maple"]).first()
    assert all(
        "same" in " ".join(c.reasons) or "similar" in " ".join(c.reasons)
        for c in duplicate_candidates(registration, Registration.objects.all())
    )


def test_purge_removes_exactly_what_the_rules_say(town):
    now = timezone.now()
    maple = town["maple"]
    maple.stale_removal_months = 24
    maple.save()
    Registration.objects.update(last_confirmed_at=now - timedelta(days=10))
    doomed = list(Registration.objects.filter(agency=maple)[:3])
    for registration in doomed:
        Registration.objects.filter(pk=registration.pk).update(last_confirmed_at=now - timedelta(days=24 * 31))
    kept_edge = Registration.objects.filter(agency=maple).exclude(pk__in=[r.pk for r in doomed]).first()
    Registration.objects.filter(pk=kept_edge.pk).update(last_confirmed_at=now - timedelta(days=24 * 30))
    before = Registration.objects.count()
    totals = purge_expired(now=now).totals
    assert totals["stale_registrations"] == 3
    assert Registration.objects.count() == before - 3
    assert not Registration.objects.filter(pk__in=[r.pk for r in doomed]).exists()
    assert Registration.objects.filter(pk=kept_edge.pk).exists()
    assert PurgeRecord.objects.get(kind="stale_registrations").count == 3
    assert purge_expired(now=now).totals["stale_registrations"] == 0  # safe to run again
    assert AuditEntry.objects.filter(action="retention.purge").count() == 2


def test_transparency_never_shows_small_cells_or_personal_data(client, town):
    # A tiny agency: cedar grove with exactly 4 active registrations in one place.
    Registration.objects.filter(agency=town["cedar"]).update(status=Status.PENDING)
    tiny = list(Registration.objects.filter(agency=town["cedar"])[:4])
    Registration.objects.filter(pk__in=[r.pk for r in tiny]).update(status=Status.ACTIVE)
    response = client.get(reverse("transparency"), {"agency": "cedar-grove"})
    assert response.status_code == 200
    page = response.content.decode()
    assert json.loads(response.context["cells_json"]) == []
    for registration in Registration.objects.all():
        for value in (registration.owner_name, registration.owner_phone, registration.street_address):
            assert value not in page
        if registration.owner_email:
            assert registration.owner_email not in page
    whole = client.get(reverse("transparency"))
    assert all(cell["count"] >= 5 for cell in whole.context["cells"])
    report = client.get(reverse("transparency_report", args=[timezone.localdate().year]))
    assert report.status_code == 200 and report.content.decode().startswith("month,new_registrations")
    assert client.get(reverse("transparency"), {"agency": "nowhere"}).status_code == 404


@pytest.mark.parametrize("name", ["queue", "import_upload", "export", "settings", "dashboard"])
def test_outsiders_cannot_reach_staff_pages(client, town, name):
    url = reverse(f"administration:{name}")
    assert client.get(url).status_code == 302  # anonymous: to sign-in
    staff_client(client, make_staff(town["maple"], "auditor" if name != "dashboard" else "auditor"))
    expected = 200 if name == "dashboard" else 403
    assert client.get(url).status_code == expected


def test_other_agency_cannot_review_or_verify(client, town):
    registration = Registration.objects.filter(agency=town["maple"]).first()
    staff_client(client, make_staff(town["cedar"], "administrator"))
    assert client.get(reverse("administration:review", args=[registration.public_id])).status_code == 404
    assert client.post(reverse("administration:verify", args=[registration.public_id])).status_code == 404
    other = Registration.objects.filter(agency=town["cedar"]).first()
    assert (
        client.post(reverse("administration:merge", args=[other.public_id, registration.public_id])).status_code == 404
    )
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_queue_verify_and_reject(admin_client, town):
    pending = Registration.objects.filter(agency=town["maple"], status=Status.PENDING).first()
    page = admin_client.get(reverse("administration:queue"))
    assert pending.street_address in page.content.decode()
    assert admin_client.get(reverse("administration:review", args=[pending.public_id])).status_code == 200
    admin_client.post(reverse("administration:verify", args=[pending.public_id]), {"note": "called owner"})
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE and pending.verified_at
    assert RegistrationHistory.objects.get(registration=pending).note == "called owner"
    asked = admin_client.post(reverse("administration:reject", args=[pending.public_id]), {"note": "fake"})
    assert asked.status_code == 200 and "Reject as spam?" in asked.content.decode()
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE  # nothing happens before the confirmation
    admin_client.post(reverse("administration:reject", args=[pending.public_id]), {"note": "fake", "confirm": "yes"})
    pending.refresh_from_db()
    assert pending.status == Status.REJECTED


def test_export_is_scoped_audited_and_formula_safe(admin_client, town):
    registration = Registration.objects.filter(agency=town["maple"]).first()
    registration.notes_for_detectives = "=cmd|' /C calc'!A0"
    registration.save()
    response = admin_client.post(reverse("administration:export"), {"format": "csv"})
    body = response.content.decode()
    assert "'=cmd" in body and "\n=cmd" not in body
    cedar_ids = [str(r.public_id) for r in Registration.objects.filter(agency=town["cedar"])]
    assert not any(public_id in body for public_id in cedar_ids)
    assert AuditEntry.objects.filter(action="registration.export").exists()
    kml = admin_client.post(reverse("administration:export"), {"format": "kml"}).content.decode()
    import xml.dom.minidom

    xml.dom.minidom.parseString(kml)
    geojson = json.loads(admin_client.post(reverse("administration:export"), {"format": "geojson"}).content)
    assert geojson["type"] == "FeatureCollection"


def test_settings_refuse_protest_purpose_and_bad_boundary(admin_client, town):
    url = reverse("administration:settings")
    response = admin_client.post(url, {"action": "offense", "name": "Protest activity"})
    assert "never an allowed purpose" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("b.geojson", b"{not json", content_type="application/json")
    response = admin_client.post(url, {"action": "boundary", "boundary_file": bad})
    assert "not valid GeoJSON" in response.content.decode()
    response = admin_client.post(
        url,
        {
            "action": "settings",
            **{
                f: getattr(town["maple"], f)
                for f in [
                    "max_search_window_hours",
                    "default_search_radius_m",
                    "max_search_radius_m",
                    "reconfirm_interval_months",
                    "reconfirm_grace_days",
                    "request_reminder_days",
                    "request_expiry_days",
                    "footage_retention_days_after_close",
                    "stale_removal_months",
                ]
            },
            "audit_retention_days": 30,
        },
    )
    assert response.status_code == 200
    town["maple"].refresh_from_db()
    assert town["maple"].audit_retention_days >= 365


def test_dashboard_renders_charts(admin_client):
    response = admin_client.get(reverse("administration:dashboard"))
    assert response.status_code == 200 and b"<svg" in response.content


def test_upload_map_and_import_through_the_staff_pages(admin_client, town, settings):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from administration.models import ImportJob

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    content = (Path(__file__).parent / "fixtures" / "clean.csv").read_bytes()
    response = admin_client.post(
        reverse("administration:import_upload"), {"file": SimpleUploadedFile("old.csv", content)}
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("administration:import_mapping", args=[job.public_id])
    form = admin_client.get(response.url).context["form"]
    data = {name: field.initial or "" for name, field in form.fields.items() if name.startswith("column_")}
    data["mode"] = "all_or_nothing"
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        admin_client.post(reverse("administration:import_mapping", args=[job.public_id]), data)
    job.refresh_from_db()
    assert job.state == "done" and job.report["rows_created"] == 3
    progress = admin_client.get(reverse("administration:import_progress", args=[job.public_id])).json()
    assert progress["finished"] and progress["rows_done"] == 3
    # Another agency's administrator cannot see the job.
    admin_client.logout()
    staff_client(admin_client, make_staff(town["cedar"], "administrator"))
    assert admin_client.get(reverse("administration:import_progress", args=[job.public_id])).status_code == 404


def test_upload_of_a_binary_file_is_refused_clearly(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        reverse("administration:import_upload"), {"file": SimpleUploadedFile("x.csv", bytes(range(256)))}
    )
    assert "This is not a CSV or XLSX file" in response.content.decode()
