"""The verification queue: what needs a person's look, newest first.

Items are of four kinds: a new registration; one the owner changed since staff verified it
(with the fields that changed); one whose owner reported a change (moved, no cameras, new
locations) since it was last verified; one whose address was not in the address table.
Anything verified since is out of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from owners.models import StatusReport
from registrations.models import Registration, Status

KINDS = {
    "new": _("New registration"),
    "changed": _("Changed by the owner"),
    "reported": _("Change reported by the owner"),
    "address": _("Address not in the address table"),
}
PAGE_SIZE = 50


def _reported_since_verified() -> Exists:
    return Exists(
        StatusReport.objects.filter(
            registration=OuterRef("pk"), reported_at__gt=Coalesce(OuterRef("verified_at"), OuterRef("created_at"))
        )
    )


def _conditions() -> dict[str, Q]:
    return {
        "new": Q(status=Status.PENDING),
        "changed": Q(status=Status.ACTIVE, verified_at__isnull=False, owner_changed_at__gt=F("verified_at")),
        "reported": Q(reported=True) & ~Q(status=Status.REJECTED),
        "address": Q(address_not_in_table=True, status=Status.PENDING),
    }


def queue_items(registrations: QuerySet, *, kind: str = "", street: str = "") -> QuerySet:
    """The queue within `registrations` (already limited by the access chokepoint), newest activity first."""
    latest_report = (
        StatusReport.objects.filter(registration=OuterRef("pk")).order_by("-reported_at").values("reported_at")[:1]
    )
    queryset = registrations.annotate(
        reported=_reported_since_verified(),
        activity=Greatest(
            F("created_at"),
            Coalesce(F("owner_changed_at"), F("created_at")),
            Coalesce(Subquery(latest_report, output_field=DateTimeField()), F("created_at")),
        ),
    )
    conditions = _conditions()
    if kind in conditions:
        queryset = queryset.filter(conditions[kind])
    else:
        combined = Q()
        for condition in conditions.values():
            combined |= condition
        queryset = queryset.filter(combined)
    if street:
        queryset = queryset.filter(street_address__icontains=street)
    return queryset.select_related("agency").order_by("-activity", "-pk")


def counts_by_kind(registrations: QuerySet) -> dict[str, int]:
    queryset = registrations.annotate(reported=_reported_since_verified())
    return {kind: queryset.filter(condition).count() for kind, condition in _conditions().items()}


@dataclass(frozen=True)
class QueueRow:
    registration: Registration
    kinds: list[str]
    changes: list[str]


def rows_for(page_items: list[Registration]) -> list[QueueRow]:
    """Why each registration on the page is in the queue, in words, and which fields the owner changed."""
    rows = []
    for registration in page_items:
        kinds = []
        if registration.status == Status.PENDING:
            kinds.append(str(KINDS["new"]))
        verified = registration.verified_at
        if registration.status == Status.ACTIVE and verified and registration.owner_changed_at:
            if registration.owner_changed_at > verified:
                kinds.append(str(KINDS["changed"]))
        if getattr(registration, "reported", False):
            kinds.append(str(KINDS["reported"]))
        if registration.address_not_in_table and registration.status == Status.PENDING:
            kinds.append(str(KINDS["address"]) + " — " + str(_("check the pin")))
        rows.append(QueueRow(registration, kinds, changed_field_labels(registration)))
    return rows


def changed_field_labels(registration: Registration) -> list[str]:
    labels = []
    for name in registration.owner_changes or []:
        if name == "cameras":
            labels.append(str(_("Cameras")))
            continue
        try:
            labels.append(str(Registration._meta.get_field(name).verbose_name).capitalize())
        except Exception:  # noqa: BLE001 - a field since renamed is shown by its stored name
            labels.append(name)
    return labels
