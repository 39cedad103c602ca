"""Looking into the test bucket and the test data folder."""

from __future__ import annotations

from pathlib import Path


def bucket_keys(client, bucket: str, prefix: str) -> list[str]:
    """The names (without the test's prefix) of the objects under `prefix`."""
    listed = client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/").get("Contents", [])
    return sorted(item["Key"].removeprefix(f"{prefix}/") for item in listed)


def pending_uploads(client, bucket: str, prefix: str) -> list[dict]:
    return client.list_multipart_uploads(Bucket=bucket, Prefix=f"{prefix}/").get("Uploads", [])


def object_key(prefix: str, name: str) -> str:
    return f"{prefix}/{name}"


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []
