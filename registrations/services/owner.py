"""Owner self-service writes on a registration: edits, pause and resume, re-confirmation, re-consent, withdrawal.

Each one is atomic and writes its own audit entry. The owners app keeps the pages that call them.
Audit parameters never hold names, phones, emails or addresses: the audit log
outlives a withdrawal and must not keep what the withdrawal erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, TermsVersion
from agencies.selectors import agency_for_point
from audit.services import audit_record
from cameraregistry.crypto import lookup_hash
from notifications.services import email_queue
from owners import emails, selectors
from owners.models import WithdrawalCount
from registrations.geocoding import geocode, normalize_address
from registrations.models import (
    Camera,
    ConsentRecord,
    ConsentSource,
    PropertyType,
    Registration,
    RegistrationTombstone,
    Status,
)
from registrations.rules import CAMERA_ANSWER_FIELDS, OWNER_EDITABLE_FIELDS
from registrations.services.create import CameraInput, RegistrationInput, RegistrationRejected, _clean_text, _validate
from webhooks import payloads as webhook_payloads
from webhooks.services import webhook_event_emit


def owner_action_audit(
    action: str, registration: Registration, request: HttpRequest | None, actor=None, **parameters
) -> None:
    audit_record(
        action=action,
        actor=actor,
        agency=registration.agency,
        object_type="registration",
        object_id=registration.pk,
        parameters=parameters,
        request=request,
    )


@dataclass
class CameraChange:
    """A camera from the self-service form: `camera_id` is None for a new one."""

    camera_id: int | None
    data: CameraInput


@transaction.atomic
def registration_owner_update(
    *,
    registration: Registration,
    data: RegistrationInput,
    cameras: list[CameraChange],
    request: HttpRequest | None = None,
    action: str = "owner.update",
    actor=None,
) -> Registration:
    """Apply the owner's edits (or, with action "registration.import_update" and the staff actor, an
    imported newer answer of the same owner). A new street address is geocoded again and may move the
    registration to another agency; its cameras are updated in place so canvass history
    that points at a camera stays valid."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    _clean_owner_input(data, cameras)
    address_changed = normalize_address(data.street_address) != normalize_address(registration.street_address)
    agency, errors = _owner_place(registration, data, address_changed)
    for field_name, messages in _validate(data).items():
        errors.setdefault(field_name, []).extend(messages)
    known_ids = set(registration.cameras.values_list("pk", flat=True))
    for index, change in enumerate(cameras, start=1):
        if change.camera_id is not None and change.camera_id not in known_ids:
            errors.setdefault(f"camera {index}", []).append(
                _("Camera %(number)d is not one of your cameras; reload the page.") % {"number": index}
            )
    if errors or agency is None:  # a point no agency serves is among the errors
        raise RegistrationRejected(errors, agency=agency)

    previous_agency = registration.agency
    before = {name: getattr(registration, name) for name in OWNER_EDITABLE_FIELDS}
    cameras_before = _camera_snapshot(registration)
    _apply_owner_answers(registration, data)
    if address_changed:
        registration.latitude, registration.longitude = data.latitude, data.longitude
        registration.location_corrected = False
        registration.agency = agency
        if registration.status in (Status.ACTIVE, Status.STALE):
            # A new address is a new place for investigators: staff verify it again.
            registration.status = Status.PENDING
            registration.verified_at = None
    try:
        registration.full_clean(exclude=["submission_nonce"])
    except ValidationError as error:
        raise RegistrationRejected(error.message_dict) from None
    registration.save()
    removed_count = _save_owner_cameras(registration, cameras)
    _record_owner_changes(registration, before, cameras_before)
    owner_action_audit(
        action,
        registration,
        request,
        actor=actor,
        address_changed=address_changed,
        cameras=len(cameras),
        cameras_removed=removed_count,
        agency_changed_from=previous_agency.slug if previous_agency.pk != registration.agency_id else "",
    )
    return registration


