"""What is inside a footage upload: ZIP archives opened and checked, names that lie refused."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEntry
from footage.contents import MAX_RATIO
from footage.models import EvidenceFile
from tests.footage.helpers import make_request, mp4_bytes, owner_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def footage_request(town):
    return make_request(town["maple"])


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def a_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb(unpacked_bytes: int) -> bytes:
    """An MP4 header then zeros, compressed: written in chunks so the test never holds it unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("clip.mp4", "w", force_zip64=True) as entry:
            entry.write(mp4_bytes(64))
            zeros = bytes(1024 * 1024)
            for _ in range(unpacked_bytes // len(zeros)):
                entry.write(zeros)
    return buffer.getvalue()


def send(footage_request, name: str, content: bytes):
    owner = owner_of(footage_request)
    return owner.post(
        f"/footage/answer/{footage_request.public_id}/upload/", {"files": [SimpleUploadedFile(name, content)]}
    )


def assert_refused(response, *words: str) -> None:
    text = response.content.decode()
    assert response.status_code == 400, text[:2000]
    for word in words:
        assert word in text, text[:3000]
    assert not EvidenceFile.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.received").exists()
    assert stored_files() == []


def test_a_zip_of_two_videos_is_accepted(footage_request):
    content = a_zip({"cam1/front.mp4": mp4_bytes(20_000), "cam2/back.mp4": mp4_bytes(30_000)})
    response = send(footage_request, "export.zip", content)
    assert response.status_code == 200, response.content.decode()[:2000]
    evidence = EvidenceFile.objects.get()
    assert evidence.content_type == "ZIP archive" and evidence.size == len(content)


@pytest.mark.slow
def test_a_zip_bomb_is_refused(footage_request):
    bomb = zip_bomb(64 * 1024 * 1024)
    assert len(bomb) * MAX_RATIO < 64 * 1024 * 1024  # really a bomb by the ratio
    assert_refused(send(footage_request, "export.zip", bomb), "unpacks to more than 100 times its size")


def test_a_zip_unpacking_past_the_upload_limit_is_refused(footage_request, settings):
    noise = random.Random(1).randbytes(100_000)
    videos = {f"clip{index}.mp4": mp4_bytes(64) + noise + bytes(400_000) for index in range(5)}
    content = a_zip(videos)
    unpacked = sum(len(video) for video in videos.values())
    assert unpacked < len(content) * MAX_RATIO  # not a bomb by the ratio
    settings.FOOTAGE_MAX_FILE_BYTES = len(content) + 100  # the archive fits, its contents do not
    assert_refused(send(footage_request, "export.zip", content), "would be larger than")


def test_a_zip_holding_an_html_page_is_refused(footage_request):
    content = a_zip({"front.mp4": mp4_bytes(2000), "index.html": b"<html><script>alert(1)</script></html>"})
    assert_refused(send(footage_request, "export.zip", content), "index.html in the ZIP archive is not a video")


def test_a_nested_zip_is_refused(footage_request):
    inner = a_zip({"front.mp4": mp4_bytes(2000)})
    assert_refused(send(footage_request, "export.zip", a_zip({"inner.zip": inner})), "archive inside the ZIP")
    renamed = a_zip({"inner.mp4": inner})
    assert_refused(send(footage_request, "export.zip", renamed), "archive inside the ZIP")


@pytest.mark.parametrize(
    "name,content,words",
    [
        ("clip.mp4", None, "ends in .mp4 but the file is really ZIP archive"),
        ("clip.html", mp4_bytes(2000), "ends in .html"),
        ("clip.avi", mp4_bytes(2000), "ends in .avi"),
    ],
)
def test_a_name_that_contradicts_the_content_is_refused(footage_request, name, content, words):
    content = content or a_zip({"front.mp4": mp4_bytes(2000)})
    assert_refused(send(footage_request, name, content), words)


def test_a_zip_entry_named_against_its_content_is_refused(footage_request):
    avi = b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(2000)
    assert_refused(send(footage_request, "export.zip", a_zip({"front.mp4": avi})), "ends in .mp4")


def test_a_damaged_or_encrypted_zip_is_refused(footage_request):
    content = a_zip({"front.mp4": mp4_bytes(50_000)})
    assert_refused(send(footage_request, "export.zip", content[: len(content) // 2]), "damaged")
    flagged = bytearray(content)
    flagged[6] |= 0x1  # the local header's "encrypted" bit
    central = flagged.rfind(b"PK\x01\x02")
    flagged[central + 8] |= 0x1
    assert_refused(send(footage_request, "export.zip", bytes(flagged)), "password")


def test_names_without_or_with_unknown_extensions_are_kept(footage_request):
    response = send(footage_request, "recording", mp4_bytes(2000))
    assert response.status_code == 200, response.content.decode()[:2000]
    response = send(footage_request, "CH01_20250301.bin", mp4_bytes(2000))
    assert response.status_code == 200
    assert EvidenceFile.objects.count() == 2
