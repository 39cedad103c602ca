"""Evidence uploads: sniffing, limits while streaming, hostile names, interruptions, immutability, verified download."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import LimitedStream
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, encode_multipart

from audit.models import AuditEntry
from footage import views
from footage.models import EvidenceFile
from footage.uploads import detect_video_type, display_name
from tests.footage.helpers import make_request, mp4_bytes, mp4_upload, owner_of
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "head,expected",
    [
        (mp4_bytes(64), "MP4/MOV"),
        (b"RIFF\x00\x10\x00\x00AVI LIST", "AVI"),
        (b"\x1a\x45\xdf\xa3\x01\x00\x00", "Matroska/WebM"),
        (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9", "ASF/WMV"),
        (b"\x00\x00\x01\xba\x44\x00", "MPEG program stream"),
        ((b"\x47" + b"\x00" * 187) * 4, "MPEG transport stream"),
        ((b"\x00" * 4 + b"\x47" + b"\x00" * 187) * 4, "MPEG transport stream (M2TS)"),
        (b"\x00\x00\x00\x01\x67\x42\x00\x1e", "H.264 raw stream (DVR)"),
        (b"PK\x03\x04\x14\x00", "ZIP archive"),
        (b"DHAVsomething", "Dahua DVR (.dav)"),
        (b"IMKH\x01\x02", "Hikvision DVR"),
        (b"MZ\x90\x00 this is an exe", None),
        (b"%PDF-1.7", None),
        (b"<html><script>", None),
        (b"\x47\x00\x00", None),  # one sync byte is not a transport stream
        (b"", None),
    ],
)
def test_it_recognises_allowed_formats_only(head, expected):
    assert detect_video_type(head) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("clip\u202egpj.exe", "clipgpj.exe"),
        ("front\x00door.mp4", "frontdoor.mp4"),
        ("ｆｕｌｌｗｉｄｔｈ.mp4", "fullwidth.mp4"),
        ("...", "unnamed"),
        ("", "unnamed"),
        ("a" * 300 + ".mp4", "a" * 140 + ".mp4"),
    ],
)
def test_file_names_are_made_safe_for_display(raw, expected):
    assert display_name(raw) == expected


@pytest.fixture
def footage_request(town):
    return make_request(town["maple"])


def upload(owner: Client, footage_request, *files):
    return owner.post(f"/footage/answer/{footage_request.public_id}/upload/", {"files": list(files)})


def test_a_video_is_stored_under_a_generated_name_with_its_hash(footage_request):
    owner = owner_of(footage_request)
    content = mp4_bytes(50_000)
    response = upload(owner, footage_request, SimpleUploadedFile("../../../evil/Front Door.mp4", content))
    assert response.status_code == 200, response.content.decode()[:3000]
    evidence = EvidenceFile.objects.get(request=footage_request)
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content) and evidence.content_type == "MP4/MOV"
    assert evidence.original_name == "Front Door.mp4"
    assert "Front" not in evidence.stored_name and ".." not in evidence.stored_name
    [stored] = stored_files()
    assert stored.read_bytes() == content
    assert evidence.sha256 in response.content.decode()
    footage_request.refresh_from_db()
    assert footage_request.status == "footage_received"
    entry = AuditEntry.objects.get(action="evidence.received")
    assert entry.parameters["sha256"] == evidence.sha256


def test_wrong_magic_bytes_and_empty_files_are_refused_with_reasons(footage_request):
    owner = owner_of(footage_request)
    response = upload(
        owner,
        footage_request,
        SimpleUploadedFile("holiday.mp4", b"MZ\x90\x00" + b"\x00" * 5000),
        SimpleUploadedFile("empty.mp4", b""),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "holiday.mp4: This is not a video file we can accept" in page
    assert "empty.mp4: This file is empty" in page
    assert not EvidenceFile.objects.exists()
    assert stored_files() == []


def test_good_files_are_kept_when_another_in_the_same_upload_is_refused(footage_request):
    owner = owner_of(footage_request)
    response = upload(owner, footage_request, mp4_upload("good.mp4"), SimpleUploadedFile("bad.txt", b"hello" * 400))
    assert response.status_code == 207
    assert "bad.txt" in response.content.decode()
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["good.mp4"]


def test_the_file_count_limit_is_enforced(footage_request, settings):
    settings.FOOTAGE_MAX_FILES_PER_REQUEST = 2
    owner = owner_of(footage_request)
    response = upload(owner, footage_request, mp4_upload("1.mp4"), mp4_upload("2.mp4"), mp4_upload("3.mp4"))
    assert "Only 2 files can be sent" in response.content.decode()
    assert EvidenceFile.objects.count() == 2
    again = upload(owner, footage_request, mp4_upload("4.mp4"))
    assert again.status_code == 409 and "Only 2 files" in again.content.decode()
    assert EvidenceFile.objects.count() == 2
    assert len(stored_files()) == 2


class CountingStream(io.BytesIO):
    """A request body that remembers how much the server read, and can end early like a dropped client."""

    def __init__(self, data: bytes, cut_at: int | None = None) -> None:
        super().__init__(data[:cut_at] if cut_at is not None else data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def raw_upload_request(footage_request, owner: Client, body: bytes, cut_at: int | None = None):
    """The upload view called with a hand-made WSGI body, sharing the owner's session."""
    request = RequestFactory().post(f"/footage/answer/{footage_request.public_id}/upload/", data={})
    stream = CountingStream(body, cut_at)
    request.META["CONTENT_LENGTH"] = str(len(body))
    request._stream = LimitedStream(stream, len(body))
    request._read_started = False
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore(owner.session.session_key)
    request._dont_enforce_csrf_checks = True
    return views.upload(request, public_id=footage_request.public_id), stream


