"""Reads about an owner's own registration."""

from __future__ import annotations

from owners.models import StatusReport
from registrations.models import Registration, Status

DEPARTURES = (StatusReport.Kind.MOVED, StatusReport.Kind.NO_CAMERAS)


def departure_report(registration: Registration) -> StatusReport | None:
    """The owner's standing report that they moved away or no longer have cameras, if any.

    It stands while the registration is paused after it; staff (or, for "no cameras", the
    owner resuming) end it by changing the status.
    """
    if registration.status != Status.PAUSED:
        return None
    latest = registration.status_reports.order_by("-reported_at", "-pk").first()
    return latest if latest is not None and latest.kind in DEPARTURES else None


def may_reconfirm(registration: Registration) -> bool:
    """ "My details are still correct" makes no sense after saying one moved or has no cameras."""
    return departure_report(registration) is None


def may_resume(registration: Registration) -> bool:
    """Someone who moved away cannot resume for the old address; new cameras can resume."""
    report = departure_report(registration)
    return registration.status == Status.PAUSED and (report is None or report.kind != StatusReport.Kind.MOVED)
