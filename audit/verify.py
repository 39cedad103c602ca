"""Recompute the audit chain and compare it with the anchors kept outside the database.

Streams the entries in sequence order (bounded memory whatever the log size) and stops
at the first broken entry, saying what is wrong with it:

- missing: a sequence number is absent (deleted, or the tail cut off after an anchor)
- edited: an entry's content no longer matches its hash, or its id was changed, or its
  hash was recomputed so the next entry no longer links to it
- inserted: a forged entry sits between two entries that still link to each other
- reordered: an entry's hash proves it was written under another sequence number
- forged checkpoint: a purge checkpoint without this deployment's signature
- chain rewritten after anchor: the chain is self-consistent but differs from an anchor
- anchor mismatch: the anchor file itself is damaged or contradicts itself
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

from audit.anchors import Anchor, AnchorLineUnreadable, read_anchors
from audit.chain import GENESIS_HASH, checkpoint_is_genuine, compute_hash
from audit.guards import CHECKPOINT_ACTION
from audit.models import AuditEntry

# How far from its current place an entry's original sequence is searched for (reordering).
_REORDER_SEARCH_WINDOW = 8


@dataclass(frozen=True)
class Problem:
    kind: str
    sequence: int | None
    entry_id: int | None
    detail: str


@dataclass(frozen=True)
class VerificationResult:
    entries: int
    last_sequence: int | None
    anchors_checked: int
    problem: Problem | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        if self.problem is None:
            return (
                f"Audit log intact: {self.entries} entries, last sequence {self.last_sequence or 0}, "
                f"{self.anchors_checked} anchors checked"
            )
        where = f"sequence {self.problem.sequence}" if self.problem.sequence is not None else "the anchor file"
        entry = f" (entry id {self.problem.entry_id})" if self.problem.entry_id is not None else ""
        return f"Audit log broken at {where}{entry}: {self.problem.kind}: {self.problem.detail}"


@dataclass(frozen=True)
class _Link:
    sequence: int
    entry_id: int
    entry_hash: str


def _load_anchors(path: Path | None, through_sequence: int | None) -> dict[int, Anchor] | Problem:
    by_sequence: dict[int, Anchor] = {}
    try:
        for anchor in read_anchors(path):
            if through_sequence is not None and anchor.sequence > through_sequence:
                continue
            known = by_sequence.get(anchor.sequence)
            if known is not None and known.entry_hash != anchor.entry_hash:
                return Problem(
                    "anchor mismatch",
                    anchor.sequence,
                    None,
                    f"anchor file lines {known.line_number} and {anchor.line_number} record different hashes",
                )
            by_sequence.setdefault(anchor.sequence, anchor)
    except AnchorLineUnreadable as error:
        return Problem("anchor mismatch", None, None, str(error))
    return by_sequence


def _original_sequence(entry: AuditEntry) -> int | None:
    """The sequence under which this entry's stored hash was computed, if near its place."""
    candidates: list[int] = []
    predecessor = AuditEntry.objects.filter(entry_hash=entry.previous_hash).values_list("sequence", flat=True).first()
    if predecessor is not None:
        candidates += [predecessor + 1, predecessor]
    if entry.previous_hash == GENESIS_HASH:
        candidates.append(1)
    candidates += range(entry.sequence - _REORDER_SEARCH_WINDOW, entry.sequence + _REORDER_SEARCH_WINDOW + 1)
    probe = copy.copy(entry)
    for candidate in dict.fromkeys(candidates):
        if candidate < 1 or candidate == entry.sequence:
            continue
        probe.sequence = candidate
        if compute_hash(probe) == entry.entry_hash:
            return candidate
    return None


def _check_entry(
    entry: AuditEntry, expected_sequence: int, expected_previous: str, previous: _Link | None, before_previous: str
) -> Problem | None:
    if entry.sequence != expected_sequence:
        return Problem(
            "missing",
            expected_sequence,
            None,
            f"sequence {expected_sequence} to {entry.sequence - 1} are absent; the next entry present is "
            f"sequence {entry.sequence} (id {entry.pk})",
        )
    # The entry after a forged one still links to the entry before the forgery.
    skips_previous = (
        previous is not None and entry.previous_hash != expected_previous and entry.previous_hash == before_previous
    )
    if skips_previous:
        return Problem(
            "inserted",
            previous.sequence,
            previous.entry_id,
            f"the next entry (sequence {entry.sequence}) links past it to sequence {previous.sequence - 1}",
        )
    if compute_hash(entry) != entry.entry_hash:
        original = _original_sequence(entry)
        if original is not None:
            return Problem(
                "reordered",
                entry.sequence,
                entry.pk,
                f"it holds sequence {entry.sequence} but was written as {original}",
            )
        return Problem("edited", entry.sequence, entry.pk, "its content no longer matches its hash")
    if entry.previous_hash != expected_previous:
        if previous is None:
            return Problem(
                "edited", entry.sequence, entry.pk, "it does not link to the chain start (genesis or purge checkpoint)"
            )
        return Problem(
            "edited",
            previous.sequence,
            previous.entry_id,
            f"its hash was recomputed after a change: sequence {entry.sequence} still links to the original",
        )
    if entry.pk != entry.sequence:
        return Problem(
            "edited", entry.sequence, entry.pk, f"its id was changed (ids equal sequences, found {entry.pk})"
        )
    if entry.action == CHECKPOINT_ACTION and not checkpoint_is_genuine(entry):
        return Problem("forged checkpoint", entry.sequence, entry.pk, "the purge checkpoint's signature is not valid")
    return None


