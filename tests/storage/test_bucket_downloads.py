"""Evidence read back from a real S3 bucket (SeaweedFS): downloads streamed with the SHA-256 re-verified,
a tampered object refused like a tampered local file, only the agency's investigators served, and the
retention purge deleting the objects."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from cameraregistry.storage_url import storage_settings
from canvass.models import CaseStatus
from footage import evidence_store
from footage.models import EvidenceFile
from footage.services import footage_purge_for_agency
from scripts.seaweedfs import free_ports
from tests.footage.helpers import make_request, mp4_bytes, owner_of, owners_with_email
from tests.staff_fixtures import make_staff, staff_client
from tests.storage.helpers import bucket_keys, object_key

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # slow: starts a real SeaweedFS server

MIB = 1024 * 1024


@pytest.fixture
def footage_request(town):
    return make_request(town["maple"])


def uploaded(footage_request, content: bytes, name: str = "door.mp4") -> EvidenceFile:
    owner = owner_of(footage_request)
    response = owner.post(
        f"/footage/answer/{footage_request.public_id}/upload/", {"files": [SimpleUploadedFile(name, content)]}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    return EvidenceFile.objects.get(request=footage_request, original_name=name)


def download_path(evidence) -> str:
    return f"/footage/staff/evidence/{evidence.pk}/download/"


@pytest.mark.slow
def test_a_download_streams_from_the_bucket_with_the_hash_verified(use_bucket, client, footage_request):
    use_bucket()
    content = mp4_bytes(9 * MIB + 123)
    evidence = uploaded(footage_request, content)
    staff_client(client, footage_request.created_by)
    response = client.get(download_path(evidence))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"].startswith("attachment;") and "door.mp4" in response["Content-Disposition"]
    assert response["X-Evidence-SHA256"] == hashlib.sha256(content).hexdigest()
    assert b"".join(response.streaming_content) == content
    assert AuditEntry.objects.filter(action="evidence.download", object_id=str(evidence.pk)).exists()
    verified = client.post(f"/footage/staff/evidence/{evidence.pk}/verify/")
    assert "Integrity verified" in verified.content.decode()


@pytest.mark.slow
def test_a_tampered_object_is_refused_loudly_and_audited(use_bucket, client, footage_request):
    s3, bucket, prefix = use_bucket()
    evidence = uploaded(footage_request, mp4_bytes(4000))
    s3.put_object(Bucket=bucket, Key=object_key(prefix, evidence.stored_name), Body=mp4_bytes(4000) + b"tampered")
    staff_client(client, footage_request.created_by)
    response = client.get(download_path(evidence))
    assert response.status_code == 409
    assert "WARNING: this file does not match" in response.content.decode()
    entry = AuditEntry.objects.get(action="evidence.hash_mismatch")
    assert entry.outcome == "failure" and entry.parameters["expected"] == evidence.sha256
    verify = client.post(f"/footage/staff/evidence/{evidence.pk}/verify/")
    assert verify.status_code == 409


def test_a_missing_object_is_a_mismatch_too(use_bucket, client, footage_request):
    s3, bucket, prefix = use_bucket()
    evidence = uploaded(footage_request, mp4_bytes(4000))
    s3.delete_object(Bucket=bucket, Key=object_key(prefix, evidence.stored_name))
    staff_client(client, footage_request.created_by)
    assert client.get(download_path(evidence)).status_code == 409
    assert AuditEntry.objects.get(action="evidence.hash_mismatch").parameters["actual"] == "file missing"


def test_an_object_changed_after_the_check_is_not_served(use_bucket, footage_request):
    s3, bucket, prefix = use_bucket()
    evidence = uploaded(footage_request, mp4_bytes(4000))
    _sha, tag = evidence_store.hash_stored(evidence.stored_name)
    s3.put_object(Bucket=bucket, Key=object_key(prefix, evidence.stored_name), Body=b"replaced")
    with pytest.raises(FileNotFoundError):  # pinned to the verified version (ETag)
        evidence_store.open_verified_stream(evidence.stored_name, sha256=evidence.sha256, tag=tag)


@pytest.mark.slow
def test_bytes_that_do_not_hash_right_are_never_all_sent(use_bucket, footage_request):
    use_bucket()
    evidence = uploaded(footage_request, mp4_bytes(3 * MIB))
    _sha, tag = evidence_store.hash_stored(evidence.stored_name)
    stream = evidence_store.open_verified_stream(evidence.stored_name, sha256="0" * 64, tag=tag)
    sent = []
    with pytest.raises(evidence_store.EvidenceChanged):
        for chunk in stream:
            sent.append(chunk)
    assert sum(map(len, sent)) < evidence.size  # the last chunk was held back


def test_outsiders_cannot_download_from_the_bucket(use_bucket, town, footage_request):
    use_bucket()
    evidence = uploaded(footage_request, mp4_bytes(4000))
    path = download_path(evidence)
    assert Client().get(path).status_code == 302
    assert staff_client(Client(), make_staff(town["cedar"], "investigator")).get(path).status_code == 404
    assert staff_client(Client(), make_staff(town["maple"], "auditor")).get(path).status_code == 403
    assert owner_of(footage_request).get(path).status_code == 302
    assert not AuditEntry.objects.filter(action="evidence.download").exists()


@pytest.mark.slow
def test_the_retention_purge_deletes_the_objects(use_bucket, client, footage_request):
    s3, bucket, prefix = use_bucket()
    evidence = uploaded(footage_request, mp4_bytes(4000))
    other = make_request(footage_request.agency, owners_with_email(footage_request.agency, 2)[1])
    kept = uploaded(other, mp4_bytes(5000), name="open-case.mp4")
    case = footage_request.case
    case.status, case.closed_at, case.close_reason = CaseStatus.CLOSED, timezone.now() - timedelta(days=400), "test"
    case.save()
    assert footage_purge_for_agency(agency=footage_request.agency, now=timezone.now()) == 1
    assert bucket_keys(s3, bucket, prefix) == [kept.stored_name]
    evidence.refresh_from_db()
    assert evidence.purged_at is not None
    staff_client(client, footage_request.created_by)
    assert client.get(download_path(evidence)).status_code == 410


def point_at_nothing(settings) -> None:
    """STORAGE_URL pointing at a loopback port where nothing listens."""
    url = f"s3://key:secret@127.0.0.1:{free_ports(1)[0]}/evidence?secure=false"
    settings.STORAGES = {**settings.STORAGES, "default": storage_settings(url, settings.DATA_DIR / "uploads")}


def test_an_unreachable_store_is_said_so_and_nothing_is_kept(footage_request, settings, tmp_path):
    point_at_nothing(settings)
    owner = owner_of(footage_request)
    response = owner.post(
        f"/footage/answer/{footage_request.public_id}/upload/",
        {"files": [SimpleUploadedFile("a.mp4", mp4_bytes(5000))]},
    )
    assert response.status_code == 503
    assert "could not be stored just now; nothing was kept" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


@pytest.mark.slow
def test_an_unreachable_store_on_download_is_not_called_a_mismatch(use_bucket, footage_request, client, settings):
    use_bucket()
    evidence = uploaded(footage_request, mp4_bytes(4000))
    point_at_nothing(settings)
    staff_client(client, footage_request.created_by)
    response = client.get(download_path(evidence))
    assert response.status_code == 503 and "cannot be reached just now" in response.content.decode()
    assert client.post(f"/footage/staff/evidence/{evidence.pk}/verify/").status_code == 503
    assert not AuditEntry.objects.filter(action="evidence.hash_mismatch").exists()
