"""The files an operator installs (deploy/) pass Debian's own checkers, and every periodic job has a timer.

`nginx -t` checks the site with a throwaway self-signed certificate; `systemd-analyze verify` checks every
unit with the install paths pointed at stand-in executables. Missing tools skip with the package to install
(CI installs them: .ci/run); under REQUIRE_ALL_TESTS a skip fails the run.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
SITE = DEPLOY / "nginx" / "cameraregistry.conf"
PROXY = DEPLOY / "nginx" / "cameraregistry-proxy.conf"

# Every management command the project ships, sorted into those a timer runs and those people run.
# A new command must be added to one of the two sets (and, if periodic, get a timer).
PERIODIC = {
    "anchor_audit_log",
    "worker_heartbeat",
    "retry_unsent_email",
    "footage_reminders",
    "send_reconfirmation_reminders",
    "staff_inactivity_run",
    "purge_expired",
    "backup",
    "webhooks_retry_run",
    "webhooks_urgent_run",
}
ON_DEMAND = {
    "create_deployment_auditor",
    "demo_signins",
    "demo_totp",
    "export_registrations",
    "import_address_points",
    "import_registrations",
    "flush",
    "verify_audit_log",
    "generate_encryption_key",
    "rotate_encryption_key",
    "seed_demo",
    "restore",
    "evidence_to_bucket",
}
# Run all the time by a service unit of their own.
SERVICES = {"run_worker": "cameraregistry-worker.service"}


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        print(f"{name} is not installed: skipping")
        pytest.skip(f"{name} is not installed (apt-get install {package}); the deploy file check skips.")
    return path


def _project_commands() -> set[str]:
    return {
        path.stem
        for path in ROOT.glob("*/management/commands/*.py")
        if path.stem != "__init__" and ".venv" not in path.parts
    }


def test_every_management_command_is_sorted_into_periodic_or_on_demand():
    commands = _project_commands()
    assert commands - PERIODIC - ON_DEMAND - set(SERVICES) == set(), (
        "classify the new command here (and give it a timer if periodic)"
    )
    assert PERIODIC <= commands, f"timers name commands that do not exist: {PERIODIC - commands}"
    for command, unit in SERVICES.items():
        assert f"manage.py {command}" in (UNITS / unit).read_text(), f"{unit} should run {command}"


def test_every_periodic_command_has_a_timer_that_starts_its_job():
    for command in PERIODIC:
        timer = UNITS / f"cameraregistry-{command}.timer"
        assert timer.exists(), f"{command} has no timer"
        text = timer.read_text()
        assert f"Unit=cameraregistry-job@{command}.service" in text
        assert "OnCalendar=" in text and "Persistent=true" in text
    timers = {path.stem.removeprefix("cameraregistry-") for path in UNITS.glob("*.timer")}
    assert timers == PERIODIC


def test_the_audit_anchor_runs_every_minute():
    text = (UNITS / "cameraregistry-anchor_audit_log.timer").read_text()
    assert "OnCalendar=*-*-* *:*:00" in text


def test_units_are_hardened_and_read_the_one_env_file():
    for name in ("cameraregistry-web.service", "cameraregistry-worker.service", "cameraregistry-job@.service"):
        text = (UNITS / name).read_text()
        for line in (
            "User=cameraregistry",
            "EnvironmentFile=/etc/cameraregistry/env",
            "NoNewPrivileges=yes",
            "ProtectSystem=strict",
            "PrivateTmp=yes",
            "CapabilityBoundingSet=",
        ):
            assert line in text.splitlines(), f"{name} lacks {line}"
        assert re.search(r"^ReadWritePaths=/var/lib/cameraregistry\b", text, re.M), name


def _stand_in_units(folder: Path) -> list[Path]:
    """Copies of the units whose executables point at /usr/bin/true under a temporary prefix."""
    (folder / "venv" / "bin").mkdir(parents=True)
    (folder / "app").mkdir()
    for executable in ("python", "gunicorn"):
        (folder / "venv" / "bin" / executable).symlink_to(shutil.which("true"))
    copies = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text().replace("/opt/cameraregistry/venv", str(folder / "venv"))
        copy = folder / unit.name
        copy.write_text(text.replace("/opt/cameraregistry/app", str(folder / "app")))
        copies.append(copy)
    # A template is verified through instances: the ones the timers start.
    template = (folder / "cameraregistry-job@.service").read_text()
    for command in sorted(PERIODIC):
        instance = folder / f"cameraregistry-job@{command}.service"
        instance.write_text(template)
        copies.append(instance)
    return copies


def test_systemd_analyze_verify_accepts_every_unit(tmp_path):
    analyze = _tool("systemd-analyze", "systemd")
    units = _stand_in_units(tmp_path)
    result = subprocess.run(
        [analyze, "verify", "--man=no", *[str(unit) for unit in units]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Unknown keys and bad values are only warnings to systemd (exit 0): any message at all fails here.
    messages = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 0 and not messages, "\n".join(messages)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "registry.example.org")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "fullchain.pem", folder / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_nginx_accepts_the_site(tmp_path):
    nginx = _tool("nginx", "nginx-light")
    cert, key = _self_signed(tmp_path)
    proxy = tmp_path / "cameraregistry-proxy.conf"
    shutil.copy(PROXY, proxy)
    site = (
        SITE.read_text()
        .replace("/etc/ssl/cameraregistry/fullchain.pem", str(cert))
        .replace("/etc/ssl/cameraregistry/privkey.pem", str(key))
        .replace("/etc/nginx/cameraregistry-proxy.conf", str(proxy))
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"  access_log {tmp_path}/access.log;\n"
        f"  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n"
        f"  include {tmp_path}/site.conf;\n"
        "}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-q", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def _directive(text: str, name: str) -> list[str]:
    return re.findall(rf"^\s*{name}\s+([^;]+);", text, re.M)


def _bytes(size: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    return int(size[:-1]) * units[size[-1].lower()] if size[-1].isalpha() else int(size)


def test_the_site_matches_the_app_settings():
    site, proxy = SITE.read_text(), PROXY.read_text()
    (body_limit,) = _directive(site, "client_max_body_size")
    assert _bytes(body_limit) > settings.FOOTAGE_MAX_FILES_PER_REQUEST * settings.FOOTAGE_MAX_FILE_BYTES
    assert _directive(site, "proxy_request_buffering") == ["off"]
    # BEHIND_TLS_PROXY trusts these two headers: nginx must set (overwrite) both.
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in proxy
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in proxy
    # Static files from STATIC_ROOT with the install's DATA_DIR (/var/lib/cameraregistry).
    assert settings.STATIC_ROOT.name == "static" and settings.STATIC_URL == "/static/"
    assert "alias /var/lib/cameraregistry/static/;" in site
    # The header nginx adds on static files is the one the app sends in production.
    (hsts,) = re.findall(r'Strict-Transport-Security "([^"]+)"', site)
    assert hsts == "max-age=31536000; includeSubDomains"
    for timeout in ("client_body_timeout", "proxy_send_timeout", "proxy_read_timeout"):
        (value,) = _directive(site, timeout)
        assert int(value.rstrip("s")) >= 300, timeout


INSTALL = DEPLOY / "install.sh"


def test_install_script_parses():
    result = subprocess.run(["bash", "-n", str(INSTALL)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_install_script_passes_shellcheck():
    shellcheck = _tool("shellcheck", "shellcheck")
    result = subprocess.run([shellcheck, str(INSTALL)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("arguments", "message"), [([], "usage:"), (["bad host; rm -rf /"], "is not a host name")])
def test_install_script_refuses_bad_arguments_before_touching_anything(arguments, message):
    result = subprocess.run(["bash", str(INSTALL), *arguments], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and message in result.stderr


def test_install_script_installs_every_unit_and_generates_the_keys():
    text = INSTALL.read_text()
    assert "manage.py generate_encryption_key" in text and "SECRET_KEY=$secret_key" in text
    assert 'if [[ ! -f "$ENV_FILE" ]]' in text  # never overwrites existing keys
    assert "cameraregistry-*.timer" in text and "collectstatic" in text and "migrate" in text
