"""Telling people that the audit log cannot be written, and that actions are being refused because of it.

Every failure is logged at ERROR. An email goes to the deployment's ADMINS and to the active
administrators of the agency concerned, straight through Django's mail framework: a queued
task would need the very database write that may be failing, and would roll back with the
refused action. At most one email per agency every ALERT_INTERVAL_SECONDS, so an outage does
not flood mailboxes.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.utils import timezone

from accounts.models import Role, User
from agencies.models import Agency
from cameraregistry.mail import send_templated_email

logger = logging.getLogger("audit")
ALERT_INTERVAL_SECONDS = 300


def _recipients(agency_id: int | None) -> tuple[list[str], str]:
    """ADMINS plus the agency's administrators (when the database still answers), and the agency's name."""
    addresses = [address for _name, address in getattr(settings, "ADMINS", [])]
    agency_name = ""
    if agency_id is not None:
        try:
            # A savepoint of its own: a failing query here must not spoil the caller's transaction.
            with transaction.atomic():
                agency_name = Agency.objects.filter(pk=agency_id).values_list("name", flat=True).first() or ""
                addresses += (
                    User.objects.filter(agency_id=agency_id, role=Role.ADMINISTRATOR, is_active=True)
                    .exclude(email="")
                    .values_list("email", flat=True)
                )
        except DatabaseError:
            logger.exception("Could not look up the administrators of agency %s for the audit failure alert", agency_id)
    return list(dict.fromkeys(addresses)), agency_name


def _alert_due(agency_id: int | None) -> bool:
    try:
        return cache.add(f"audit-failure-alert:{agency_id}", True, ALERT_INTERVAL_SECONDS)
    except Exception:  # noqa: BLE001 - without the cache, alert every time rather than never
        return True


def audit_failure_alert(*, action: str, agency_id: int | None, error: BaseException) -> None:
    """Log the failure and (throttled) email the administrators. Never raises."""
    reason = (str(error).splitlines() or [""])[0][:200]
    logger.error(
        "Audit entry for %s (agency %s) could not be written, so the action was refused: %s: %s",
        action,
        agency_id if agency_id is not None else "none",
        error.__class__.__name__,
        reason,
    )
    try:
        if not _alert_due(agency_id):
            return
        addresses, agency_name = _recipients(agency_id)
        context = {
            "action": action,
            "agency_name": agency_name,
            "error": f"{error.__class__.__name__}: {reason}",
            "occurred_at": timezone.now().isoformat(timespec="seconds"),
        }
        # Sent directly on purpose, the one email that bypasses notifications' outbox: queueing needs
        # the database write that may be failing, and would roll back with the refused action.
        for address in addresses:
            send_templated_email("emails/audit_failure", to=address, context=context)
    except Exception:  # noqa: BLE001 - the alert must never hide the refusal it reports
        logger.exception("Could not send the audit failure alert")
