"""The deployment auditor: every agency's audit entries (and those of no agency), no registration data anywhere."""

from __future__ import annotations

import csv
import io
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access import ROLE_PERMISSIONS, Permission, agencies_visible_to
from accounts.models import User
from audit.models import AuditEntry
from audit.services import audit_record
from registrations.models import Registration
from registrations.selectors import registrations_for
from tests.staff_fixtures import STAFF_PASSWORD, make_staff, sign_in_with_password, staff_client

URL = "/staff/audit/"
EXPORT_URL = "/staff/audit/export.csv"
# The only staff pages a deployment auditor may open (with changing their own password); the rest is refused.
ALLOWED_PATHS = {"/staff/", "/staff/audit/", "/staff/audit/export.csv", "/staff/password/"}
# Sign-in steps (with the "forgot your password?" page), and the fresh-code confirm page every staff member may use.
SIGN_IN_PATHS = {
    "/staff/sign-in/",
    "/staff/sign-in/verify/",
    "/staff/sign-in/forgot-password/",
    "/staff/sign-out/",
    "/staff/confirm/",
}


@pytest.fixture
def overseer(town):
    return make_staff(None, "deployment_auditor", username="overseer")


@pytest.fixture
def mixed_log(town, client):
    maple_user = make_staff(town["maple"], "investigator", username="det.maple")
    cedar_user = make_staff(town["cedar"], "investigator", username="det.cedar")
    audit_record(action="canvass.search", actor=maple_user, object_id="MAPLE-1")
    audit_record(action="canvass.search", actor=cedar_user, object_id="CEDAR-1")
    # A failed sign-in for a username nobody has belongs to no agency.
    Client().post("/staff/sign-in/", {"acknowledge": "on", "username": "ghost.user", "password": "wrong-password-1"})
    assert AuditEntry.objects.filter(agency__isnull=True, parameters__username="ghost.user").exists()
    return town


def test_the_role_reads_the_audit_log_only():
    assert ROLE_PERMISSIONS["deployment_auditor"] == {Permission.VIEW_AUDIT_LOG, Permission.VIEW_ALL_AUDIT_LOG}
    for role, permissions in ROLE_PERMISSIONS.items():
        if role != "deployment_auditor":
            assert Permission.VIEW_ALL_AUDIT_LOG not in permissions, role