def _chain_start(
    start: int, anchors: dict[int, Anchor]
) -> tuple[str, int, Problem | None]:  # expected previous hash, anchors checked, problem
    if start == 1:
        return GENESIS_HASH, 0, None
    checkpoints = AuditEntry.objects.filter(
        action=CHECKPOINT_ACTION, sequence__gt=start - 1, parameters__purged_through_sequence=start - 1
    ).order_by("sequence")
    genuine = next((checkpoint for checkpoint in checkpoints.iterator() if checkpoint_is_genuine(checkpoint)), None)
    if genuine is None:
        return (
            "",
            0,
            Problem(
                "missing",
                start - 1,
                None,
                f"the log starts at sequence {start} and no signed purge checkpoint accounts for the entries before it",
            ),
        )
    purged_last_hash = genuine.parameters["purged_last_hash"]
    checked = 0
    for sequence in [sequence for sequence in anchors if sequence < start]:
        anchor = anchors.pop(sequence)
        if sequence == start - 1:
            checked += 1
            if anchor.entry_hash != purged_last_hash:
                return (
                    "",
                    checked,
                    Problem(
                        "chain rewritten after anchor",
                        sequence,
                        None,
                        f"anchor line {anchor.line_number} disagrees with the purge checkpoint (sequence {genuine.sequence})",
                    ),
                )
    return purged_last_hash, checked, None


def verify_chain(
    *, anchors_path: Path | None = None, through_sequence: int | None = None, chunk_size: int = 2000
) -> VerificationResult:
    """Verify from the first kept entry (genesis or the last purge checkpoint) to the end, or to `through_sequence`."""
    anchors = _load_anchors(anchors_path, through_sequence)
    if isinstance(anchors, Problem):
        return VerificationResult(0, None, 0, anchors)
    entries = AuditEntry.objects.order_by("sequence")
    if through_sequence is not None:
        entries = entries.filter(sequence__lte=through_sequence)
    first = entries.values_list("sequence", flat=True).first()
    if first is None:
        if anchors:
            anchor = anchors[min(anchors)]
            detail = f"the log is empty but anchor line {anchor.line_number} records sequence {anchor.sequence}"
            return VerificationResult(0, None, 0, Problem("missing", anchor.sequence, None, detail))
        return VerificationResult(0, None, 0)

    expected_previous, anchors_checked, problem = _chain_start(first, anchors)
    if problem is not None:
        return VerificationResult(0, None, anchors_checked, problem)
    expected_sequence, count = first, 0
    previous: _Link | None = None
    before_previous = ""
    for entry in entries.iterator(chunk_size=chunk_size):
        problem = _check_entry(entry, expected_sequence, expected_previous, previous, before_previous)
        if problem is None and (anchor := anchors.pop(entry.sequence, None)) is not None:
            anchors_checked += 1
            if anchor.entry_hash != entry.entry_hash:
                problem = Problem(
                    "chain rewritten after anchor",
                    entry.sequence,
                    entry.pk,
                    f"anchor line {anchor.line_number} ({anchor.written_at}) recorded hash {anchor.entry_hash[:16]}…, "
                    f"the entry now hashes to {entry.entry_hash[:16]}…",
                )
        if problem is not None:
            return VerificationResult(count, previous.sequence if previous else None, anchors_checked, problem)
        before_previous, expected_previous = expected_previous, entry.entry_hash
        previous = _Link(entry.sequence, entry.pk, entry.entry_hash)
        expected_sequence += 1
        count += 1

    last_sequence = previous.sequence if previous else None
    if anchors:
        anchor = anchors[min(anchors)]
        detail = (
            f"anchor line {anchor.line_number} records sequence {anchor.sequence} but the log ends at "
            f"sequence {last_sequence}: entries were removed from the end"
        )
        return VerificationResult(
            count, last_sequence, anchors_checked, Problem("missing", last_sequence + 1, None, detail)
        )
    return VerificationResult(count, last_sequence, anchors_checked)
