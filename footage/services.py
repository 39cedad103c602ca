"""Footage requests and evidence. Every custody event is written to the audit log here."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import Permission, has_permission, sharing_use_check, sharing_uses_record
from accounts.models import User
from agencies.models import Agency
from audit.services import audit_record
from cameraregistry.csv_safe import safe_cell
from cameraregistry.wall_clock import EARLIEST_WINDOW_YEAR
from canvass.models import Case, CaseCamera, CaseStatus
from footage import evidence_store
from footage.emails import footage_email_queue
from footage.models import Channel, EvidenceFile, FootageRequest, RequestEvent, RequestStatus
from footage.selectors import evidence_count, request_share_ended
from footage.uploads import EvidenceUploadHandler
from registrations.models import Status
from registrations.selectors import registrations_for
from webhooks import payloads as webhook_payloads
from webhooks.services import webhook_event_emit

logger = logging.getLogger(__name__)
MAX_WINDOW = timedelta(days=7)
MAX_MESSAGE_CHARS = 2000


def _event(footage_request: FootageRequest, kind: str, description: str = "", actor: User | None = None) -> None:
    RequestEvent.objects.create(request=footage_request, kind=kind, description=description[:500], actor=actor)


def _clean_text(value: str) -> str:
    return "".join(ch for ch in str(value or "") if ch in "\n\t" or ord(ch) >= 32).strip()


@transaction.atomic
def footage_request_create(
    *,
    user: User,
    case: Case,
    case_camera_ids: Iterable[str | int],
    window_start: datetime | None,
    window_end: datetime | None,
    message: str,
    request: HttpRequest | None = None,
) -> list[FootageRequest]:
    """One request per owner among the chosen cameras; emailed owners get a private link once this commits."""
    if not has_permission(user, Permission.REQUEST_FOOTAGE) or case.agency_id != user.agency_id:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if case.status != "open":
        errors.setdefault("__all__", []).append(_("This case is closed; reopen it to request footage."))
    now = timezone.now()
    _window_errors(errors, window_start, window_end, now)
    message = _clean_text(message)
    if len(message) > MAX_MESSAGE_CHARS:
        errors.setdefault("message", []).append(
            _("Keep the message under %(count)d characters.") % {"count": MAX_MESSAGE_CHARS}
        )
    chosen = _requestable_cameras(user, case, case_camera_ids, errors)
    if errors or window_start is None or window_end is None:
        raise ValidationError(errors)

    by_registration: dict[int, CaseCamera] = {}
    for case_camera in chosen:
        by_registration.setdefault(case_camera.camera.registration_id, case_camera)
    created = [
        _request_one_owner(user, case, case_camera, (window_start, window_end), message, now, request)
        for case_camera in by_registration.values()
    ]
    sharing_uses_record(
        user=user,
        agency_ids=[case_camera.camera.registration.agency_id for case_camera in by_registration.values()],
        action="footage_request.create",
        object_type="case",
        object_id=case.pk,
        request=request,
    )
    return created


def _window_errors(errors: dict, window_start: datetime | None, window_end: datetime | None, now: datetime) -> None:
    if window_start is None or window_end is None:
        errors.setdefault("window_start", []).append(_("Enter the start and end of the time window."))
    elif window_start.year < EARLIEST_WINDOW_YEAR:
        message = _("The time window starts in %(year)s: check the year (no footage is that old).")
        errors.setdefault("window_start", []).append(message % {"year": window_start.year})
    elif window_end <= window_start:
        errors.setdefault("window_end", []).append(_("The end of the time window must be after its start."))
    elif window_end - window_start > MAX_WINDOW:
        errors.setdefault("window_end", []).append(_("Ask for at most 7 days of footage in one request."))
    elif window_start > now:
        errors.setdefault("window_start", []).append(_("The time window cannot start in the future."))


def _requestable_cameras(
    user: User, case: Case, case_camera_ids: Iterable[str | int], errors: dict[str, list[str]]
) -> list[CaseCamera]:
    """The chosen cameras, re-checked now: a partner's camera whose agreement ended is no longer requestable,
    and an owner who paused participation must not be contacted."""
    ids = set()
    for raw in case_camera_ids:
        try:
            ids.add(int(str(raw)))
        except (TypeError, ValueError, OverflowError):
            errors.setdefault("cameras", []).append(_("A chosen camera is not valid; reload the page."))
    chosen = list(
        CaseCamera.objects.select_related("camera__registration")
        .filter(case=case, pk__in=ids, camera__registration__in=registrations_for(user, Permission.REQUEST_FOOTAGE))
        .order_by("chosen_at", "pk")
    )
    if not ids:
        errors.setdefault("cameras", []).append(_("Pick at least one camera."))
    elif len(chosen) != len(ids):
        errors.setdefault("cameras", []).append(
            _("A chosen camera is not part of this case or is no longer shared with your agency; reload the page.")
        )
    for case_camera in chosen:
        if case_camera.camera.registration.status == Status.PAUSED:
            errors.setdefault("cameras", []).append(
                _("%(camera)s: the owner paused participation and must not be contacted.")
                % {"camera": case_camera.camera}
            )
    return chosen


def _request_one_owner(
    user: User,
    case: Case,
    case_camera: CaseCamera,
    window: tuple[datetime, datetime],
    message: str,
    now: datetime,
    request: HttpRequest | None,
) -> FootageRequest:
    window_start, window_end = window
    registration = case_camera.camera.registration
    sharing_use_check(user, registration, request)
    channel = Channel.EMAIL if registration.owner_email else Channel.PHONE
    footage_request = FootageRequest(
        case=case,
        agency=case.agency,
        registration=registration,
        case_camera=case_camera,
        created_by=user,
        created_at=now,
        channel=channel,
        window_start=window_start,
        window_end=window_end,
        message=message,
        language=registration.language,
        expires_at=now + timedelta(days=case.agency.request_expiry_days),
        reminder_due_at=now + timedelta(days=case.agency.request_reminder_days) if channel == Channel.EMAIL else None,
    )
    footage_request.full_clean()
    footage_request.save()
    if channel == Channel.EMAIL:
        _event(footage_request, "created", "Request created; email queued", actor=user)
        footage_email_queue(footage_request, reminder=False)
    else:
        _event(footage_request, "created", "No email on file: call the owner and record the answer", actor=user)
    audit_record(
        action="footage_request.create",
        actor=user,
        agency=case.agency,
        object_type="footage_request",
        object_id=footage_request.pk,
        parameters={
            "case": case.case_number,
            "registration": str(registration.public_id),
            "channel": channel,
            "window_start": window_start.isoformat(),
            "window_end": window_end.isoformat(),
        },
        request=request,
    )
    return footage_request


OWNER_ANSWERS = (RequestStatus.NO_FOOTAGE, RequestStatus.DECLINED)
# Once the owner's agency stops sharing with the requesting one, nothing new passes between them:
# no answer, no file, no call note (see footage.views for what the owner sees).
SHARE_ENDED_MESSAGE = gettext_lazy("This request is no longer active: the sharing agreement it was sent under ended.")


@transaction.atomic
def footage_request_answer(
    *,
    footage_request: FootageRequest,
    answer: str,
    reason: str = "",
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> FootageRequest:
    """The owner (or the investigator after a phone call) says: no footage, or declined."""
    footage_request = FootageRequest.objects.select_for_update().get(pk=footage_request.pk)
    if answer not in OWNER_ANSWERS:
        raise ValidationError({"answer": _("Choose one of the answers.")})
    if footage_request.status != RequestStatus.WAITING or footage_request.expires_at <= timezone.now():
        raise ValidationError({"answer": _("This request was already answered or has expired.")})
    if request_share_ended(footage_request):
        raise ValidationError({"answer": SHARE_ENDED_MESSAGE})
    footage_request.status = answer
    footage_request.owner_reason = _clean_text(reason)[:2000]
    footage_request.answered_at = timezone.now()
    footage_request.save(update_fields=["status", "owner_reason", "answered_at"])
    by = "investigator after a phone call" if actor is not None else "owner"
    _event(footage_request, "answered", f"{RequestStatus(answer).label} ({by})", actor=actor)
    audit_record(
        action="footage_request.answer",
        actor=actor,
        agency=footage_request.agency,
        object_type="footage_request",
        object_id=footage_request.pk,
        parameters={"answer": answer, "by": by},
        request=request,
    )
    webhook = webhook_payloads.footage_request_answered(footage_request)
    transaction.on_commit(
        partial(webhook_event_emit, agency=footage_request.agency, event="footage_request.answered", payload=webhook),
        robust=True,
    )
    return footage_request


@transaction.atomic
def footage_request_note_phone_call(
    *, user: User, footage_request: FootageRequest, note: str, request: HttpRequest | None = None
) -> None:
    if not has_permission(user, Permission.REQUEST_FOOTAGE) or footage_request.agency_id != user.agency_id:
        raise PermissionDenied
    if request_share_ended(footage_request):
        raise ValidationError({"note": SHARE_ENDED_MESSAGE})
    note = _clean_text(note)
    if not note:
        raise ValidationError({"note": _("Write what was said on the call.")})
    _event(footage_request, "phone_call", note[:500], actor=user)
    audit_record(
        action="footage_request.phone_call",
        actor=user,
        agency=footage_request.agency,
        object_type="footage_request",
        object_id=footage_request.pk,
        request=request,
    )


def evidence_receive(
    *,
    footage_request: FootageRequest,
    handler: EvidenceUploadHandler,
    uploader_description: str,
    request: HttpRequest | None = None,
) -> list[EvidenceFile]:
    """Record the completely received files as evidence, all or nothing."""
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            locked = FootageRequest.objects.select_for_update().get(pk=footage_request.pk)
            if (
                locked.status not in (RequestStatus.WAITING, RequestStatus.FOOTAGE_RECEIVED)
                or locked.expires_at <= timezone.now()
            ):
                raise ValidationError(_("This request is closed; files can no longer be sent."))
            if request_share_ended(locked):
                raise ValidationError(SHARE_ENDED_MESSAGE)

            if locked.case.status == CaseStatus.CLOSED:
                raise ValidationError(_("The police closed this case; files can no longer be sent. Thank you."))
            if evidence_count(locked) + len(handler.received) > handler.max_files:
                raise ValidationError(
                    _("Only %(count)d files can be sent for one request.") % {"count": handler.max_files}
                )
            records = []
            for received in handler.received:
                stored_names.append(handler.store(received, locked.pk))
                evidence = EvidenceFile(
                    request=locked,
                    original_name=received.display_name,
                    stored_name=received.stored_name,
                    size=received.size,
                    content_type=received.detected_type,
                    sha256=received.sha256,
                    uploader_description=uploader_description[:200],
                )
                evidence.full_clean()
                evidence.save()
                records.append(evidence)
                _event(
                    locked,
                    "evidence_received",
                    f"{evidence.original_name}: {evidence.size} bytes, SHA-256 {evidence.sha256}",
                )
                audit_record(
                    action="evidence.received",
                    agency=locked.agency,
                    object_type="evidence_file",
                    object_id=evidence.pk,
                    parameters={
                        "request": locked.pk,
                        "case": locked.case.case_number,
                        "sha256": evidence.sha256,
                        "size": evidence.size,
                        "type": evidence.content_type,
                    },
                    request=request,
                )
            if records and locked.status == RequestStatus.WAITING:
                locked.status = RequestStatus.FOOTAGE_RECEIVED
                locked.answered_at = timezone.now()
                locked.save(update_fields=["status", "answered_at"])
            if records:
                webhook = webhook_payloads.evidence_received(locked, records)
                transaction.on_commit(
                    partial(webhook_event_emit, agency=locked.agency, event="evidence.received", payload=webhook),
                    robust=True,
                )
            return records
    except BaseException:
        for name in stored_names:
            try:
                default_storage.delete(name)
            except Exception:  # noqa: BLE001 - the store may be the failure: report the first error, not this one
                logger.exception("Could not remove %s after a failed upload", name)
        raise


def evidence_verify(
    *, user: User, evidence: EvidenceFile, purpose: str, request: HttpRequest | None = None
) -> tuple[bool, str]:
    """Recompute the file's SHA-256. A mismatch (or a missing file) is audited as such."""
    matches, actual, _tag = _verify_stored(user=user, evidence=evidence, purpose=purpose, request=request)
    return matches, actual


