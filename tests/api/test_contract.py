"""Contract: schemathesis drives every operation of the OpenAPI document against a live server.

A token holding every scope; all of schemathesis' checks (no 500s, status codes, content types, headers and
bodies as documented, schema-invalid input refused, stateful links, response time under 5 s). A few examples
per operation (SCHEMATHESIS_EXAMPLES) and a time bound on fuzzing and stateful testing (SCHEMATHESIS_MAX_TIME
seconds): 20 s by default, so `make test` stays short on an engineer's machine; CI (.ci/run) gives it 90 s. tests/api/schemathesis.toml says which refusals of schema-valid requests are proper answers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.helpers import ALL_SCOPES, make_token, post_json, search_body

EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "6")
# Fuzzing and stateful testing repeat until this many seconds are spent.
MAX_TIME = os.environ.get("SCHEMATHESIS_MAX_TIME", "20")


def schemathesis_command() -> str:
    found = Path(sys.executable).with_name("schemathesis")
    if found.exists():
        return str(found)
    on_path = shutil.which("schemathesis")
    if on_path is None:
        if os.environ.get("REQUIRE_ALL_TESTS") == "1":
            pytest.fail("schemathesis is not installed (pip install -r requirements-dev.txt)")
        pytest.skip("schemathesis is not installed (pip install -r requirements-dev.txt)")
    return on_path


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_failure(live_server, town, settings, tmp_path):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    command = schemathesis_command()
    _token, secret = make_token(town["maple"], ALL_SCOPES)
    # Something to find: a search under a case with a chosen camera, so ids in paths sometimes exist.
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = post_json(client, "/api/v1/searches/", search_body(town["maple"])).json()
    camera = body["results"][0]["cameras"][0]["camera_id"]
    post_json(client, f"/api/v1/cases/{body['case']['id']}/cameras/", {"camera_id": camera})
    result = subprocess.run(
        [
            command,
            "--config-file",
            str(Path(__file__).with_name("schemathesis.toml")),
            "run",
            f"{live_server.url}/api/v1/schema/",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {secret}",
            "--max-examples",
            EXAMPLES,
            "--seed",
            "20261203",
            "--workers",
            "1",
            "--request-timeout",
            "20",
            "--max-response-time",
            "5",
            "--max-time",
            MAX_TIME,
            "--no-shrink",
            "--report",
            "junit",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1"},
    )
    (tmp_path / "schemathesis.txt").write_text(result.stdout + result.stderr)
    report = result.stdout[-12000:] + result.stderr[-3000:]
    assert result.returncode == 0, report
