"""Evidence uploads into a real S3 bucket (SeaweedFS): streamed as a multipart upload, hashed on the way,
nothing left on the app server's disk, aborted cleanly past the size limit; WORM retention where the bucket
supports object lock, and a logged warning (once) where it does not."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart

from cameraregistry import bucket_storage
from footage.models import EvidenceFile
from tests.footage.helpers import make_request, mp4_bytes, owner_of
from tests.footage.test_uploads import raw_upload_request
from tests.storage.helpers import bucket_keys, files_under, object_key, pending_uploads

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # slow: starts a real SeaweedFS server

MIB = 1024 * 1024


@pytest.fixture
def footage_request(town):
    return make_request(town["maple"])


def upload(owner: Client, footage_request, *files):
    return owner.post(f"/footage/answer/{footage_request.public_id}/upload/", {"files": list(files)})


@pytest.mark.slow
def test_an_owner_upload_lands_in_the_bucket_with_its_hash_and_nothing_on_disk(use_bucket, footage_request, tmp_path):
    client, bucket, prefix = use_bucket()
    content = mp4_bytes(19 * MIB)  # three parts: 8 + 8 + 3 MiB
    owner = owner_of(footage_request)
    response = upload(owner, footage_request, SimpleUploadedFile("porch.mp4", content))
    assert response.status_code == 200, response.content.decode()[:2000]
    evidence = EvidenceFile.objects.get(request=footage_request)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest() and evidence.size == len(content)
    assert bucket_keys(client, bucket, prefix) == [evidence.stored_name]
    assert evidence.stored_name.startswith(f"evidence/{footage_request.pk}/")
    stored = client.get_object(Bucket=bucket, Key=object_key(prefix, evidence.stored_name))["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == evidence.sha256
    assert files_under(tmp_path) == []  # no temporary copy, no local upload folder
    assert pending_uploads(client, bucket, prefix) == []


def test_a_file_over_the_limit_aborts_its_multipart_upload(use_bucket, footage_request, settings, tmp_path):
    client, bucket, prefix = use_bucket()
    settings.FOOTAGE_MAX_FILE_BYTES = 10 * MIB  # past the first 8 MiB part, so a part was already sent
    owner = owner_of(footage_request)
    body = encode_multipart(BOUNDARY, {"files": SimpleUploadedFile("huge.mp4", mp4_bytes(14 * MIB))})
    response, stream = raw_upload_request(footage_request, owner, body)
    assert response.status_code == 413, response.content.decode()[-3000:]
    assert stream.bytes_read < len(body)
    assert not EvidenceFile.objects.exists()
    assert bucket_keys(client, bucket, prefix) == []
    assert pending_uploads(client, bucket, prefix) == []
    assert files_under(tmp_path) == []


@pytest.mark.slow
def test_an_interrupted_upload_and_a_refused_file_leave_nothing(use_bucket, footage_request, tmp_path):
    client, bucket, prefix = use_bucket()
    owner = owner_of(footage_request)
    body = encode_multipart(BOUNDARY, {"files": SimpleUploadedFile("clip.mp4", mp4_bytes(12 * MIB))})
    response, _stream = raw_upload_request(footage_request, owner, body, cut_at=len(body) - 1024)
    assert response.status_code == 400
    renamed = upload(owner, footage_request, SimpleUploadedFile("clip.avi", mp4_bytes(2 * MIB)))
    assert renamed.status_code == 400 and "really MP4/MOV" in renamed.content.decode()
    assert not EvidenceFile.objects.exists()
    assert bucket_keys(client, bucket, prefix) == []
    assert pending_uploads(client, bucket, prefix) == []
    assert files_under(tmp_path) == []


def test_a_zip_is_spooled_checked_then_copied_into_the_bucket(use_bucket, footage_request, tmp_path):
    client, bucket, prefix = use_bucket()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("cam1.mp4", mp4_bytes(5000))
    owner = owner_of(footage_request)
    response = upload(owner, footage_request, SimpleUploadedFile("export.zip", archive.getvalue()))
    assert response.status_code == 200, response.content.decode()[:2000]
    evidence = EvidenceFile.objects.get()
    assert evidence.content_type == "ZIP archive"
    assert bucket_keys(client, bucket, prefix) == [evidence.stored_name]
    assert (
        client.get_object(Bucket=bucket, Key=object_key(prefix, evidence.stored_name))["Body"].read()
        == archive.getvalue()
    )
    assert files_under(tmp_path) == []  # the spooled copy is gone


def test_object_lock_sets_retention_on_each_evidence_object(use_bucket, footage_request):
    client, bucket, prefix = use_bucket(object_lock=True, lock_days=30, mode="compliance")
    owner = owner_of(footage_request)
    assert upload(owner, footage_request, SimpleUploadedFile("a.mp4", mp4_bytes(3000))).status_code == 200
    evidence = EvidenceFile.objects.get()
    retention = client.get_object_retention(Bucket=bucket, Key=object_key(prefix, evidence.stored_name))["Retention"]
    assert retention["Mode"] == "COMPLIANCE"
    days = (retention["RetainUntilDate"] - evidence.uploaded_at).total_seconds() / 86400
    assert 29.9 < days < 30.1


@pytest.mark.slow
def test_a_bucket_without_object_lock_logs_once_and_keeps_the_evidence(use_bucket, footage_request, caplog):
    client, bucket, prefix = use_bucket(object_lock=False, lock_days=30)
    bucket_storage._lock_refusals_logged.clear()
    owner = owner_of(footage_request)
    with caplog.at_level(logging.WARNING, logger="cameraregistry.bucket_storage"):
        assert upload(owner, footage_request, SimpleUploadedFile("a.mp4", mp4_bytes(3000))).status_code == 200
        assert upload(owner, footage_request, SimpleUploadedFile("b.mp4", mp4_bytes(4000))).status_code == 200
    warnings = [record for record in caplog.records if "refused object-lock retention" in record.getMessage()]
    assert len(warnings) == 1 and bucket in warnings[0].getMessage()
    assert len(bucket_keys(client, bucket, prefix)) == 2 == EvidenceFile.objects.count()


def test_outsiders_cannot_upload_into_the_bucket(use_bucket, footage_request):
    client, bucket, prefix = use_bucket()
    assert upload(Client(), footage_request, SimpleUploadedFile("a.mp4", mp4_bytes(3000))).status_code == 404
    assert bucket_keys(client, bucket, prefix) == []
