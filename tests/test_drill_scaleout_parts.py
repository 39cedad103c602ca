"""The scale-out drill's own parts (`make drill` runs the drill itself in CI, after the tests): the nginx site
it derives from deploy/nginx/, and the page reading its locust visitors rely on (drills/pages.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from drills.nginx import FAILOVER, PROXY, SITE, Nginx, drill_site
from drills.pages import Form, mail_for, mailbox, totp
from tests.owners.helpers import a_registration_with_email, owner_client

APPS = ["http://127.0.0.1:18001", "http://127.0.0.1:18002"]


def _directives(text: str) -> list[str]:
    return sorted(line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))


def test_the_drill_site_keeps_what_the_shipped_site_sets_for_the_app(tmp_path):
    site = drill_site(18080, APPS, tmp_path / "proxy.conf", tmp_path / "static")
    shipped = SITE.read_text()
    for name in ("client_max_body_size", "proxy_request_buffering", "proxy_http_version", "proxy_read_timeout"):
        (line,) = re.findall(rf"^\s*{name}\s+[^;]+;", shipped, re.M)
        assert line.strip() in site
    assert "listen 127.0.0.1:18080;" in site and "443" not in site and "ssl_certificate" not in site
    assert "server 127.0.0.1:18001" in site and "server 127.0.0.1:18002" in site
    assert "127.0.0.1:8000" not in site
    assert f"include {tmp_path / 'proxy.conf'};" in site


def test_failover_passes_on_only_what_never_reached_an_app_server():
    assert "proxy_next_upstream error timeout;" in FAILOVER
    assert "non_idempotent" not in FAILOVER  # a POST that reached gunicorn is never sent again


@pytest.mark.skipif(shutil.which("nginx") is None and os.environ.get("REQUIRE_ALL_TESTS") != "1", reason="no nginx")
def test_nginx_accepts_the_drill_site(tmp_path):
    nginx = Nginx(tmp_path / "static")
    try:
        nginx.configure(APPS)
        proxy = (nginx.dir / "cameraregistry-proxy.conf").read_text()
        assert _directives(PROXY.read_text()) == _directives(proxy.removesuffix(FAILOVER))
        checked = subprocess.run(nginx.command("-t", "-q"), capture_output=True, text=True, timeout=60)  # noqa: S603
        assert checked.returncode == 0, checked.stderr
    finally:
        nginx.remove()


@pytest.mark.django_db
def test_the_visitors_code_is_the_one_the_authenticator_shows(town):
    user = User.objects.create_user(username="drill.check", password="drill-check-password-2026")
    device = TOTPDevice.objects.create(user=user, confirmed=True, name="drill")
    code = totp(device.bin_key.hex(), device.step, device.t0, device.digits)
    assert device.verify_token(code)
    assert not device.verify_token(code)  # once only: why a visitor whose sign-in failed waits for the next


@pytest.mark.django_db
def test_the_owner_edit_form_read_from_the_page_saves_as_a_browser_would(town):
    registration = a_registration_with_email(town["maple"])
    cameras = sorted(registration.cameras.values_list("id", "retention_days"))
    owner = owner_client(registration)
    page = owner.get("/manage/edit/").content.decode()
    fields = Form(page).fields("/manage/edit/")
    assert ("owner_email", registration.owner_email) in fields
    changed = [(k, "Drill Owner Edit 1" if k == "owner_name" else v) for k, v in fields]
    response = owner.post("/manage/edit/", _as_post(changed))
    assert response.status_code == 302, response.content.decode()[:2000]
    registration.refresh_from_db()
    assert registration.owner_name == "Drill Owner Edit 1"
    assert sorted(registration.cameras.values_list("id", "retention_days")) == cameras  # nothing else changed


def test_the_form_reader_skips_the_language_switch_and_sign_out():
    page = (
        '<form action="/i18n/setlang/" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="a">'
        '<select name="language"><option value="en" selected>English</option></select></form>'
        '<form action="/manage/sign-out/" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="b">'
        "</form>"
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="c">'
        '<input type="email" name="email" value=""><input type="checkbox" name="news" value="yes">'
        '<input type="radio" name="lang" value="es" checked><textarea name="note">\nHello</textarea></form>'
    )
    assert Form(page).fields("") == [("csrfmiddlewaretoken", "c"), ("email", ""), ("lang", "es"), ("note", "Hello")]


def test_mail_for_one_recipient_is_not_anothers(tmp_path):
    box = mailbox(tmp_path, "Owner@Example.org")
    box.mkdir()
    (box / "000001.txt").write_text("link")
    assert [p.name for p in mail_for(tmp_path, "owner@example.org")] == ["000001.txt"]
    assert mail_for(tmp_path, "other@example.org") == []


def _as_post(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data