def evidence_open_for_download(
    *, user: User, evidence: EvidenceFile, request: HttpRequest | None = None
) -> tuple[bool, str, Iterable[bytes] | None]:
    """Verify, then open what is sent: (matches, actual SHA-256, stream or None). The stream is the local
    file, or the bucket object's chunks pinned to the version just verified and hashed again on the way."""
    matches, actual, tag = _verify_stored(user=user, evidence=evidence, purpose="download", request=request)
    if not matches:
        return False, actual, None
    try:
        if evidence_store.uses_bucket():
            stream = evidence_store.open_verified_stream(evidence.stored_name, sha256=evidence.sha256, tag=tag)
        else:
            stream = evidence_store.open_local(evidence.stored_name)
    except FileNotFoundError:
        # Changed or removed between the check and the download: audited like any other mismatch.
        _audit_verification(user, evidence, "download", "changed during download", request)
        return False, "changed during download", None
    return True, actual, stream


def _verify_stored(
    *, user: User, evidence: EvidenceFile, purpose: str, request: HttpRequest | None
) -> tuple[bool, str, str | None]:
    try:
        actual, tag = evidence_store.hash_stored(evidence.stored_name)
    except FileNotFoundError:
        actual, tag = "file missing", None
    return _audit_verification(user, evidence, purpose, actual, request), actual, tag


