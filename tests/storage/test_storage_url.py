"""STORAGE_URL: the local folder by default, an S3 bucket when set, and a clear message for a bad URL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from cameraregistry.storage_url import BUCKET_BACKEND, storage_settings


def test_empty_means_the_local_folder(tmp_path):
    assert storage_settings("", tmp_path) == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path},
    }


def test_a_bucket_url_with_every_option():
    entry = storage_settings(
        "s3://AKID:se%2Fcret%40x@127.0.0.1:8333/evidence?region=eu-west-1&secure=false&addressing=virtual"
        "&prefix=/county/&object_lock_days=365&object_lock_mode=compliance",
        "unused",
    )
    assert entry["BACKEND"] == BUCKET_BACKEND
    config = entry["OPTIONS"].pop("client_config")
    assert config.retries == {"max_attempts": 3, "mode": "standard"} and config.connect_timeout == 10
    assert entry["OPTIONS"] == {
        "access_key": "AKID",
        "secret_key": "se/cret@x",
        "bucket_name": "evidence",
        "endpoint_url": "http://127.0.0.1:8333",
        "region_name": "eu-west-1",
        "addressing_style": "virtual",
        "use_ssl": False,
        "location": "county",
        "file_overwrite": False,
        "default_acl": None,
        "object_lock_days": 365,
        "object_lock_mode": "COMPLIANCE",
    }


def test_defaults_are_https_path_style_and_no_lock():
    options = storage_settings("s3://k:s@s3.example.org/ev", "unused")["OPTIONS"]
    assert options["endpoint_url"] == "https://s3.example.org"
    assert (options["addressing_style"], options["object_lock_days"], options["region_name"]) == (
        "path",
        0,
        "us-east-1",
    )


@pytest.mark.parametrize(
    "url,message",
    [
        ("http://k:s@host/bucket", "scheme 'http' is not supported"),
        ("s3://k:s@/bucket", "needs a host name"),
        ("s3://host/bucket", "needs an access key and a secret"),
        ("s3://k@host/bucket", "needs an access key and a secret"),
        ("s3://k:s@host:port/bucket", "port that is not a number"),
        ("s3://k:s@host/", "exactly one bucket"),
        ("s3://k:s@host/a/b", "exactly one bucket"),
        ("s3://k:s@host/b?colour=red", "unknown option(s) colour"),
        ("s3://k:s@host/b?secure=maybe", "secure must be true or false"),
        ("s3://k:s@host/b?addressing=dns", "addressing must be path or virtual"),
        ("s3://k:s@host/b?object_lock_days=ten", "object_lock_days must be a whole number"),
        ("s3://k:s@host/b?object_lock_days=-1", "between 0 and 36500"),
        ("s3://k:s@host/b?object_lock_mode=forever", "object_lock_mode must be governance or compliance"),
    ],
)
def test_bad_urls_name_what_is_wrong(url, message):
    with pytest.raises(ImproperlyConfigured, match="STORAGE_URL") as error:
        storage_settings(url, "unused")
    assert message in str(error.value)
