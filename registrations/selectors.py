"""Reads of registrations for staff. Every query starts from `registrations_for` below, which asks
`accounts.access.agencies_visible_to` (the one place access is decided) whose registrations a user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404

from accounts.access import Permission, agencies_visible_to
from agencies.models import Agency, TermsVersion
from cameraregistry import units
from registrations.models import Registration, Status


def registrations_for(user, permission: Permission = Permission.VIEW_REGISTRATIONS) -> QuerySet:
    """THE chokepoint: only registrations of agencies this user may see for `permission`."""
    return registrations_of(agencies_visible_to(user, permission))


def registrations_of(agency_ids: list[int]) -> QuerySet:
    """The chokepoint's queryset for an answer of accounts.access.agencies_visible_to already asked (a search
    that needs the agency ids too asks the rule once, not twice)."""
    if not agency_ids:
        return Registration.objects.none()
    return Registration.objects.filter(agency_id__in=agency_ids)


def registration_for(user, public_id, permission: Permission = Permission.VIEW_REGISTRATIONS):
    """One visible registration, or Http404 for anything else (never 403, so ids cannot be probed)."""
    try:
        return registrations_for(user, permission).get(public_id=public_id)
    except (Registration.DoesNotExist, ValueError, ValidationError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class RegistrationFilters:
    status: str = ""
    verified: str = ""  # "yes", "no" or "" for either
    street: str = ""
    min_cameras: int | None = None
    max_cameras: int | None = None

    def as_parameters(self) -> dict:
        """The filters as the audit log records them (empty ones left out)."""
        values = {
            "status": self.status,
            "verified": self.verified,
            "street": self.street,
            "min_cameras": self.min_cameras,
            "max_cameras": self.max_cameras,
        }
        return {key: value for key, value in values.items() if value not in ("", None)}


def registration_list(user, filters: RegistrationFilters) -> QuerySet:
    """Registrations this user may see, filtered, with `camera_count` annotated, newest first."""
    queryset = registrations_for(user, Permission.VIEW_REGISTRATIONS).annotate(camera_count=Count("cameras"))
    if filters.status in Status.values:
        queryset = queryset.filter(status=filters.status)
    if filters.verified == "yes":
        queryset = queryset.filter(verified_at__isnull=False)
    elif filters.verified == "no":
        queryset = queryset.filter(verified_at__isnull=True)
    if filters.street:
        queryset = queryset.filter(street_address__icontains=filters.street)
    if filters.min_cameras is not None:
        queryset = queryset.filter(camera_count__gte=filters.min_cameras)
    if filters.max_cameras is not None:
        queryset = queryset.filter(camera_count__lte=filters.max_cameras)
    return queryset.select_related("agency").order_by("-created_at", "-id")


def submission_saved(nonce: str) -> bool:
    """Whether the form carrying this one-time value was already saved (a double submit)."""
    return Registration.objects.filter(submission_nonce=nonce).exists()


# ---------------------------------------------------------------- the public form's reads


def form_agency_and_terms() -> tuple[Agency | None, TermsVersion | None]:
    """The agency and current terms the form shows before an address is known: those of the only agency,
    or (None, None) when there are several (the address then decides)."""
    agencies = list(Agency.objects.all()[:2])
    agency = agencies[0] if len(agencies) == 1 else None
    return agency, agency.current_terms() if agency else None


def terms_version(terms_id: int | None) -> TermsVersion | None:
    """The terms version a form was sent with (and its agency), or None."""
    if not terms_id:
        return None
    return TermsVersion.objects.select_related("agency").filter(pk=terms_id).first()


def form_length_units(agency: Agency | None, terms_id: int | None = None) -> str:
    """The units the camera range is asked in: the posted terms' agency, else the page's, else the default."""
    posted = terms_version(terms_id)
    if posted is not None:
        return posted.agency.length_units
    if agency is not None:
        return agency.length_units
    # Several agencies and none chosen yet: their common units if they share one, else the default.
    shared = set(Agency.objects.values_list("length_units", flat=True).distinct()[:2])
    return shared.pop() if len(shared) == 1 else units.DEFAULT_UNITS


def registration_done(public_id: str | None) -> Registration | None:
    """The registration just sent from this browser (its id kept in the session), for the thank-you page."""
    if not public_id:
        return None
    return Registration.objects.select_related("agency").filter(public_id=public_id).first()
