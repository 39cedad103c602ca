"""The `town` fixture's town, built once per test process and copied in for every test that asks for it.

Building the town (two agencies with terms and offense types, ~2,100 address points normalised, 40
registrations and their cameras) costs about 100 ms, and half the suite asks for it: it was a third of
the suite's time. The first test in a process builds it for real with `demo.town.build_town`; its new
rows are kept (raw, as the database holds them, so nothing is decrypted or encrypted again), and later
tests insert the same rows with one statement per table (COPY on PostgreSQL). Every date and time is moved by the time since
the town was built, so "registered 400 days ago" stays true, also under a test's own clock.

The copy is used only when every table the town fills is empty, as it was when the town was built;
otherwise (a test that made its own agency first, say) the town is built for real. No audit entry is
written while the town is built (checked): a copied entry would break the hash chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from demo.town import build_town


@dataclass
class _Table:
    name: str
    columns: list[str]
    rows: list[tuple]
    shift: list[str]  # per column: "datetime", "date", "json" or ""


_snapshots: dict[tuple, tuple[datetime, list[_Table]]] = {}


def town_rows(*, registrations: int, seed: int) -> None:
    """Build the town, or copy it in from this process's first build when the tables are as they were then."""
    key = (connection.vendor, connection.settings_dict["NAME"], registrations, seed)
    snapshot = _snapshots.get(key)
    if snapshot is not None and snapshot[1] and _all_empty([table.name for table in snapshot[1]]):
        _copy_in(*snapshot)
        return
    counts_before = _counts()
    built_at = timezone.now()
    build_town(registrations=registrations, seed=seed)
    if snapshot is None:
        _snapshots[key] = (built_at, _new_rows(counts_before))


def _counts() -> dict[str, int]:
    return {table: _count(table) for table in connection.introspection.django_table_names(only_existing=True)}


def _all_empty(tables: list[str]) -> bool:
    """Whether every one of these tables is empty, in one query (a COUNT each cost a round trip each)."""
    quote = connection.ops.quote_name
    found = " OR ".join(f"EXISTS (SELECT 1 FROM {quote(table)})" for table in tables)  # table names only
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CASE WHEN {found} THEN 0 ELSE 1 END")  # noqa: S608
        return bool(cursor.fetchone()[0])


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name
        return cursor.fetchone()[0]


def _field_kinds() -> dict[tuple[str, str], str]:
    kinds = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_fields:
            if isinstance(field, models.DateTimeField):
                kinds[(model._meta.db_table, field.column)] = "datetime"
            elif isinstance(field, models.DateField):
                kinds[(model._meta.db_table, field.column)] = "date"
            elif isinstance(field, models.JSONField):
                kinds[(model._meta.db_table, field.column)] = "json"
    return kinds


def _new_rows(counts_before: dict[str, int]) -> list[_Table]:
    changed = [table for table, count in _counts().items() if count != counts_before.get(table, 0)]
    if any(counts_before.get(table, 0) for table in changed) or any("audit" in table for table in changed):
        return []  # only tables the town filled from empty are copied; an empty list means "always build"
    kinds = _field_kinds()
    tables = []
    with connection.cursor() as cursor:
        for table in changed:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - a table name
            columns = [column[0] for column in cursor.description]
            shift = [kinds.get((table, column), "") for column in columns]
            tables.append(_Table(table, columns, cursor.fetchall(), shift))
    return tables


def _shifted(value, kind: str, delta: timedelta):
    if kind == "date":
        days = timedelta(days=round(delta.total_seconds() / 86400))
        return value + days if isinstance(value, date) else (date.fromisoformat(value) + days).isoformat()
    if isinstance(value, datetime):
        return value + delta
    return str(datetime.fromisoformat(value) + delta)  # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]"


def _json_adapter():
    if connection.vendor != "postgresql":
        return None
    from psycopg.types.json import Jsonb  # psycopg reads jsonb as Python objects and writes them only wrapped

    return Jsonb


def _rows_to_insert(table: _Table, delta: timedelta, jsonb) -> list[tuple]:
    changing = [(index, kind) for index, kind in enumerate(table.shift) if kind and (kind != "json" or jsonb)]
    if not changing:
        return table.rows
    rows = []
    for row in table.rows:
        values = list(row)
        for index, kind in changing:
            value = values[index]
            if kind != "json" and value is not None:
                values[index] = _shifted(value, kind, delta)
            elif kind == "json" and isinstance(value, dict | list):  # Django reads jsonb as text; in case not
                values[index] = jsonb(value)
        rows.append(tuple(values))
    return rows


def _copy_in(built_at: datetime, tables: list[_Table]) -> None:
    delta = timezone.now() - built_at
    quote = connection.ops.quote_name
    jsonb = _json_adapter()
    # One transaction (also in a test with the database in autocommit): foreign keys are checked at its end.
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            names = ", ".join(quote(column) for column in table.columns)
            rows = _rows_to_insert(table, delta, jsonb)
            if connection.vendor == "postgresql":
                # COPY streams the rows in one statement: an INSERT per row (even pipelined) cost ~80 ms a town.
                with cursor.cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                continue
            marks = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)  # noqa: S608
        by_table = {model._meta.db_table: model for model in apps.get_models()}
        resets = connection.ops.sequence_reset_sql(no_style(), [by_table[t.name] for t in tables])
        if resets and connection.vendor == "postgresql":
            cursor.execute("; ".join(resets))  # no parameters: one round trip for all of them
        else:
            for statement in resets:
                cursor.execute(statement)
    from registrations.address_index import address_index_invalidate

    address_index_invalidate()
