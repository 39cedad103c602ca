"""Database triggers that make the audit table append-only below the ORM.

UPDATE is always refused. DELETE is refused unless a later checkpoint entry
(`audit.checkpoint`, written by `audit_purge_before`) says the row was purged: the
retention purge needs no special privileges, and `verify_audit_log` checks that
checkpoint's signature, so a forged checkpoint is still caught.

On SQLite, any later AlterField on AuditEntry rebuilds the table and drops these
triggers: such a migration must call `install(schema_editor.connection)` again.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# Spelled out in the SQL below as well; keep them in step.
TABLE = "audit_auditentry"
CHECKPOINT_ACTION = "audit.checkpoint"

_SQLITE_INSTALL = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_entry_refuse_update BEFORE UPDATE ON audit_auditentry
    BEGIN
        SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_entry_refuse_delete BEFORE DELETE ON audit_auditentry
    WHEN NOT EXISTS (
        SELECT 1 FROM audit_auditentry AS checkpoint
        WHERE checkpoint.action = 'audit.checkpoint'
          AND checkpoint.sequence > OLD.sequence
          AND CAST(json_extract(checkpoint.parameters, '$.purged_through_sequence') AS INTEGER) >= OLD.sequence
    )
    BEGIN
        SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused');
    END
    """,
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_refuse_update",
    "DROP TRIGGER IF EXISTS audit_entry_refuse_delete",
]

_POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND EXISTS (
            SELECT 1 FROM audit_auditentry AS checkpoint
            WHERE checkpoint.action = 'audit.checkpoint'
              AND checkpoint.sequence > OLD.sequence
              AND (checkpoint.parameters ->> 'purged_through_sequence')::bigint >= OLD.sequence
        ) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    """
    CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change()
    """,
    "DROP TRIGGER IF EXISTS audit_entry_refuse_truncate ON audit_auditentry",
    """
    CREATE TRIGGER audit_entry_refuse_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()
    """,
]
_POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry",
    "DROP TRIGGER IF EXISTS audit_entry_refuse_truncate ON audit_auditentry",
]


def _statements(connection: BaseDatabaseWrapper, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return _POSTGRESQL_INSTALL if install else _POSTGRESQL_DROP
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_DROP
    return []


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)


def installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE 'audit_entry_%%'", [TABLE]
            )
            return cursor.fetchone()[0] == 2
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            return cursor.fetchone()[0] == 2
    return False