def _audit_verification(
    user: User, evidence: EvidenceFile, purpose: str, actual: str, request: HttpRequest | None
) -> bool:
    matches = actual == evidence.sha256
    audit_record(
        action=f"evidence.{purpose}" if matches else "evidence.hash_mismatch",
        actor=user,
        agency=evidence.request.agency,
        object_type="evidence_file",
        object_id=evidence.pk,
        parameters={"expected": evidence.sha256, "actual": actual, "purpose": purpose},
        outcome="success" if matches else "failure",
        request=request,
    )
    return matches


def _still_shared(requests: QuerySet[FootageRequest]) -> list[int]:
    """Ids of the requests whose owner the requesting agency may still ask: an ended share sends nothing more."""
    return [
        footage_request.pk
        for footage_request in requests.select_related("registration")
        if not request_share_ended(footage_request)
    ]


def footage_reminders_run(*, now: datetime | None = None) -> dict[str, int]:
    """Queue due reminders (again, if an earlier send failed) and expire unanswered requests. Idempotent."""
    now = now or timezone.now()
    expired = 0
    for footage_request in FootageRequest.objects.filter(status=RequestStatus.WAITING, expires_at__lte=now):
        with transaction.atomic():
            updated = FootageRequest.objects.filter(pk=footage_request.pk, status=RequestStatus.WAITING).update(
                status=RequestStatus.EXPIRED
            )
            if updated:
                expired += 1
                _event(footage_request, "expired", "Expired without an answer")
                audit_record(
                    action="footage_request.expire",
                    agency=footage_request.agency,
                    object_type="footage_request",
                    object_id=footage_request.pk,
                )
    due = _still_shared(
        FootageRequest.objects.filter(
            status=RequestStatus.WAITING,
            channel=Channel.EMAIL,
            # Owners are not reminded about a case the police have closed.
            case__status=CaseStatus.OPEN,
            email_sent_at__isnull=False,
            reminder_due_at__lte=now,
            reminder_sent_at__isnull=True,
        )
    )
    for footage_request in FootageRequest.objects.filter(pk__in=due).select_related("registration"):
        footage_email_queue(footage_request, reminder=True)  # once: its outbox row is keyed by the request
    return {"reminders": len(due), "expired": expired}


