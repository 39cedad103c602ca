"""The `town` fixture copies the first town of a test process: the copy must be the town itself."""

from datetime import timedelta

from django.apps import apps
from django.db import connection, models

from demo.town import build_town
from tests.town_snapshot import _snapshots, town_rows

TOWN_TABLES = [
    "agencies_agency",
    "agencies_termsversion",
    "agencies_offensetype",
    "registrations_addresspoint",
    "registrations_registration",
    "registrations_camera",
    "registrations_consentrecord",
]


def _models():
    by_table = {model._meta.db_table: model for model in apps.get_models()}
    return [by_table[table] for table in TOWN_TABLES]


def _content():
    """Every row of the town, decrypted, with foreign keys as the related row's place in its table."""
    places = {
        model: {pk: place for place, pk in enumerate(model.objects.order_by("pk").values_list("pk", flat=True))}
        for model in _models()
    }
    content, times = {}, {}
    for model in _models():
        rows, stamps = [], []
        for obj in model.objects.order_by("pk"):
            row, stamp = [], []
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                value = getattr(obj, field.attname)
                if field.is_relation and value is not None:
                    value = places[field.related_model][value]
                if isinstance(field, models.DateTimeField):
                    stamp.append(value)
                else:
                    row.append(repr(value))
            rows.append(tuple(row))
            stamps.append(stamp)
        content[model._meta.db_table], times[model._meta.db_table] = rows, stamps
    return content, times


def _wipe():
    with connection.cursor() as cursor:
        for table in reversed(TOWN_TABLES):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def test_a_copied_town_is_the_town_a_build_makes(db):
    town_rows(registrations=40, seed=7)  # the first town of this process is built, and kept
    _wipe()
    town_rows(registrations=40, seed=7)  # copied
    assert _snapshots, "the first build should have been kept"
    copied, copied_times = _content()
    _wipe()
    build_town(registrations=40, seed=7)
    built, built_times = _content()

    assert copied == built
    assert sum(len(rows) for rows in copied.values()) > 2000
    for table, stamps in built_times.items():
        for built_row, copied_row in zip(stamps, copied_times[table], strict=True):
            for built_at, copied_at in zip(built_row, copied_row, strict=True):
                assert (built_at is None) == (copied_at is None)
                if built_at is not None:
                    assert abs(built_at - copied_at) < timedelta(seconds=30), table


def test_a_town_after_a_test_made_its_own_agency_is_built_for_real(db):
    from agencies.models import Agency
    from agencies.services import agency_save

    ring = [[-90.0, 40.0], [-89.99, 40.0], [-89.99, 40.01], [-90.0, 40.0]]
    agency_save(
        agency=Agency(
            name="Elsewhere Police",
            slug="elsewhere",
            contact_email="x@elsewhere.example",
            boundary={"type": "Polygon", "coordinates": [ring]},
        )
    )
    town_rows(registrations=40, seed=7)
    assert set(Agency.objects.values_list("slug", flat=True)) == {"elsewhere", "maple-falls", "cedar-grove"}
