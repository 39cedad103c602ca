"""Writing, guarding, anchoring, purging and verifying the audit chain."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import anchors, guards
from audit.chain import GENESIS_HASH
from audit.models import AuditEntry, AuditLogIsAppendOnly
from audit.services import AuditChainBroken, audit_purge_before, audit_record
from audit.verify import verify_chain
from tests.audit import tamper


def record(count: int, action: str = "registration.view") -> list[AuditEntry]:
    return [audit_record(action=action, object_id=str(number), parameters={"n": number}) for number in range(count)]


@pytest.mark.django_db
def test_it_chains_entries_from_genesis_with_ids_equal_to_sequences():
    first, second = record(2)

    assert (first.sequence, second.sequence) == (1, 2)
    assert (first.pk, second.pk) == (1, 2)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.entry_hash


@pytest.mark.django_db
def test_it_keeps_actor_id_and_label_after_the_account_is_deleted(town):
    from accounts.models import User

    user = User.objects.create_user("doomed", password="correct horse battery", agency=town["maple"])
    entry = audit_record(action="staff.sign_in", actor=user)
    user_id = user.pk
    user.delete()

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor_id == user_id and stored.actor_label == "doomed"
    assert stored.agency_id == town["maple"].pk
    assert verify_chain().intact


@pytest.mark.django_db
def test_it_refuses_changes_through_the_orm():
    entry, _ = record(2)

    with pytest.raises(AuditLogIsAppendOnly):
        entry.outcome = "failure"
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(outcome="failure")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.bulk_create([AuditEntry(sequence=99)])
    assert verify_chain().intact


@pytest.mark.django_db
def test_the_database_refuses_raw_updates_and_deletes():
    entry, _ = record(2)
    assert guards.installed(connection)

    for statement in (
        f"UPDATE {guards.TABLE} SET outcome = 'failure' WHERE id = %s",
        f"DELETE FROM {guards.TABLE} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).outcome == "success"


@pytest.mark.django_db
def test_a_forged_unsigned_checkpoint_lets_the_trigger_delete_but_verify_catches_it():
    """The trigger cannot check signatures; the verifier does."""
    record(3)
    forged = audit_record(
        action="audit.checkpoint",
        parameters={"purged_through_sequence": 2, "purged_last_hash": "a" * 64, "signature": "b" * 64},
    )

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {guards.TABLE} WHERE sequence <= 2")

    result = verify_chain()
    assert not result.intact
    assert result.problem.kind == "missing" and result.problem.sequence == 2, result.message
    assert forged.sequence == 4


@pytest.mark.django_db
def test_purge_removes_old_entries_and_the_chain_still_verifies(tmp_path):
    old = record(5)
    cutoff = timezone.now()
    kept = record(2)
    anchors.anchor_write(old[-1].sequence, old[-1].entry_hash)
    anchors.anchor_write(kept[-1].sequence, kept[-1].entry_hash)

    removed = audit_purge_before(cutoff)

    assert removed == 5
    assert list(AuditEntry.objects.values_list("sequence", flat=True)) == [6, 7, 8]
    checkpoint = AuditEntry.objects.get(sequence=8)
    assert checkpoint.action == "audit.checkpoint"
    assert checkpoint.parameters["purged_through_sequence"] == 5
    assert checkpoint.parameters["purged_last_hash"] == old[-1].entry_hash
    result = verify_chain()
    assert result.intact, result.message
    assert result.anchors_checked == 2
    assert audit_purge_before(cutoff) == 0


@pytest.mark.django_db
def test_purge_then_deleting_the_next_entry_is_detected():
    record(3)
    cutoff = timezone.now()
    kept = record(2)
    audit_purge_before(cutoff)

    tamper.delete(kept[0].pk)

    result = verify_chain()
    assert result.problem.kind == "missing" and result.problem.sequence == kept[0].sequence, result.message


@pytest.mark.django_db
def test_a_checkpoint_signed_with_another_key_is_reported_as_forged(settings):
    record(3)
    cutoff = timezone.now()
    record(1)
    audit_purge_before(cutoff)
    assert verify_chain().intact
    original_key = settings.SECRET_KEY

    settings.SECRET_KEY = "a-different-deployment-secret-" * 2
    result = verify_chain()
    assert result.problem.kind == "missing" and result.problem.sequence == 3, result.message

    # Rotating SECRET_KEY with the signing one kept as a fallback keeps old checkpoints valid.
    settings.SECRET_KEY_FALLBACKS = [original_key]
    assert verify_chain().intact


@pytest.mark.django_db
def test_purge_refuses_to_erase_a_broken_log():
    entries = record(4)
    cutoff = timezone.now()
    record(1)
    tamper.set_field(entries[1].pk, "outcome", "failure")

    with pytest.raises(AuditChainBroken, match="sequence 2"):
        audit_purge_before(cutoff)
    assert AuditEntry.objects.count() == 5


@pytest.mark.django_db
def test_purge_of_an_empty_log_does_nothing():
    assert audit_purge_before(timezone.now()) == 0
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_anchor_command_appends_the_chain_head(settings):
    entries = record(3)

    call_command("anchor_audit_log", stdout=open("/dev/null", "w"))
    call_command("anchor_audit_log", stdout=open("/dev/null", "w"))

    lines = (settings.DATA_DIR / "audit-anchors.log").read_text().splitlines()
    assert len(lines) == 2
    written_at, sequence, entry_hash = lines[-1].split()
    assert written_at.endswith("Z") and datetime.datetime.fromisoformat(written_at)
    assert (int(sequence), entry_hash) == (entries[-1].sequence, entries[-1].entry_hash)


@pytest.mark.django_db
def test_anchor_command_on_an_empty_log_writes_nothing(settings, capsys):
    call_command("anchor_audit_log")

    assert "empty" in capsys.readouterr().out
    assert not (settings.DATA_DIR / "audit-anchors.log").exists()


@pytest.mark.django_db
def test_writes_anchor_after_commit_at_most_once_a_minute_and_exports_always(
    settings, django_capture_on_commit_callbacks
):
    anchor_file = settings.DATA_DIR / "audit-anchors.log"
    with django_capture_on_commit_callbacks(execute=True):
        first = audit_record(action="registration.view")
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(action="registration.view")
    assert anchor_file.read_text().split()[1:] == [str(first.sequence), first.entry_hash]

    with django_capture_on_commit_callbacks(execute=True):
        export = audit_record(action="canvass.export")
    assert anchor_file.read_text().splitlines()[-1].split()[1:] == [str(export.sequence), export.entry_hash]
    assert len(anchor_file.read_text().splitlines()) == 2


@pytest.mark.django_db
def test_a_rolled_back_entry_is_never_anchored(settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            audit_record(action="canvass.export")
            transaction.set_rollback(True)

    assert not (settings.DATA_DIR / "audit-anchors.log").exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_syslog_receives_anchors_when_enabled(settings, monkeypatch):
    received = []

    class FakeLogger:
        def info(self, message):
            received.append(message)

    monkeypatch.setattr(anchors, "_syslog", lambda: FakeLogger())
    entry = record(1)[0]
    anchors.anchor_write(entry.sequence, entry.entry_hash)
    assert received == []

    settings.AUDIT_SYSLOG = True
    anchors.anchor_write(entry.sequence, entry.entry_hash)
    assert received and received[0].endswith(f" {entry.sequence} {entry.entry_hash}")


@pytest.mark.django_db
def test_verify_command_reports_an_intact_log(settings, capsys):
    entries = record(4)
    anchors.anchor_write(entries[1].sequence, entries[1].entry_hash)
    anchors.anchor_write(entries[3].sequence, entries[3].entry_hash)

    call_command("verify_audit_log", "--chunk-size", "1")

    assert capsys.readouterr().out.strip() == "Audit log intact: 4 entries, last sequence 4, 2 anchors checked"


@pytest.mark.django_db
def test_verify_command_names_the_first_broken_entry_and_exits_1():
    entries = record(5)
    tamper.set_field(entries[2].pk, "parameters", {"n": 999})
    tamper.set_field(entries[3].pk, "outcome", "denied")

    with pytest.raises(CommandError) as raised:
        call_command("verify_audit_log")

    assert raised.value.returncode == 1
    assert str(raised.value) == (
        f"Audit log broken at sequence 3 (entry id {entries[2].pk}): edited: its content no longer matches its hash"
    )


@pytest.mark.django_db
def test_verify_reports_an_edit_whose_hash_was_recomputed():
    entries = record(4)
    target = AuditEntry.objects.get(pk=entries[1].pk)
    target.outcome = "denied"
    from audit.chain import compute_hash

    tamper.set_field(target.pk, "outcome", "denied")
    tamper.set_field(target.pk, "entry_hash", compute_hash(target))

    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == ("edited", 2), result.message
    assert "recomputed" in result.problem.detail


@pytest.mark.django_db
def test_verify_reports_a_damaged_or_contradictory_anchor_file(settings):
    entries = record(2)
    anchor_file = settings.DATA_DIR / "audit-anchors.log"
    anchor_file.write_text("2026-01-01T00:00:00Z two nonsense\n")
    assert verify_chain().problem.kind == "anchor mismatch"
    assert "line 1" in verify_chain().message

    anchor_file.write_text(f"t 1 {entries[0].entry_hash}\nt 1 {'f' * 64}\n")
    result = verify_chain()
    assert result.problem.kind == "anchor mismatch" and "lines 1 and 2" in result.message


@pytest.mark.django_db
def test_verify_catches_an_emptied_log_with_anchors():
    entries = record(2)
    anchors.anchor_write(entries[-1].sequence, entries[-1].entry_hash)

    tamper.run(f"DELETE FROM {guards.TABLE}")

    assert verify_chain().problem.kind == "missing"


@pytest.mark.django_db
def test_verify_of_an_empty_log_without_anchors_is_intact():
    result = verify_chain()
    assert result.intact and result.message == "Audit log intact: 0 entries, last sequence 0, 0 anchors checked"


@pytest.mark.postgresql  # SQLite has one writer by design
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_share_a_sequence_on_postgresql():
    from django.db import connections

    writers, per_writer = 6, 15
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            start.wait()
            for number in range(per_writer):
                audit_record(action="canvass.search", parameters={"n": number})
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sequences = list(AuditEntry.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, writers * per_writer + 1))
    assert verify_chain().intact


def _hash_before_data_agency(entry: AuditEntry) -> str:
    """The entry hash exactly as computed before AuditEntry.data_agency existed (spelled out on purpose)."""
    import hashlib
    import json

    content = {
        "sequence": entry.sequence,
        "occurred_at": entry.occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "agency_id": entry.agency_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "parameters": entry.parameters,
        "outcome": entry.outcome,
        "source_ip": entry.source_ip,
        "previous_hash": entry.previous_hash,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


@pytest.mark.django_db
def test_a_chain_mixing_entries_from_before_and_after_data_agency_verifies_and_the_field_is_covered(town):
    from io import StringIO

    older = record(3)
    partner_use = audit_record(
        action="sharing.use", agency=town["cedar"], data_agency=town["maple"], object_id="shared", parameters={}
    )
    newer = record(2)

    # Entries without a data agency hash exactly as entries written before the field existed.
    for entry in [*older, *newer]:
        assert AuditEntry.objects.get(pk=entry.pk).entry_hash == _hash_before_data_agency(entry)
    assert partner_use.entry_hash != _hash_before_data_agency(partner_use)
    out = StringIO()
    call_command("verify_audit_log", stdout=out)
    assert "intact: 6 entries" in out.getvalue()

    for forged in (None, town["cedar"].pk):
        with transaction.atomic():
            tamper.set_field(partner_use.pk, "data_agency", forged)
            result = verify_chain()
            assert not result.intact and result.problem.sequence == partner_use.sequence, result.message
            transaction.set_rollback(True)
    with transaction.atomic():
        tamper.set_field(older[1].pk, "data_agency", town["maple"].pk)
        assert verify_chain().problem.sequence == older[1].sequence
        transaction.set_rollback(True)
    assert verify_chain().intact
