"""What each event says. Ids, statuses, case numbers, times, sizes and SHA-256 only: never a name,
address, phone, email or free text. Contacts are added per endpoint when sending (webhooks.delivery),
and only for a token holding contacts:read."""

from __future__ import annotations

import datetime as dt


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment is not None else None


def _request_part(footage_request) -> dict:
    registration_id = footage_request.registration.public_id if footage_request.registration_id else None
    return {
        "footage_request_id": str(footage_request.public_id),
        "case_id": footage_request.case_id,
        "case_number": footage_request.case.case_number,
        "status": footage_request.status,
        "registration_id": str(registration_id) if registration_id else None,
    }


def footage_request_answered(footage_request) -> dict:
    return {**_request_part(footage_request), "answered_at": _iso(footage_request.answered_at)}


def evidence_received(footage_request, files) -> dict:
    return {
        **_request_part(footage_request),
        "files": [
            {
                "id": evidence.pk,
                "size": evidence.size,
                "sha256": evidence.sha256,
                "content_type": evidence.content_type,
                "received_at": _iso(evidence.uploaded_at),
            }
            for evidence in files
        ],
    }


def footage_urgent(case, item, *, requested: bool) -> dict:
    """`item` is a canvass.selectors.CameraUrgency."""
    camera = item.case_camera.camera
    return {
        "case_id": case.pk,
        "case_number": case.case_number,
        "camera_id": camera.pk,
        "registration_id": str(camera.registration.public_id),
        "retention_days": item.retention_days,
        "overwritten_after": _iso(item.overwritten_after),
        "footage_requested": requested,
    }


def registration_withdrawn(public_id) -> dict:
    """A tombstone: delete this registration from your copy. Nothing else is left to say."""
    return {"registration_id": str(public_id), "deleted": True}
