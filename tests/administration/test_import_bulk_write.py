"""The importer's own write path (plain executemany, ids reserved up front) must store what the ORM would."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from administration.importing import ImportOptions, registrations_import
from administration.imports import writer
from administration.models import ImportedRow
from agencies.models import Agency
from agencies.selectors import agency_for_point
from registrations import bulk
from registrations.models import AddressPoint, Camera, ConsentRecord, ConsentSource, Registration, Status

FIXTURES = Path(__file__).parent / "fixtures"
ADDRESS_NOT_FOUND = "Address not found in the address table; check the spelling or load the county's address points."
HEADERS = ["Timestamp", "Name", "Address", "Phone", "Email", "Camera Locations", "How many days of footage are kept?"]


def write_file(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        writer.writerows(rows)
    return path


def generated_rows(count: int, start: int = 0) -> list[list[str]]:
    maple = Agency.objects.get(slug="maple-falls")
    addresses = [
        point.address
        for point in AddressPoint.objects.order_by("id")[:600]
        if agency_for_point(point.latitude, point.longitude) == maple
    ]
    return [
        [
            "2024-01-15 10:22:01",
            f"Owner {number}",
            addresses[number % len(addresses)],
            f"708-555-{number:04d}",
            f"owner{number}@example.com" if number % 2 else "",
            "Front, Driveway",
            "14",
        ]
        for number in range(start, start + count)
    ]


def do_import(path, agency=None, **options):
    return registrations_import(path=path, options=ImportOptions(agency=agency, dry_run=False, **options))


def test_imported_rows_hold_every_column_the_orm_would_write(town):
    before = set(Registration.objects.values_list("pk", flat=True))
    report = do_import(FIXTURES / "clean.csv", town["maple"], status=Status.PENDING)
    assert report.ok and report.rows_created == 3
    created = list(Registration.objects.exclude(pk__in=before).order_by("pk"))
    assert [r.owner_name for r in created] == ["Maria Garcia", "Robert Smith", "Ana Nowak"]
    maria = created[0]
    assert isinstance(maria.public_id, uuid.UUID) and maria.public_id.version == 4
    assert len({r.public_id for r in created}) == 3
    assert maria.status == Status.PENDING and maria.verified_at is None
    assert maria.updated_at == maria.last_confirmed_at and maria.submission_nonce is None
    assert maria.owner_email == "maria.garcia@example.com" and maria.alternate_name == "Luis Garcia"
    assert maria.owner_email_hash and maria.alternate_email == ""
    assert created[1].owner_email == "" and created[1].owner_email_hash == ""
    # Contact details are stored encrypted, never as plain text.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT owner_name, owner_phone FROM {Registration._meta.db_table} WHERE id = %s", [maria.pk])
        stored_name, stored_phone = cursor.fetchone()
    assert stored_name.startswith("gcm1:") and "Maria" not in stored_name and stored_phone.startswith("gcm1:")
    camera = Camera.objects.get(registration=maria)
    assert camera.locations == ["alley", "driveway", "front"] and camera.brand == "" and camera.bearing_degrees is None
    consent = ConsentRecord.objects.get(registration=maria)
    assert consent.source == ConsentSource.IMPORT and consent.accepted_at == maria.last_confirmed_at
    row = ImportedRow.objects.get(registration=maria)
    assert row.agency == town["maple"] and row.source_name == "clean.csv" and row.imported_at is not None


@pytest.mark.slow
def test_ids_continue_after_an_import_and_deleted_ids_are_never_reused(town, tmp_path):
    do_import(write_file(tmp_path / "first.csv", generated_rows(5)), town["maple"])
    highest = Registration.objects.order_by("-pk").first().pk
    highest_camera = Camera.objects.order_by("-pk").first().pk
    Registration.objects.filter(pk=highest).delete()
    do_import(write_file(tmp_path / "second.csv", generated_rows(5, start=100)), town["maple"])
    newest = list(Registration.objects.filter(pk__gt=highest).order_by("pk"))
    assert len(newest) == 5, "the second import's ids start above the deleted row's id"
    assert Camera.objects.filter(pk__gt=highest_camera).count() == 5
    # The ORM (and so the public form) keeps inserting after an import without an id collision.
    extra = Registration.objects.create(
        agency=town["maple"],
        street_address="1 Test St",
        latitude=41.68,
        longitude=-87.84,
        last_confirmed_at=newest[0].created_at,
    )
    assert extra.pk > newest[-1].pk
    assert Camera.objects.create(registration=extra, retention_days=7).pk > highest_camera


@pytest.mark.slow
def test_query_count_does_not_grow_with_the_number_of_rows(town, tmp_path):
    small = write_file(tmp_path / "small.csv", generated_rows(3))
    large = write_file(tmp_path / "large.csv", generated_rows(60, start=1000))
    with CaptureQueriesContext(connection) as small_queries:
        assert do_import(small, town["maple"]).rows_created == 3
    with CaptureQueriesContext(connection) as large_queries:
        assert do_import(large, town["maple"]).rows_created == 60
    assert len(large_queries.captured_queries) == len(small_queries.captured_queries)


def test_only_the_files_addresses_are_looked_up(town, tmp_path):
    path = write_file(tmp_path / "one.csv", generated_rows(1))
    with CaptureQueriesContext(connection) as queries:
        do_import(path, town["maple"], all_or_nothing=True)
    lookups = [q["sql"] for q in queries.captured_queries if AddressPoint._meta.db_table in q["sql"]]
    assert len(lookups) == 1 and "normalized" in lookups[0].split("WHERE", 1)[1]


def test_hostile_addresses_are_looked_up_as_plain_values(town, tmp_path):
    row = generated_rows(1)[0]
    address = row[2]
    hostile = [f'{address}") OR 1=1 --', f"{address}'; DROP TABLE x; --", f'["{address}"]', f"ÿ {address}", "\\u0000"]
    path = write_file(tmp_path / "hostile.csv", [[*row[:2], text, *row[3:]] for text in hostile])
    report = registrations_import(path=path, options=ImportOptions(agency=town["maple"], dry_run=True))
    assert [(p.row, p.column, p.problem, p.severity) for p in report.problems] == [
        (2, "Address", ADDRESS_NOT_FOUND, "error"),
        (3, "Address", ADDRESS_NOT_FOUND, "error"),
        (5, "", "Same address and owner as row 4; not imported twice.", "skipped"),
        (6, "Address", ADDRESS_NOT_FOUND, "error"),
    ]
    assert report.rows_valid == 1 and AddressPoint.objects.filter(address=address).exists()


def test_a_failure_in_a_later_batch_leaves_nothing_behind(town, tmp_path, monkeypatch):
    path = write_file(tmp_path / "many.csv", generated_rows(7))
    monkeypatch.setattr(writer, "BATCH", 2)
    calls = {"count": 0}
    real_encrypt = bulk.encrypt

    def failing_encrypt(value: str) -> str:
        calls["count"] += 1
        if calls["count"] > 10:  # well into the third batch
            raise RuntimeError("disk full")
        return real_encrypt(value)

    monkeypatch.setattr(bulk, "encrypt", failing_encrypt)
    before = (Registration.objects.count(), Camera.objects.count(), ConsentRecord.objects.count())
    with pytest.raises(RuntimeError):
        do_import(path, town["maple"], all_or_nothing=False)
    assert (Registration.objects.count(), Camera.objects.count(), ConsentRecord.objects.count()) == before
    assert not ImportedRow.objects.exists()
    monkeypatch.setattr(bulk, "encrypt", real_encrypt)
    report = do_import(path, town["maple"])
    assert report.rows_created == 7 and ImportedRow.objects.count() == 7
    again = do_import(path, town["maple"])
    assert again.rows_created == 0 and again.rows_skipped == 7 and Registration.objects.count() == before[0] + 7


@pytest.mark.slow
def test_many_batches_import_every_row_once(town, tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "BATCH", 3)
    seen = []
    path = write_file(tmp_path / "batches.csv", generated_rows(10))
    report = do_import(path, town["maple"], progress=lambda phase, done, total: seen.append((phase, done, total)))
    assert report.rows_created == 10
    assert [step for step in seen if step[0] == "save"] == [
        ("save", 3, 10),
        ("save", 6, 10),
        ("save", 9, 10),
        ("save", 10, 10),
    ]
    created = Registration.objects.filter(consents__source=ConsentSource.IMPORT)
    assert created.count() == 10 and Camera.objects.filter(registration__in=created).count() == 10
    assert sorted(r.owner_phone for r in created) == [f"708-555-{n:04d}" for n in range(10)]
