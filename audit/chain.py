"""The audit chain's arithmetic: what an entry's hash covers, the genesis value, and signed checkpoints.

Pure functions on entries, shared by the writer (`audit.services`) and the checker (`audit.verify`),
so neither imports the other for them.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.utils.crypto import salted_hmac

from audit.models import AuditEntry

GENESIS_HASH = "0" * 64
_CHECKPOINT_SALT = "cameraregistry.audit.checkpoint"


def canonical_content(entry: AuditEntry) -> bytes:
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
    # Added later: left out when empty, so every entry written before the field existed keeps its hash,
    # while setting or clearing it on any entry changes that entry's hash.
    if entry.data_agency_id is not None:
        content["data_agency_id"] = entry.data_agency_id
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_content(entry)).hexdigest()


def checkpoint_signature(checkpoint_sequence: int, purged_through: int, purged_last_hash: str, secret: str) -> str:
    value = f"{checkpoint_sequence}|{purged_through}|{purged_last_hash}"
    return salted_hmac(_CHECKPOINT_SALT, value, secret=secret, algorithm="sha256").hexdigest()


def checkpoint_is_genuine(entry: AuditEntry) -> bool:
    """True when the checkpoint was signed by this deployment (SECRET_KEY or a fallback)."""
    parameters = entry.parameters if isinstance(entry.parameters, dict) else {}
    try:
        purged_through = int(parameters["purged_through_sequence"])
        purged_last_hash = str(parameters["purged_last_hash"])
        signature = str(parameters["signature"])
    except (KeyError, TypeError, ValueError):
        return False
    if purged_through >= entry.sequence:
        return False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        expected = checkpoint_signature(entry.sequence, purged_through, purged_last_hash, secret)
        if hmac.compare_digest(expected, signature):
            return True
    return False