def evidence_manifest_export(*, user: User, case: Case, request: HttpRequest | None = None) -> list[list[str]]:
    """The case's chain-of-custody manifest: one row per evidence file, as recorded on arrival."""
    if not has_permission(user, Permission.DOWNLOAD_EVIDENCE) or case.agency_id != user.agency_id:
        raise PermissionDenied
    files = EvidenceFile.objects.filter(request__case=case).select_related("request").order_by("uploaded_at", "pk")
    rows = [
        [
            "evidence_id",
            "request_id",
            "file_name",
            "detected_type",
            "size_bytes",
            "sha256",
            "received_at_utc",
            "uploaded_by",
            "purged_at_utc",
        ]
    ]
    for evidence in files:
        rows.append(
            [
                safe_cell(value)
                for value in (
                    evidence.pk,
                    evidence.request_id,
                    evidence.original_name,
                    evidence.content_type,
                    evidence.size,
                    evidence.sha256,
                    evidence.uploaded_at.astimezone(UTC).isoformat(),
                    evidence.uploader_description,
                    evidence.purged_at.astimezone(UTC).isoformat() if evidence.purged_at else "",
                )
            ]
        )
    audit_record(
        action="evidence.export",
        actor=user,
        agency=case.agency,
        object_type="case",
        object_id=case.pk,
        parameters={"case": case.case_number, "files": len(rows) - 1},
        request=request,
    )
    return rows


