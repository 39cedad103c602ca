"""Raw-SQL tampering with the audit table, bypassing the ORM guard and the triggers.

Call only inside a transaction that the test rolls back (or a test database): the
triggers are dropped first and are back after the rollback.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from audit import guards
from audit.chain import compute_hash
from audit.models import AuditEntry

TABLE = guards.TABLE


def column(field_name: str) -> str:
    return AuditEntry._meta.get_field(field_name).column


def prepared(field_name: str, value: Any) -> Any:
    if value is None:
        return None
    return AuditEntry._meta.get_field(field_name).get_db_prep_value(value, connection)


def run(sql: str, params: list | None = None) -> None:
    guards.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def set_field(entry_id: int, field_name: str, value: Any) -> None:
    run(f'UPDATE {TABLE} SET "{column(field_name)}" = %s WHERE id = %s', [prepared(field_name, value), entry_id])


def delete(entry_id: int) -> None:
    run(f"DELETE FROM {TABLE} WHERE id = %s", [entry_id])


def swap_sequences(first_id: int, second_id: int) -> None:
    first = AuditEntry.objects.values_list("sequence", flat=True).get(pk=first_id)
    second = AuditEntry.objects.values_list("sequence", flat=True).get(pk=second_id)
    run(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [-first, first_id])
    run(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [first, second_id])
    run(f"UPDATE {TABLE} SET sequence = %s WHERE id = %s", [second, first_id])


def _insert_row(entry: AuditEntry) -> None:
    names = [
        "id",
        "sequence",
        "occurred_at",
        "actor",
        "actor_label",
        "agency",
        "action",
        "object_type",
        "object_id",
        "parameters",
        "outcome",
        "source_ip",
        "previous_hash",
        "entry_hash",
    ]
    columns = ", ".join(f'"{column(name)}"' for name in names)
    values = [prepared(name, getattr(entry, AuditEntry._meta.get_field(name).attname)) for name in names]
    run(f"INSERT INTO {TABLE} ({columns}) VALUES ({', '.join(['%s'] * len(names))})", values)


def insert_forged(at_sequence: int, *, rewrite_tail: bool, action: str = "registration.view") -> None:
    """Slip a forged entry (with a correctly computed hash) in at `at_sequence`.

    Later entries move up by one. With `rewrite_tail`, every later hash is recomputed too,
    so the chain is self-consistent again and only an anchor can tell.
    """
    later = list(
        AuditEntry.objects.filter(sequence__gte=at_sequence).order_by("-sequence").values_list("pk", "sequence")
    )
    for entry_id, sequence in later:
        run(f"UPDATE {TABLE} SET id = %s, sequence = %s WHERE id = %s", [entry_id + 1, sequence + 1, entry_id])
    before = AuditEntry.objects.filter(sequence=at_sequence - 1).values_list("entry_hash", flat=True).first()
    template = AuditEntry.objects.filter(sequence__lt=at_sequence).order_by("-sequence").first() or (
        AuditEntry.objects.order_by("sequence").first()
    )
    forged = AuditEntry(
        pk=at_sequence,
        sequence=at_sequence,
        occurred_at=template.occurred_at,
        actor_label="nobody",
        action=action,
        object_type="registration",
        object_id="forged",
        parameters={"reason": "cover story"},
        outcome="success",
        source_ip="203.0.113.9",
        previous_hash=before or "0" * 64,
    )
    forged.entry_hash = compute_hash(forged)
    _insert_row(forged)
    if rewrite_tail:
        previous_hash = forged.entry_hash
        for entry in AuditEntry.objects.filter(sequence__gt=at_sequence).order_by("sequence"):
            entry.previous_hash = previous_hash
            new_hash = compute_hash(entry)
            run(
                f"UPDATE {TABLE} SET previous_hash = %s, entry_hash = %s WHERE id = %s",
                [previous_hash, new_hash, entry.pk],
            )
            previous_hash = new_hash