def _clean_owner_input(data: RegistrationInput, cameras: list[CameraChange]) -> None:
    for name, value in vars(data).items():
        if isinstance(value, str):
            setattr(data, name, _clean_text(value))
    for change in cameras:
        change.data.description = _clean_text(change.data.description)
        change.data.brand = _clean_text(change.data.brand)
    data.cameras = [change.data for change in cameras]


def _owner_place(
    registration: Registration, data: RegistrationInput, address_changed: bool
) -> tuple[Agency | None, dict[str, list[str]]]:
    """Place the edited registration: the stored pin, or the new address's point and serving agency."""
    errors: dict[str, list[str]] = {}
    agency: Agency | None = registration.agency
    if not address_changed:
        data.latitude, data.longitude = registration.latitude, registration.longitude
        return agency, errors
    found = geocode(data.street_address)
    if found.point is None:
        errors["street_address"] = [
            _(
                "We could not find this address in the department's address list. Check the spelling and the house number."
            )
        ]
        data.latitude, data.longitude = registration.latitude, registration.longitude
        return agency, errors
    data.latitude, data.longitude = found.point.latitude, found.point.longitude
    data.city = data.city or found.point.city
    data.postal_code = data.postal_code or found.point.postal_code
    agency = agency_for_point(data.latitude, data.longitude)
    if agency is None:
        errors["street_address"] = [_("This address is outside the area served by the departments in this registry.")]
    return agency, errors


_COPIED_ANSWERS = (
    "property_type",
    "street_address",
    "unit",
    "city",
    "postal_code",
    "owner_name",
    "owner_phone",
    "preferred_contact_method",
    "contact_hours",
    "alternate_name",
    "alternate_phone",
    "alternate_relation",
    "notes_for_detectives",
)


def _apply_owner_answers(registration: Registration, data: RegistrationInput) -> None:
    for name in _COPIED_ANSWERS:
        setattr(registration, name, getattr(data, name))
    registration.business_name = data.business_name if data.property_type == PropertyType.BUSINESS else ""
    registration.owner_email = data.owner_email.lower()
    registration.owner_email_hash = lookup_hash(data.owner_email)
    registration.alternate_email = data.alternate_email.lower()
    registration.language = data.language if data.language in ("en", "es") else registration.language


def _save_owner_cameras(registration: Registration, cameras: list[CameraChange]) -> int:
    """Update kept cameras in place, add new ones, delete the rest; returns how many were removed."""
    kept_ids = set()
    for change in cameras:
        camera = (
            registration.cameras.get(pk=change.camera_id) if change.camera_id else Camera(registration=registration)
        )
        for name in CAMERA_ANSWER_FIELDS:
            setattr(camera, name, getattr(change.data, name))
        camera.locations = sorted(set(change.data.locations))
        try:
            camera.full_clean()
        except ValidationError as error:
            raise RegistrationRejected({"cameras": error.messages}) from None
        camera.save()
        kept_ids.add(camera.pk)
    removed = registration.cameras.exclude(pk__in=kept_ids)
    removed_count = removed.count()
    removed.delete()
    return removed_count


def _camera_snapshot(registration: Registration) -> list[tuple]:
    return sorted(
        (camera.pk, tuple(sorted(camera.locations)), *(getattr(camera, name) for name in CAMERA_ANSWER_FIELDS))
        for camera in registration.cameras.all()
    )


def _record_owner_changes(registration: Registration, before: dict, cameras_before: list[tuple]) -> None:
    """Which fields the owner changed (names only: the queue says "Phone changed", never the old number)."""
    changed = [name for name in OWNER_EDITABLE_FIELDS if getattr(registration, name) != before[name]]
    if _camera_snapshot(registration) != cameras_before:
        changed.append("cameras")
    if not changed:
        return
    registration.owner_changes = sorted(set(registration.owner_changes or []) | set(changed))
    registration.owner_changed_at = timezone.now()
    registration.save(update_fields=["owner_changes", "owner_changed_at", "updated_at"])


@transaction.atomic
def registration_pause(*, registration: Registration, request: HttpRequest | None = None) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Status.PAUSED:
        registration.status = Status.PAUSED
        registration.save(update_fields=["status", "updated_at"])
        owner_action_audit("owner.pause", registration, request)
    return registration