# ---------------------------------------------------------------- retention purge


def footage_purge_for_agency(*, agency: Agency, now: datetime) -> int:
    """Delete the stored evidence files of the agency's cases closed longer ago than its retention rule.

    Each file is deleted from storage first and only then marked purged, so a crash in between leaves a
    row that the next run finishes (deleting a missing file is a no-op) rather than a "purged" row whose
    file still exists. The row stays as a tombstone (name, size, SHA-256, arrival, purge time); each file
    gets a custody event on its request and each case one `evidence.purge` audit entry. Returns the count.
    """
    days = agency.footage_retention_days_after_close
    cutoff = now - timedelta(days=days)
    due = (
        EvidenceFile.objects.filter(
            request__agency=agency,
            request__case__status=CaseStatus.CLOSED,
            request__case__closed_at__lt=cutoff,
            purged_at__isnull=True,
        )
        .select_related("request__case")
        .order_by("request__case_id", "pk")
    )
    by_case: dict[int, list[EvidenceFile]] = {}
    for evidence in due:
        by_case.setdefault(evidence.request.case_id, []).append(evidence)
    removed = 0
    for files in by_case.values():
        removed += _purge_case_evidence(files, now=now, days=days)
    return removed


def _purge_case_evidence(files: list[EvidenceFile], *, now: datetime, days: int) -> int:
    for evidence in files:
        default_storage.delete(evidence.stored_name)
    case = files[0].request.case
    purged = []
    with transaction.atomic():
        for evidence in files:
            # The filter makes a concurrent second run count nothing twice.
            if EvidenceFile.objects.filter(pk=evidence.pk, purged_at__isnull=True).update(purged_at=now):
                purged.append(evidence)
                _event(
                    evidence.request,
                    "evidence_purged",
                    f"{evidence.original_name} ({evidence.size} bytes, SHA-256 {evidence.sha256}) deleted under the "
                    f"retention rule: {days} days after the case closed",
                )
        if purged:
            audit_record(
                action="evidence.purge",
                agency=case.agency,
                object_type="case",
                object_id=case.pk,
                parameters={
                    "case": case.case_number,
                    "files": len(purged),
                    "bytes": sum(evidence.size for evidence in purged),
                    "evidence": [{"id": e.pk, "sha256": e.sha256} for e in purged],
                    "case_closed_at": case.closed_at.isoformat() if case.closed_at else None,
                    "retention_days_after_close": days,
                },
            )
    return len(purged)
