"""manage.py evidence_to_bucket: local evidence copied into a real bucket (SeaweedFS), every hash verified,
resumable after a crash, mismatches reported with the local copy kept."""

from __future__ import annotations

import hashlib
from io import StringIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from cameraregistry.bucket_storage import BucketStorage
from footage.models import EvidenceFile
from tests.footage.helpers import make_request, mp4_bytes, owner_of
from tests.staff_fixtures import staff_client
from tests.storage.helpers import bucket_keys, files_under, object_key, pending_uploads

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # slow: starts a real SeaweedFS server


@pytest.fixture
def local_evidence(town, tmp_path):
    """Three files uploaded while evidence was still kept in the local folder."""
    footage_request = make_request(town["maple"])
    owner = owner_of(footage_request)
    files = [SimpleUploadedFile(f"cam{n}.mp4", mp4_bytes(3000 + n)) for n in range(3)]
    assert owner.post(f"/footage/answer/{footage_request.public_id}/upload/", {"files": files}).status_code == 200
    assert len(files_under(tmp_path / "uploads")) == 3
    return list(EvidenceFile.objects.order_by("pk"))


def run(*arguments) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("evidence_to_bucket", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_copies_verifies_resumes_and_then_moves(use_bucket, local_evidence, tmp_path, client):
    s3, bucket, prefix = use_bucket()
    real_upload = BucketStorage.upload_from
    calls = []

    def crash_on_second(storage, name, handle):
        calls.append(name)
        if len(calls) == 2:
            raise ConnectionError("network down half-way")
        return real_upload(storage, name, handle)

    with mock.patch.object(BucketStorage, "upload_from", crash_on_second), pytest.raises(ConnectionError):
        run("--from", str(tmp_path / "uploads"))
    assert bucket_keys(s3, bucket, prefix) == [local_evidence[0].stored_name]

    out, err = run("--from", str(tmp_path / "uploads"))
    assert "Copied and verified: 2. Already in the bucket: 1." in out and "Problems: 0" in out
    assert "Evidence to bucket" in err and "100%" in err  # the progress bar
    assert bucket_keys(s3, bucket, prefix) == sorted(e.stored_name for e in local_evidence)
    assert pending_uploads(s3, bucket, prefix) == []
    assert len(files_under(tmp_path / "uploads")) == 3  # nothing removed without --remove-local

    out, _err = run("--from", str(tmp_path / "uploads"), "--remove-local")
    assert "Copied and verified: 0. Already in the bucket: 3. Local copies removed: 3." in out
    assert files_under(tmp_path / "uploads") == []
    first = local_evidence[0]
    stored = s3.get_object(Bucket=bucket, Key=object_key(prefix, first.stored_name))["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == first.sha256
    staff_client(client, first.request.created_by)
    response = client.get(f"/footage/staff/evidence/{first.pk}/download/")
    assert response.status_code == 200 and hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == (
        first.sha256
    )
    entries = AuditEntry.objects.filter(action="evidence.migrate")
    assert sorted(int(entry.object_id) for entry in entries) == [e.pk for e in local_evidence]  # once each


@pytest.mark.slow
def test_a_local_file_that_does_not_match_is_reported_and_kept(use_bucket, local_evidence, tmp_path):
    s3, bucket, prefix = use_bucket()
    changed = local_evidence[1]
    path = tmp_path / "uploads" / changed.stored_name
    path.write_bytes(path.read_bytes() + b"changed")
    with pytest.raises(CommandError, match="1 file"):
        run("--from", str(tmp_path / "uploads"), "--remove-local")
    assert changed.stored_name not in bucket_keys(s3, bucket, prefix)
    assert path.exists()  # the local copy of a mismatch is never deleted
    assert len(bucket_keys(s3, bucket, prefix)) == 2
    assert files_under(tmp_path / "uploads") == [path]


def test_a_wrong_object_already_in_the_bucket_is_replaced_from_the_good_local_copy(
    use_bucket, local_evidence, tmp_path
):
    s3, bucket, prefix = use_bucket()
    first = local_evidence[0]
    s3.put_object(Bucket=bucket, Key=object_key(prefix, first.stored_name), Body=b"half an earlier attempt")
    out, _err = run("--from", str(tmp_path / "uploads"))
    assert "Copied and verified: 3." in out
    body = s3.get_object(Bucket=bucket, Key=object_key(prefix, first.stored_name))["Body"].read()
    assert hashlib.sha256(body).hexdigest() == first.sha256


def test_it_refuses_to_run_without_a_bucket(local_evidence):
    with pytest.raises(CommandError, match="STORAGE_URL does not name a bucket"):
        run()
