"""The only way to write the audit log. Called inside the services that do the work."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEntry

GENESIS_HASH = "0" * 64


def canonical_content(entry: AuditEntry) -> bytes:
    content = {
        "sequence": entry.sequence,
        "occurred_at": entry.occurred_at.astimezone(timezone.UTC).isoformat(timespec="microseconds"),
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
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_content(entry)).hexdigest()


def audit_record(
    *,
    action: str,
    actor=None,
    agency=None,
    object_type: str = "",
    object_id: str | int = "",
    parameters: dict[str, Any] | None = None,
    outcome: str = "success",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry to the chain. Never pass passwords, tokens or secrets in `parameters`."""
    from cameraregistry.ratelimit import client_ip

    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if agency is None and actor is not None:
        agency = getattr(actor, "agency", None)
    with transaction.atomic():
        # Serialise writers so sequence numbers and the chain stay linear (PostgreSQL and SQLite alike).
        last = AuditEntry.objects.select_for_update().order_by("-sequence").first()
        entry = AuditEntry(
            sequence=(last.sequence + 1) if last else 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=(actor.get_username() if actor is not None else ""),
            agency=agency,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            parameters=json.loads(json.dumps(parameters or {}, default=str)),
            outcome=outcome,
            source_ip=client_ip(request) if request is not None else "",
            previous_hash=last.entry_hash if last else GENESIS_HASH,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save(force_insert=True)
    return entry
