"""Building blocks for footage tests: a case with chosen cameras, request links, video bytes."""

from __future__ import annotations

import struct
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from canvass.models import Case, CaseCamera
from footage.models import FootageRequest
from footage.services import footage_request_create
from footage.tokens import request_link_issue
from registrations.models import Registration
from tests.staff_fixtures import make_staff


def mp4_bytes(payload_size: int = 4096) -> bytes:
    """A small ISO-BMFF file: an 'ftyp' box then an 'mdat' box of filler."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    mdat_payload = bytes(range(256)) * (payload_size // 256 + 1)
    mdat_payload = mdat_payload[:payload_size]
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", len(mdat_payload) + 8) + b"mdat" + mdat_payload


def mp4_upload(name: str = "front-door.mp4", payload_size: int = 4096) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, mp4_bytes(payload_size), content_type="video/mp4")


def owners_with_email(agency, count: int) -> list[Registration]:
    return list(Registration.objects.filter(agency=agency).exclude(owner_email="").order_by("id")[:count])


def make_case(agency, investigator, registrations: list[Registration], number: str = "2025-000123") -> Case:
    case = Case.objects.create(
        agency=agency, case_number=number, offense_type=agency.offense_types.first(), created_by=investigator
    )
    for registration in registrations:
        CaseCamera.objects.create(case=case, camera=registration.cameras.first(), chosen_by=investigator)
    return case


def window() -> tuple:
    end = timezone.now() - timedelta(hours=2)
    return end - timedelta(hours=1), end


def verified(user):
    """The user as django-otp presents them after a TOTP check in a request."""
    user.is_verified = lambda: True
    return user


def make_request(agency, registration: Registration | None = None, investigator=None, case=None) -> FootageRequest:
    investigator = verified(investigator or make_staff(agency, "investigator"))
    registration = registration or owners_with_email(agency, 1)[0]
    case = case or make_case(agency, investigator, [registration], number=f"C-{registration.pk}")
    start, end = window()
    chosen = case.chosen_cameras.filter(camera__registration=registration).first()
    [footage_request] = footage_request_create(
        user=investigator, case=case, case_camera_ids=[chosen.pk], window_start=start, window_end=end, message="Please"
    )
    return footage_request


def owner_of(footage_request: FootageRequest, client: Client | None = None) -> Client:
    """A browser that opened the request's private link."""
    client = client or Client()
    value = request_link_issue(footage_request=footage_request)
    response = client.post(f"/footage/r/{footage_request.public_id}/{value}/")
    assert response.status_code == 302, response.content[:500]
    return client


SHARED_SCOPE = ("view_registrations", "view_contact_details", "search_canvass", "request_footage")


def share(granting, receiving, scope=SHARED_SCOPE):
    """An active sharing agreement from `granting` to `receiving`, granted by its administrator."""
    from accounts.services import sharing_grant

    now = timezone.now()
    return sharing_grant(
        actor=make_staff(granting, "administrator"),
        receiving_agency=receiving,
        scope=list(scope),
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
    )


def end_share(agreement, how: str) -> None:
    """End an agreement by revoking it, or by letting its end date pass (no job runs either way)."""
    from accounts.models import SharingAgreement
    from accounts.services import sharing_revoke

    if how == "revoke":
        sharing_revoke(actor=make_staff(agreement.granting_agency, "administrator"), agreement=agreement)
    else:
        SharingAgreement.objects.filter(pk=agreement.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
