"""The audit viewer at /staff/audit/ and its CSV export."""

from __future__ import annotations

import csv
import io

import pytest

from audit.models import AuditEntry
from audit.services import audit_record
from audit.verify import verify_chain
from tests.staff_fixtures import make_staff, staff_client

URL = "/staff/audit/"
EXPORT_URL = "/staff/audit/export.csv"


@pytest.fixture
def log(town):
    maple_investigator = make_staff(town["maple"], "investigator", username="det.maple")
    cedar_investigator = make_staff(town["cedar"], "investigator", username="det.cedar")
    for number in range(3):
        audit_record(action="canvass.search", actor=maple_investigator, object_id=f"M-{number}")
    audit_record(action="registration.view", actor=maple_investigator, object_id='=HYPERLINK("http://x")')
    audit_record(action="canvass.search", actor=cedar_investigator, object_id="CEDAR-SECRET", outcome="denied")
    return town


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("role", ["auditor", "supervisor", "administrator"])
def test_it_shows_own_agency_entries_to_oversight_roles(client, log, role):
    staff_client(client, make_staff(log["maple"], role))

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "M-0" in page and "det.maple" in page
    assert "CEDAR-SECRET" not in page and "det.cedar" not in page


def test_it_forbids_investigators(client, log):
    staff_client(client, make_staff(log["maple"], "investigator"))

    assert client.get(URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(client, log):
    for url in (URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/staff/sign-in/")


def test_it_sends_unverified_staff_to_the_mfa_step(client, log):
    client.force_login(make_staff(log["maple"], "auditor"), backend="django.contrib.auth.backends.ModelBackend")

    response = client.get(URL)

    assert response.status_code == 302 and "CEDAR" not in response.content.decode()


def test_another_agencys_auditor_sees_only_their_own(client, log):
    staff_client(client, make_staff(log["cedar"], "auditor"))

    page = client.get(URL).content.decode()

    assert "CEDAR-SECRET" in page and "M-0" not in page


def test_filters_narrow_the_entries(client, log):
    staff_client(client, make_staff(log["maple"], "auditor"))

    page = client.get(URL, {"action": "canvass.", "object_id": "M-1", "actor": "DET.MAPLE"}).content.decode()

    assert "M-1" in page and "M-0" not in page and "HYPERLINK" not in page


def test_bad_filters_get_clear_messages_and_no_entries(client, log):
    staff_client(client, make_staff(log["maple"], "auditor"))
    before = AuditEntry.objects.count()

    response = client.get(URL, {"date_from": "2026-05-02", "date_to": "2026-05-01", "outcome": "x" * 500})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date must be on or after the start date." in page
    assert "at most 20 characters" in page
    assert "M-0" not in page
    assert AuditEntry.objects.count() == before


def test_hostile_page_numbers_and_dates_never_fail(client, log):
    staff_client(client, make_staff(log["maple"], "auditor"))

    for params in ({"page": "999999"}, {"page": "-1"}, {"page": "'; DROP TABLE"}, {"date_from": "31/31/2026"}):
        assert client.get(URL, params).status_code == 200
    assert client.get(EXPORT_URL, {"date_from": "not a date"}).status_code == 400


def test_reading_the_log_is_itself_audited_with_the_filters(client, log):
    auditor = make_staff(log["maple"], "auditor")
    staff_client(client, auditor)

    client.get(URL, {"action": "canvass."})

    entry = AuditEntry.objects.order_by("-sequence").first()
    assert entry.action == "audit.view" and entry.actor_id == auditor.pk
    assert entry.parameters == {"filters": {"action": "canvass."}, "page": 1}
    assert entry.agency_id == log["maple"].pk
    assert verify_chain().intact


def test_date_range_filter_uses_whole_days(client, log):
    from django.utils import timezone

    staff_client(client, make_staff(log["maple"], "auditor"))
    today = timezone.localdate().isoformat()

    assert "M-0" in client.get(URL, {"date_from": today, "date_to": today}).content.decode()
    assert "M-0" not in client.get(URL, {"date_to": "2000-01-01"}).content.decode()


def test_export_is_scoped_neutralised_and_audited(client, log, settings, django_capture_on_commit_callbacks):
    auditor = make_staff(log["maple"], "auditor")
    staff_client(client, auditor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = rows_of(response)
    assert rows[0][0] == "sequence"
    object_ids = [row[rows[0].index("object_id")] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in object_ids
    assert "CEDAR-SECRET" not in object_ids
    export = AuditEntry.objects.order_by("-sequence").first()
    assert export.action == "audit.export" and export.parameters["rows"] == len(rows) - 1
    # Exports anchor the chain head at once.
    anchor = (settings.DATA_DIR / "audit-anchors.log").read_text().splitlines()[-1].split()
    assert anchor[1:] == [str(export.sequence), export.entry_hash]


def test_personal_pages_are_never_cached(client, log):
    staff_client(client, make_staff(log["maple"], "auditor"))

    response = client.get(URL)

    assert response["Cache-Control"] == "no-store"
