"""A real registry instance for the backup tests, driven in its own process (python -m tests.backup_instance).

    seed                 the small demo town, one footage request with two evidence files, an audit anchor
    write STOP_FILE      create registrations through the service until STOP_FILE exists; prints the count
    counts               JSON counts of what a restore must bring back

The environment (DATA_DIR, DATABASE_URL, SECRET_KEY, FIELD_ENCRYPTION_KEYS) says which instance.
"""

from __future__ import annotations

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cameraregistry.settings")
django.setup()

import hashlib  # noqa: E402 - Django must be set up before the models load
import json  # noqa: E402
from pathlib import Path  # noqa: E402

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402

from agencies.models import Agency  # noqa: E402
from audit.anchors import anchor_chain_head  # noqa: E402
from audit.models import AuditEntry  # noqa: E402
from demo.town import build_town  # noqa: E402
from footage.models import EvidenceFile  # noqa: E402
from registrations import services  # noqa: E402
from registrations.geocoding import geocode  # noqa: E402
from registrations.models import Camera, Registration  # noqa: E402
from tests.footage.helpers import make_request, mp4_bytes  # noqa: E402


def seed() -> None:
    build_town(registrations=40, seed=7)
    footage_request = make_request(Agency.objects.get(slug="maple-falls"))
    for number in range(2):
        content = mp4_bytes(3000 + number)
        stored = default_storage.save(f"evidence/{footage_request.pk}/clip{number}.bin", ContentFile(content))
        EvidenceFile.objects.create(
            request=footage_request,
            original_name=f"clip{number}.mp4",
            stored_name=stored,
            size=len(content),
            content_type="MP4/MOV",
            sha256=hashlib.sha256(content).hexdigest(),
            uploader_description="backup test",
        )
    anchor_chain_head()


def write(stop_file: Path) -> None:
    agency = Agency.objects.get(slug="maple-falls")
    point = geocode("101 1st St").point
    written = 0
    while not stop_file.exists():
        data = services.RegistrationInput(
            property_type="residence",
            street_address="101 1st St",
            latitude=point.latitude,
            longitude=point.longitude,
            owner_name=f"Writer {written}",
            owner_phone=f"708 555 {written % 10000:04d}",
            owner_email=f"writer{written}@example.com",
            confirms_exterior_cameras=True,
            confirms_records_and_keeps_video=True,
            cameras=[services.CameraInput(locations=["front"], records_street=True, retention_days=7)],
        )
        services.registration_create(data=data, terms=agency.current_terms())
        written += 1
        if written == 3:
            print("writing", flush=True)
        time.sleep(0.005)
    print(written, flush=True)


def counts() -> None:
    print(
        json.dumps(
            {
                "registrations": Registration.objects.count(),
                "cameras": Camera.objects.count(),
                "evidence": EvidenceFile.objects.count(),
                "audit_entries": AuditEntry.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    action = sys.argv[1]
    if action == "seed":
        seed()
    elif action == "write":
        write(Path(sys.argv[2]))
    elif action == "counts":
        counts()
    elif action == "verify":
        call_command("verify_audit_log")