def test_it_sees_every_agencys_entries_and_those_of_no_agency(client, mixed_log, overseer):
    staff_client(client, overseer)

    response = client.get(URL)
    rows = list(
        csv.DictReader(io.StringIO(b"".join(client.get(EXPORT_URL).streaming_content).decode().lstrip("\ufeff")))
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "MAPLE-1" in page and "CEDAR-1" in page and "ghost.user" in page
    object_ids = {row["object_id"] for row in rows}
    assert {"MAPLE-1", "CEDAR-1"} <= object_ids
    assert any("ghost.user" in row["parameters"] for row in rows)
    # Reading the log is recorded, under no agency.
    read = AuditEntry.objects.filter(action="audit.view", actor=overseer).get()
    assert read.agency_id is None


def test_agency_auditors_still_see_only_their_own(client, mixed_log):
    staff_client(client, make_staff(mixed_log["maple"], "auditor"))

    page = client.get(URL).content.decode()

    assert "MAPLE-1" in page and "CEDAR-1" not in page and "ghost.user" not in page


def test_it_reaches_no_registration(overseer, town):
    overseer.is_verified = lambda: True
    for permission in Permission:
        assert agencies_visible_to(overseer, permission) == []
    assert registrations_for(overseer).count() == 0


def _staff_paths(resolver: URLResolver, prefix: str = "") -> list[str]:
    paths = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths += _staff_paths(pattern, route)
        elif isinstance(pattern, URLPattern):
            paths.append("/" + route)
    return [path for path in paths if "staff/" in path and not path.startswith("/django-admin/")]


def _filled(path: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda match: values.get(match.group(2), "1"), path)


@pytest.mark.slow
def test_every_staff_url_is_refused_except_the_audit_log_and_home(client, town, overseer):
    registration = Registration.objects.filter(agency=town["maple"]).first()
    other = Registration.objects.filter(agency=town["maple"]).exclude(pk=registration.pk).first()
    member = make_staff(town["maple"], "investigator")
    values = {
        "public_id": str(registration.public_id),
        "other_id": str(other.public_id),
        "job_id": "00000000-0000-0000-0000-000000000001",
        "pk": str(member.pk),
        "action": "disable",
    }
    paths = _staff_paths(get_resolver())
    assert len(paths) > 25  # the walk really found the staff pages
    staff_client(client, overseer)
    secrets = [registration.street_address, registration.owner_name, registration.owner_phone]
    for path in paths:
        url = _filled(path, values)
        if url in SIGN_IN_PATHS:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            assert not any(secret in body for secret in secrets), (method, url)
            if url in ALLOWED_PATHS:
                assert response.status_code == 200, (method, url)
            else:
                assert response.status_code in (403, 405), (method, url, response.status_code)
    member.refresh_from_db()
    assert member.is_active


def test_the_home_page_offers_the_audit_log_only(client, town, overseer):
    staff_client(client, overseer)

    page = client.get("/staff/").content.decode()

    assert "/staff/audit/" in page
    for link in ("/staff/registrations/", "/staff/canvass/", "/staff/admin/dashboard/", "/staff/admin/export/"):
        assert link not in page


def test_the_command_creates_an_agencyless_account_that_enrols_totp_at_first_sign_in(town):
    out = StringIO()

    call_command("create_deployment_auditor", "state.auditor", "--email", "auditor@state.example", stdout=out)

    user = User.objects.get(username="state.auditor")
    assert user.role == "deployment_auditor" and user.agency_id is None and user.email == "auditor@state.example"
    assert not TOTPDevice.objects.filter(user=user).exists()
    password = re.search(r"password: (\S+)", out.getvalue()).group(1)
    assert user.check_password(password) and len(password) >= 16
    created = AuditEntry.objects.get(action="staff.create", object_id=str(user.pk))
    assert created.agency_id is None and password not in str(created.parameters)
    client = Client()
    response = sign_in_with_password(client, "state.auditor", password)
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in/verify/"
    enrol = client.get("/staff/sign-in/verify/")
    assert enrol.status_code == 200 and b"secret" in enrol.content.lower()
    # Not signed in yet: the log stays closed until the second factor is enrolled.
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["taken.name", "--email", "x@example.org"], "already"),
        (["new.name", "--email", "not-an-email"], "email"),
        (["bad name!", "--email", "x@example.org"], "username"),
    ],
)
def test_the_command_explains_bad_input(town, arguments, message):
    make_staff(town["maple"], "auditor", username="taken.name")
    before = User.objects.count()

    with pytest.raises(CommandError, match=message):
        call_command("create_deployment_auditor", *arguments, stdout=StringIO())

    assert User.objects.count() == before


def test_an_agency_administrator_cannot_make_a_deployment_auditor(client, town):
    admin = make_staff(town["maple"], "administrator")
    member = make_staff(town["maple"], "auditor")
    staff_client(client, admin)

    created = client.post(
        "/staff/accounts/new/",
        {"username": "sneaky", "role": "deployment_auditor", "password": STAFF_PASSWORD},
    )
    client.post(f"/staff/accounts/{member.pk}/role/", {"role": "deployment_auditor"})

    assert created.status_code == 200 and created.context["form"].errors.get("role")
    assert not User.objects.filter(username="sneaky").exists()
    member.refresh_from_db()
    assert member.role == "auditor"


def test_outsiders_cannot_read_the_log(client, mixed_log):
    for user in (None, make_staff(mixed_log["maple"], "investigator"), make_staff(None, "investigator")):
        if user is not None:
            staff_client(client, user)
        for url in (URL, EXPORT_URL):
            response = client.get(url)
            assert response.status_code in (302, 403), (user, url)
            assert b"ghost.user" not in response.content
