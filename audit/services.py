"""The only way to write the audit log. Called inside the services that do the work."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit import anchors
from audit.alerts import audit_failure_alert
from audit.chain import GENESIS_HASH, checkpoint_signature, compute_hash
from audit.guards import CHECKPOINT_ACTION, TABLE
from audit.models import AuditEntry
from audit.verify import verify_chain
from cameraregistry.http import client_ip

# Arbitrary constant naming "the audit chain" among PostgreSQL advisory locks.
AUDIT_CHAIN_LOCK_ID = 7_362_917_450


class AuditChainBroken(Exception):
    """The chain failed verification; the message names the first broken entry."""


class AuditWriteFailed(Exception):
    """The audit entry could not be written, so the action it records must not happen (fail closed).

    Raised inside the action's transaction, which it rolls back; the administrators have
    been alerted. `audit.middleware.AuditFailureMiddleware` answers it with a 503 page.
    """

    def __init__(self, action: str) -> None:
        super().__init__(f"The audit entry for {action!r} could not be written; the action was refused.")
        self.action = action


def _lock_chain() -> None:
    """Serialise writers until the surrounding transaction ends.

    PostgreSQL: a transaction-scoped advisory lock (row locks on "the last row" do not
    stop two writers from both reading the same last row). SQLite: every transaction
    starts with BEGIN IMMEDIATE (settings), so there is only ever one writer.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_ID])


def _append(
    *,
    action: str,
    actor=None,
    agency=None,
    data_agency=None,
    object_type: str = "",
    object_id: str | int | UUID = "",
    parameters: dict[str, Any] | Callable[[int], dict[str, Any]] | None = None,
    outcome: str = "success",
    source_ip: str = "",
) -> AuditEntry:
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-sequence").values("sequence", "entry_hash").first()
        sequence = (last["sequence"] + 1) if last else 1
        if callable(parameters):
            parameters = parameters(sequence)
        entry = AuditEntry(
            pk=sequence,
            sequence=sequence,
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=(actor.get_username() if actor is not None else "")[:200],
            agency=agency,
            data_agency=data_agency,
            action=action[:60],
            object_type=object_type[:60],
            object_id=str(object_id)[:64],
            parameters=json.loads(json.dumps(parameters or {}, default=str)),
            outcome=outcome[:20],
            source_ip=source_ip[:64],
            previous_hash=last["entry_hash"] if last else GENESIS_HASH,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
        # Anchor only what is committed: an anchor of a rolled-back entry would look like tampering.
        force = action.endswith(".export") or action == CHECKPOINT_ACTION
        transaction.on_commit(lambda: anchors.anchor_if_due(entry.sequence, entry.entry_hash, force=force))
    return entry


def _append_or_refuse(**fields: Any) -> AuditEntry:
    """`_append`, but any failure alerts the administrators and becomes AuditWriteFailed."""
    try:
        return _append(**fields)
    except Exception as error:  # noqa: BLE001 - whatever stopped the write, the action must not go ahead
        agency = fields.get("agency")
        audit_failure_alert(action=fields["action"], agency_id=getattr(agency, "pk", None), error=error)
        raise AuditWriteFailed(fields["action"]) from error


def audit_record(
    *,
    action: str,
    actor=None,
    agency=None,
    data_agency=None,
    object_type: str = "",
    object_id: str | int | UUID = "",
    parameters: dict[str, Any] | None = None,
    outcome: str = "success",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Never pass passwords, tokens or secrets in `parameters`.

    `agency` is the agency that acted (the actor's, by default); `data_agency` the agency whose
    data was used when that is another one (sharing agreements): both see the entry.

    Fails closed: if the entry cannot be written, AuditWriteFailed is raised (rolling back the
    caller's transaction) after the administrators were alerted.

    An action ending in ".export" anchors the chain head outside the database as soon as
    the transaction commits; any other action does so when the last anchor is over a minute old.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    return _append_or_refuse(
        action=action,
        actor=actor,
        agency=agency,
        data_agency=data_agency,
        object_type=object_type,
        object_id=object_id,
        parameters=parameters,
        outcome=outcome,
        source_ip=client_ip(request) if request is not None else "",
    )


def audit_purge_before(cutoff: datetime.datetime, *, actor=None) -> int:
    """Remove every entry older than `cutoff` (retention), keeping the chain verifiable.

    Only a leading run of entries is removed (sequence 1..S where every one is older than
    the cutoff). A signed checkpoint entry is appended first, recording S and the hash of
    entry S, so `verify_audit_log` restarts the chain from it; the database triggers allow
    exactly those deletes because that checkpoint exists. The removed range is verified
    first: evidence of tampering is never purged. Returns how many entries were removed.
    """
    with transaction.atomic():
        _lock_chain()
        first_kept = AuditEntry.objects.filter(occurred_at__gte=cutoff).order_by("sequence").values("sequence").first()
        last_entry = AuditEntry.objects.order_by("-sequence").values("sequence").first()
        if last_entry is None:
            return 0
        purged_through = (first_kept["sequence"] - 1) if first_kept else last_entry["sequence"]
        oldest = AuditEntry.objects.order_by("sequence").values("sequence").first()
        if oldest is None or purged_through < oldest["sequence"]:
            return 0
        result = verify_chain(through_sequence=purged_through)
        if not result.intact:
            raise AuditChainBroken(f"Refusing to purge a broken audit log: {result.message}")
        purged_last_hash = AuditEntry.objects.values_list("entry_hash", flat=True).get(sequence=purged_through)
        removed = purged_through - oldest["sequence"] + 1

        def checkpoint_parameters(sequence: int) -> dict[str, Any]:
            return {
                "purged_through_sequence": purged_through,
                "purged_last_hash": purged_last_hash,
                "purged_count": removed,
                "cutoff": cutoff.astimezone(datetime.UTC).isoformat(),
                "signature": checkpoint_signature(sequence, purged_through, purged_last_hash, settings.SECRET_KEY),
            }

        _append_or_refuse(
            action=CHECKPOINT_ACTION,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            agency=None,
            object_type="audit_log",
            parameters=checkpoint_parameters,
        )
        with connection.cursor() as cursor:
            # The ORM refuses deletes on purpose; this is the one sanctioned path.
            cursor.execute(f"DELETE FROM {TABLE} WHERE sequence <= %s", [purged_through])  # noqa: S608
    return removed
