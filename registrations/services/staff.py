"""Staff writes on registrations: verify, reject, merge, and the registrations part of the retention purge.

Each service checks its own rules and writes its own audit entry, so no path can skip either.
The administration app keeps the pages (and the purge command) that call them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from administration.models import RegistrationHistory
from agencies.models import Agency
from audit.services import audit_record
from registrations.models import OwnerAccessToken, Registration, RegistrationTombstone, Status


@transaction.atomic
def registration_verify(*, registration: Registration, actor, note: str = "", request=None) -> Registration:
    """Mark a pending or changed registration as checked by staff (e.g. "called owner")."""
    if registration.status == Status.REJECTED:
        raise ValidationError("A rejected registration cannot be verified; the owner must register again.")
    now = timezone.now()
    if registration.status in (Status.PENDING, Status.STALE):
        registration.status = Status.ACTIVE
    registration.verified_at = now
    registration.owner_changes = []  # seen: the queue lists only what changes after this
    registration.save(update_fields=["status", "verified_at", "owner_changes", "updated_at"])
    RegistrationHistory.objects.create(
        registration=registration, action=RegistrationHistory.Action.VERIFIED, actor=actor, note=note.strip()[:2000]
    )
    audit_record(
        action="registration.verify",
        actor=actor,
        agency=registration.agency,
        object_type="registration",
        object_id=registration.public_id,
        parameters={"note_given": bool(note.strip())},
        request=request,
    )
    return registration


@transaction.atomic
def registration_reject(*, registration: Registration, actor, note: str = "", request=None) -> Registration:
    """Reject a spam or bogus registration; it leaves the canvass results and the queue."""
    registration.status = Status.REJECTED
    registration.save(update_fields=["status", "updated_at"])
    # A rejected entry must not keep a working owner link.
    OwnerAccessToken.objects.filter(registration=registration).delete()
    RegistrationHistory.objects.create(
        registration=registration, action=RegistrationHistory.Action.REJECTED, actor=actor, note=note.strip()[:2000]
    )
    audit_record(
        action="registration.reject",
        actor=actor,
        agency=registration.agency,
        object_type="registration",
        object_id=registration.public_id,
        request=request,
    )
    return registration


@transaction.atomic
def registrations_merge(
    *, keep: Registration, duplicate: Registration, actor, note: str = "", request=None
) -> Registration:
    """Fold `duplicate` into `keep`: its cameras, consents and links to cases move over; it is then deleted.

    The history entry records what the duplicate was (public id, dates, camera count) but not its contact details.
    """
    if keep.pk == duplicate.pk:
        raise ValidationError("Choose two different registrations to merge.")
    if keep.agency_id != duplicate.agency_id:
        raise ValidationError("Only registrations of the same agency can be merged.")
    keep = Registration.objects.select_for_update().get(pk=keep.pk)
    duplicate = Registration.objects.select_for_update().get(pk=duplicate.pk)
    cameras_moved = duplicate.cameras.count()
    details = {
        "merged_public_id": str(duplicate.public_id),
        "merged_created_at": duplicate.created_at.isoformat(),
        "merged_status": duplicate.status,
        "merged_street_address": duplicate.street_address,
        "cameras_moved": cameras_moved,
    }
    OwnerAccessToken.objects.filter(registration=duplicate).delete()
    # Every other row pointing at the duplicate (cameras, consents, history, imports, other apps' links) now points at
    # the kept one, so nothing another engineer's app holds is lost or orphaned by the merge.
    for relation in Registration._meta.related_objects:
        if relation.one_to_one or relation.related_model is OwnerAccessToken:
            continue
        if isinstance(relation.field, models.ForeignKey):
            relation.related_model._base_manager.filter(**{relation.field.name: duplicate}).update(
                **{relation.field.name: keep}
            )
    if not keep.notes_for_detectives and duplicate.notes_for_detectives:
        keep.notes_for_detectives = duplicate.notes_for_detectives
    if duplicate.last_confirmed_at > keep.last_confirmed_at:
        keep.last_confirmed_at = duplicate.last_confirmed_at
    keep.save(update_fields=["notes_for_detectives", "last_confirmed_at", "updated_at"])
    duplicate.delete()
    history = RegistrationHistory.objects.create(
        registration=keep,
        action=RegistrationHistory.Action.MERGED,
        actor=actor,
        note=note.strip()[:2000],
        details=details,
    )
    RegistrationTombstone.objects.create(
        public_id=duplicate.public_id,
        agency_id=duplicate.agency_id,
        removed_at=history.occurred_at,
        reason=RegistrationTombstone.Reason.MERGED,
    )
    audit_record(
        action="registration.merge",
        actor=actor,
        agency=keep.agency,
        object_type="registration",
        object_id=keep.public_id,
        parameters={"merged": details["merged_public_id"], "cameras_moved": cameras_moved},
        request=request,
    )
    return keep


# ---------------------------------------------------------------- retention purge


def _months_ago(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.44))


def _delete_registrations(queryset, now: datetime) -> int:
    """Delete in batches, each with its id-only tombstones; a registration another record protects (e.g. evidence
    on an open case) is left in place."""
    removed = 0
    rows = list(queryset.order_by("pk").values_list("pk", "public_id", "agency_id"))
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        try:
            removed += _delete_with_tombstones(batch, now)
        except ProtectedError:
            for row in batch:
                try:
                    removed += _delete_with_tombstones([row], now)
                except ProtectedError:
                    continue
    return removed


@transaction.atomic
def _delete_with_tombstones(rows: list[tuple], now: datetime) -> int:
    Registration.objects.filter(pk__in=[pk for pk, _public_id, _agency_id in rows]).delete()
    RegistrationTombstone.objects.bulk_create(
        RegistrationTombstone(
            public_id=public_id, agency_id=agency_id, removed_at=now, reason=RegistrationTombstone.Reason.PURGED
        )
        for _pk, public_id, agency_id in rows
    )
    return len(rows)


def _rejected_as_spam_before(agency: Agency, cutoff: datetime):
    """Registrations of `agency` rejected as spam before `cutoff`: rejected then, and not rejected again since."""
    rejected_since = RegistrationHistory.objects.filter(
        registration=OuterRef("pk"), action=RegistrationHistory.Action.REJECTED, occurred_at__gte=cutoff
    )
    return Registration.objects.filter(agency=agency, status=Status.REJECTED, updated_at__lt=cutoff).exclude(
        Exists(rejected_since)
    )


def registrations_purge(*, agency: Agency, now: datetime) -> tuple[int, int]:
    """Delete what `agency`'s retention rules expire at `now`: (stale registrations, rejected as spam).

    Called by administration.services.purge_expired, inside its transaction and audit entry. Each deleted
    registration leaves an id-only tombstone (reason "purged", removed at `now`) for the API sync feed.
    """
    stale_cutoff = _months_ago(now, agency.stale_removal_months)
    stale = _delete_registrations(Registration.objects.filter(agency=agency, last_confirmed_at__lt=stale_cutoff), now)
    rejected = _delete_registrations(
        _rejected_as_spam_before(agency, now - timedelta(days=agency.rejected_removal_days)), now
    )
    return stale, rejected


def registration_tombstones_purge(*, before: datetime) -> int:
    """Delete tombstones removed before `before` (REGISTRATION_TOMBSTONE_DAYS ago): a mirror that has not synced
    since then must do a full sync. Called by administration.services.purge_expired, inside its audit entry."""
    removed, _by_model = RegistrationTombstone.objects.filter(removed_at__lt=before).delete()
    return removed