def test_an_oversize_file_is_stopped_while_streaming_not_after(footage_request, settings):
    settings.FOOTAGE_MAX_FILE_BYTES = 1024 * 1024
    owner = owner_of(footage_request)
    body = encode_multipart(BOUNDARY, {"files": SimpleUploadedFile("huge.mp4", mp4_bytes(8 * 1024 * 1024))})
    response, stream = raw_upload_request(footage_request, owner, body)
    assert response.status_code == 413
    assert "larger than the 1 MB limit" in response.content.decode()
    assert stream.bytes_read < len(body) / 2  # the rest of the body was never read
    assert not EvidenceFile.objects.exists()
    assert stored_files() == []


def test_a_client_that_disconnects_half_way_leaves_nothing(footage_request):
    owner = owner_of(footage_request)
    body = encode_multipart(BOUNDARY, {"files": SimpleUploadedFile("clip.mp4", mp4_bytes(3 * 1024 * 1024))})
    response, _stream = raw_upload_request(footage_request, owner, body, cut_at=len(body) // 2)
    assert response.status_code == 400
    assert "interrupted" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_files() == []


def test_outsiders_cannot_upload(footage_request):
    response = upload(Client(), footage_request, mp4_upload())
    assert response.status_code == 404
    assert not EvidenceFile.objects.exists() and stored_files() == []


def test_evidence_records_cannot_be_changed(footage_request):
    owner = owner_of(footage_request)
    upload(owner, footage_request, mp4_upload())
    evidence = EvidenceFile.objects.get()
    for field, value in (("sha256", "0" * 64), ("size", 1), ("stored_name", "evidence/other.bin")):
        fresh = EvidenceFile.objects.get(pk=evidence.pk)
        setattr(fresh, field, value)
        with pytest.raises(ValidationError):
            fresh.save()
    evidence.refresh_from_db()
    assert evidence.size > 1


def test_investigators_download_an_attachment_with_the_hash_verified(client, town, footage_request):
    owner = owner_of(footage_request)
    content = mp4_bytes(20_000)
    upload(owner, footage_request, SimpleUploadedFile("door.mp4", content))
    evidence = EvidenceFile.objects.get()
    staff_client(client, footage_request.created_by)
    response = client.get(f"/footage/staff/evidence/{evidence.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;") and "door.mp4" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content
    assert response["X-Evidence-SHA256"] == hashlib.sha256(content).hexdigest()
    assert AuditEntry.objects.filter(action="evidence.download", object_id=str(evidence.pk)).exists()
    verified = client.post(f"/footage/staff/evidence/{evidence.pk}/verify/")
    assert "Integrity verified" in verified.content.decode()


def test_a_changed_file_is_refused_loudly_and_audited(client, town, footage_request):
    owner = owner_of(footage_request)
    upload(owner, footage_request, mp4_upload())
    evidence = EvidenceFile.objects.get()
    [stored] = stored_files()
    stored.write_bytes(stored.read_bytes() + b"tampered")
    staff_client(client, footage_request.created_by)
    response = client.get(f"/footage/staff/evidence/{evidence.pk}/download/")
    assert response.status_code == 409
    assert "WARNING: this file does not match" in response.content.decode()
    entry = AuditEntry.objects.get(action="evidence.hash_mismatch")
    assert entry.outcome == "failure" and entry.parameters["expected"] == evidence.sha256


def test_outsiders_cannot_download(town, footage_request):
    owner = owner_of(footage_request)
    upload(owner, footage_request, mp4_upload())
    evidence = EvidenceFile.objects.get()
    path = f"/footage/staff/evidence/{evidence.pk}/download/"
    assert Client().get(path).status_code == 302
    assert staff_client(Client(), make_staff(town["cedar"], "investigator")).get(path).status_code == 404
    assert staff_client(Client(), make_staff(town["maple"], "auditor")).get(path).status_code == 403
    assert owner.get(path).status_code == 302
    assert not AuditEntry.objects.filter(action="evidence.download").exists()


def test_the_evidence_manifest_is_exported_safely_and_audited(client, town, footage_request):
    owner = owner_of(footage_request)
    upload(owner, footage_request, SimpleUploadedFile("=HYPERLINK(evil).mp4", mp4_bytes(1000)))
    evidence = EvidenceFile.objects.get()
    path = f"/footage/staff/cases/{footage_request.case_id}/evidence-manifest.csv"
    staff_client(client, footage_request.created_by)
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    text = response.content.decode()
    assert evidence.sha256 in text and "'=HYPERLINK(evil).mp4" in text
    assert AuditEntry.objects.filter(action="evidence.export").count() == 1
    assert staff_client(Client(), make_staff(town["cedar"], "investigator")).get(path).status_code == 404
    assert staff_client(Client(), make_staff(town["maple"], "auditor")).get(path).status_code == 403
