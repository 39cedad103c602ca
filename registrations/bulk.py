"""Writing many registrations, cameras and consents at once, as the importer and the demo town do.

The ORM's bulk_create spends most of a large write preparing values field by field; `BulkWriter`
takes ready-made rows and sends them in batches: `COPY ... FROM STDIN` on PostgreSQL (the server
parses it several times faster than INSERTs), one `executemany` per batch on SQLite.

Values of encrypted columns (`EncryptedTextField`: owner name, phone, email, the alternate
person's) are given as plain text and sealed here with `cameraregistry.crypto.encrypt`, exactly
as the model field seals them: empty stays empty. No caller encrypts by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import islice

from django.core.management.color import no_style
from django.db import connection

from cameraregistry.crypto import EncryptedTextField, encrypt

IMPORT_PAGE_CACHE_KIB = 256 * 1024


class BulkWriter:
    """Rows of one model: the primary key first (unless ids=False: the database numbers the rows, for rows
    nothing refers to), then `field_names` in order.

    defaults=True: columns not named get what the ORM would write — the field's default (called
    per row when it is a function, like `public_id`), or `now` for auto_now fields.
    defaults=False: only the named columns are written (the demo names every column it fills).
    """

    def __init__(
        self, model, field_names: list[str], *, now: datetime | None = None, defaults: bool = True, ids: bool = True
    ) -> None:
        meta = model._meta
        given = [meta.get_field(name) for name in field_names]
        rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key] if defaults else []
        self.model = model
        self.per_row = [f for f in rest if f.has_default() and callable(f.default)]
        fixed = [f for f in rest if f not in self.per_row]
        self.fixed_values = tuple(
            f.get_db_prep_save(
                now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default(),
                connection,
            )
            for f in fixed
        )
        # Positions (after the primary key) of the values sealed as EncryptedTextField seals them.
        first = 1 if ids else 0
        self.encrypted = [first + i for i, f in enumerate(given) if isinstance(f, EncryptedTextField)]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [*([meta.pk] if ids else []), *given, *self.per_row, *fixed])
        width = first + len(given) + len(rest)
        self.sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ("  # noqa: S608 - names from model metadata
            + ", ".join(["%s"] * width)
            + ")"
        )
        self.copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        self.rows: list[tuple] = []
        self._next_id: int | None = None

    def prepare(self, values: tuple) -> tuple:
        """The row as stored: encrypted values sealed, defaults of the columns not named added."""
        row = list(values)
        for position in self.encrypted:
            if row[position]:
                row[position] = encrypt(row[position])
        if self.per_row:
            row.extend(f.get_db_prep_save(f.get_default(), connection) for f in self.per_row)
        row.extend(self.fixed_values)
        return tuple(row)

    def add(self, *values) -> None:
        """One row, written at the next `flush`: its id (unless ids=False), then the values of `field_names`."""
        self.rows.append(self.prepare(values))

    def write_all(self, rows: Iterable[tuple], batch: int = 2000) -> None:
        """Write rows as `add` takes them, produced while they are sent: on PostgreSQL one COPY for all,
        so the server stores rows while this process seals the next ones; on SQLite one executemany per batch."""
        prepared = map(self.prepare, rows)
        if connection.vendor == "postgresql":
            self._copy(prepared)
            return
        with connection.cursor() as cursor:
            while chunk := list(islice(prepared, batch)):
                cursor.executemany(self.sql, chunk)

    def add_next(self, *values) -> int:
        """Add a row with the next id after the table's highest (a writer alone on the table, like the demo)."""
        if self._next_id is None:
            self._next_id = (self.model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        row_id = self._next_id
        self._next_id += 1
        self.add(row_id, *values)
        return row_id

    def reserve_ids(self, count: int) -> list[int]:
        return reserve_ids(self.model, count)

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            self._copy(self.rows)
        else:
            # executemany, not one multi-row statement: Django's debug logging formats every parameter
            # of a single statement.
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
        self.rows = []

    def _copy(self, rows: Iterable[tuple]) -> None:
        # COPY streams the rows in one statement. The raw psycopg cursor is in Django's transaction.
        connection.ensure_connection()
        with connection.wrap_database_errors, connection.connection.cursor() as cursor:
            with cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)

    def reset_sequence(self) -> None:
        """After ids were given by `add_next`: the table's sequence continues after them."""
        statements = connection.ops.sequence_reset_sql(no_style(), [self.model])
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def reserve_ids(model, count: int) -> list[int]:
    """Primary keys for rows about to be inserted, so related rows can refer to them without reading ids back."""
    if count == 0:
        return []
    quote = connection.ops.quote_name
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # From the table's own sequence: a concurrent writer can never be handed the same ids.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [quote(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the caller's write transaction is IMMEDIATE, so nobody else inserts before we do.
        # sqlite_sequence also remembers deleted rows' ids, which AUTOINCREMENT never hands out again.
        cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608 - our own table
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        remembered = cursor.fetchone()
        first = max(highest, remembered[0] if remembered else 0) + 1
    return list(range(first, first + count))


@contextmanager
def large_page_cache() -> Iterator[None]:
    """SQLite's default 2 MB page cache thrashes on a big write's random index inserts (public ids,
    email hashes); a larger cache for the write's duration keeps insert time per row flat."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {previous}")