def _status_after_pause(registration: Registration) -> str:
    return Status.ACTIVE if registration.verified_at else Status.PENDING


@transaction.atomic
def registration_resume(*, registration: Registration, request: HttpRequest | None = None) -> Registration:
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not selectors.may_resume(registration):
        if registration.status != Status.PAUSED:
            return registration
        raise ValidationError(_("You told us you moved away from this address, so it cannot be resumed."))
    if registration.status == Status.PAUSED:
        registration.status = _status_after_pause(registration)
        # Coming back is a fresh statement that the details are right.
        registration.last_confirmed_at = timezone.now()
        registration.save(update_fields=["status", "last_confirmed_at", "updated_at"])
        owner_action_audit("owner.resume", registration, request)
    return registration


@transaction.atomic
def registration_reconfirm(*, registration: Registration, request: HttpRequest | None = None) -> Registration:
    """The owner says the details are still right: a new confirmation cycle starts."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if not selectors.may_reconfirm(registration):
        raise ValidationError(_("You reported a change to this registration; the department will follow up."))
    registration.last_confirmed_at = timezone.now()
    if registration.status == Status.STALE:
        registration.status = _status_after_pause(registration)
    registration.save(update_fields=["status", "last_confirmed_at", "updated_at"])
    owner_action_audit("owner.reconfirm", registration, request)
    return registration


def consent_needed(registration: Registration) -> TermsVersion | None:
    """The agency's current terms, when the owner has not yet accepted that version."""
    current = registration.agency.current_terms()
    if current is None:
        return None
    if registration.consents.filter(terms_version=current).exists():
        return None
    return current


@transaction.atomic
def registration_reconsent(
    *, registration: Registration, terms_version_id: int, request: HttpRequest | None = None
) -> ConsentRecord:
    registration = Registration.objects.select_for_update(of=("self",)).select_related("agency").get(pk=registration.pk)
    current = registration.agency.current_terms()
    if current is None or current.pk != terms_version_id:
        # The page showed other terms than the current ones (published meanwhile, or tampered with).
        raise ValidationError(_("The department's terms changed while you were reading. Read the current terms below."))
    record = ConsentRecord.objects.create(
        registration=registration,
        terms_version=current,
        accepted_at=timezone.now(),
        source=ConsentSource.SELF_SERVICE,
        language=registration.language,
    )
    owner_action_audit("owner.consent", registration, request, terms_version=current.version)
    return record


def _first_of_month(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


@transaction.atomic
def registration_withdraw(*, registration: Registration, request: HttpRequest | None = None) -> None:
    """Erase the registration and everything hanging off it, now. Only an anonymous monthly count per
    agency remains, an id-only tombstone for the API sync feed (public id, agency, time), and one
    confirmation email to the address given."""
    registration = Registration.objects.select_for_update(of=("self",)).select_related("agency").get(pk=registration.pk)
    agency: Agency = registration.agency
    email, language = registration.owner_email, registration.language
    month = _first_of_month(timezone.now())
    try:
        with transaction.atomic():
            WithdrawalCount.objects.create(agency=agency, month=month, count=1)
    except IntegrityError:
        WithdrawalCount.objects.filter(agency=agency, month=month).update(count=F("count") + 1)
    registration.delete()
    RegistrationTombstone.objects.create(
        public_id=registration.public_id,
        agency=agency,
        removed_at=timezone.now(),
        reason=RegistrationTombstone.Reason.WITHDRAWN,
    )
    audit_record(action="owner.withdraw", agency=agency, object_type="registration", parameters={}, request=request)
    webhook = webhook_payloads.registration_withdrawn(registration.public_id)
    transaction.on_commit(
        partial(webhook_event_emit, agency=agency, event="registration.withdrawn", payload=webhook), robust=True
    )
    if email:
        email_queue(
            template=emails.WITHDRAWN,
            to=email,
            language=language,
            context={"agency_name": agency.name, "tombstone_days": settings.REGISTRATION_TOMBSTONE_DAYS},
        )
