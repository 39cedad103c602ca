"""Property tests: any single tampering with the stored log is caught by verify_audit_log."""

from __future__ import annotations

import datetime
import string

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from audit.anchors import anchor_write
from audit.models import AuditEntry
from audit.services import audit_record
from audit.verify import verify_chain
from tests.audit import tamper

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

safe_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=20
)
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), safe_text)
hexdigests = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)

NEW_VALUES = {
    "actor": st.one_of(st.none(), st.integers(1, 10**6)),
    "agency": st.one_of(st.none(), st.integers(1, 10**6)),
    "data_agency": st.one_of(st.none(), st.integers(1, 10**6)),
    "actor_label": safe_text,
    "action": safe_text,
    "object_type": safe_text,
    "object_id": safe_text,
    "outcome": safe_text,
    "source_ip": safe_text,
    "occurred_at": st.datetimes(
        min_value=datetime.datetime(2000, 1, 1),
        max_value=datetime.datetime(2090, 1, 1),
        timezones=st.just(datetime.UTC),
    ),
    "parameters": st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=8), json_scalars, max_size=4),
    "previous_hash": hexdigests,
    "entry_hash": hexdigests,
    "sequence": st.integers(-1000, 10**6),
    "id": st.integers(1, 10**6),
}


def build_log(size: int, anchors_path) -> list[AuditEntry]:
    """A small chain with the usual variety of values, and its head anchored outside the database."""
    anchors_path.unlink(missing_ok=True)
    entries = [
        audit_record(
            action=["canvass.search", "registration.view", "registration.export", "staff.sign_in"][number % 4],
            object_type="registration",
            object_id=str(1000 + number),
            parameters={"case": f"2026-{number:04d}", "radius_m": 150 + number},
            outcome="success" if number % 3 else "denied",
        )
        for number in range(size)
    ]
    anchor_write(entries[-1].sequence, entries[-1].entry_hash, anchors_path)
    assert verify_chain(anchors_path=anchors_path).intact
    return entries


def current_value(entry: AuditEntry, field_name: str):
    return getattr(entry, AuditEntry._meta.get_field(field_name).attname)


@PROPERTY_SETTINGS
@given(
    size=st.integers(2, 10), position=st.integers(0, 9), field_name=st.sampled_from(sorted(NEW_VALUES)), data=st.data()
)
@pytest.mark.slow
def test_any_single_field_edit_is_detected(tmp_path, size, position, field_name, data):
    new_value = data.draw(NEW_VALUES[field_name], label="new value")
    with transaction.atomic():
        anchors_path = tmp_path / "anchors.log"
        entries = build_log(size, anchors_path)
        target = entries[position % size]
        assume(new_value != current_value(target, field_name))
        if field_name in {"sequence", "id"}:
            taken = set(AuditEntry.objects.values_list(field_name, flat=True))
            assume(new_value not in taken)
        if field_name == "entry_hash":
            assume(new_value not in {entry.entry_hash for entry in entries})

        tamper.set_field(target.pk, field_name, new_value)
        result = verify_chain(anchors_path=anchors_path)

        assert not result.intact, f"editing {field_name} of sequence {target.sequence} went unnoticed"
        if field_name not in {"sequence", "previous_hash"}:
            assert result.problem.sequence == target.sequence, result.message
            assert result.problem.kind == "edited", result.message
        transaction.set_rollback(True)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(size=st.integers(1, 10), position=st.integers(0, 9))
def test_deleting_any_entry_is_detected(tmp_path, size, position):
    with transaction.atomic():
        anchors_path = tmp_path / "anchors.log"
        entries = build_log(size, anchors_path)
        target = entries[position % size]

        tamper.delete(target.pk)
        result = verify_chain(anchors_path=anchors_path)

        assert not result.intact
        assert result.problem.kind == "missing", result.message
        assert result.problem.sequence == target.sequence, result.message
        transaction.set_rollback(True)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(size=st.integers(1, 10), position=st.integers(0, 9), rewrite_tail=st.booleans())
def test_inserting_a_forged_entry_is_detected(tmp_path, size, position, rewrite_tail):
    with transaction.atomic():
        anchors_path = tmp_path / "anchors.log"
        entries = build_log(size, anchors_path)
        at_sequence = entries[position % size].sequence

        tamper.insert_forged(at_sequence, rewrite_tail=rewrite_tail)
        result = verify_chain(anchors_path=anchors_path)

        assert not result.intact
        if rewrite_tail or at_sequence == entries[-1].sequence:
            # Self-consistent again (or the forgery took the anchored place): the anchor tells.
            assert result.problem.kind == "chain rewritten after anchor", result.message
        else:
            assert result.problem.kind == "inserted", result.message
            assert result.problem.sequence == at_sequence, result.message
        transaction.set_rollback(True)


@pytest.mark.slow
@PROPERTY_SETTINGS
@given(size=st.integers(2, 10), first=st.integers(0, 9), second=st.integers(0, 9))
def test_swapping_the_sequence_of_two_entries_is_detected(tmp_path, size, first, second):
    first, second = sorted((first % size, second % size))
    assume(first != second)
    with transaction.atomic():
        anchors_path = tmp_path / "anchors.log"
        entries = build_log(size, anchors_path)

        tamper.swap_sequences(entries[first].pk, entries[second].pk)
        result = verify_chain(anchors_path=anchors_path)

        assert not result.intact
        assert result.problem.kind == "reordered", result.message
        assert result.problem.sequence == entries[first].sequence, result.message
        transaction.set_rollback(True)


def test_a_tail_rewrite_is_invisible_without_anchors_and_caught_with_them(tmp_path):
    """Why anchors exist: a full rewrite of the tail is self-consistent inside the database."""
    anchors_path = tmp_path / "anchors.log"
    entries = build_log(6, anchors_path)

    tamper.insert_forged(entries[2].sequence, rewrite_tail=True)

    assert verify_chain(anchors_path=tmp_path / "no-anchors.log").intact
    result = verify_chain(anchors_path=anchors_path)
    assert result.problem.kind == "chain rewritten after anchor"
    assert result.problem.sequence == entries[-1].sequence
