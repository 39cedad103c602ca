"""The Django admin is no side door: its sign-in is the staff sign-in (banner, password, TOTP, audit)."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEntry
from tests.staff_fixtures import STAFF_PASSWORD, make_staff, sign_in_with_password, staff_client, totp_code

pytestmark = pytest.mark.django_db


def superuser() -> User:
    user = make_staff(None, "administrator", username="root")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_posting_credentials_to_the_admin_login_signs_nobody_in(client, town):
    root = superuser()
    for data in (
        {"username": root.username, "password": STAFF_PASSWORD},
        {"username": root.username, "password": STAFF_PASSWORD, "next": "/django-admin/"},
        {  # django-otp's admin form, which used to sign in with no banner, lockout or audit entry
            "username": root.username,
            "password": STAFF_PASSWORD,
            "otp_device": root.test_totp_device.persistent_id,
            "otp_token": totp_code(root.test_totp_device),
            "next": "/django-admin/",
        },
    ):
        response = client.post("/django-admin/login/", data)
        assert response.status_code == 302 and response["Location"].startswith("/staff/sign-in/?next=")
        assert "_auth_user_id" not in client.session
        assert client.get("/django-admin/").status_code == 302
    assert not AuditEntry.objects.filter(action="auth.sign_in", outcome="success").exists()


def test_the_admin_sends_everyone_to_the_staff_sign_in_with_its_banner(client, town):
    response = client.get("/django-admin/")
    assert response.status_code == 302 and response["Location"].startswith("/django-admin/login/")
    response = client.get(response["Location"])
    assert response["Location"] == "/staff/sign-in/?next=%2Fdjango-admin%2F"
    page = client.get(response["Location"]).content.decode()
    assert 'name="acknowledge"' in page and 'name="password"' in page


def test_password_alone_does_not_open_the_admin(client, town):
    root = superuser()
    client.get("/staff/sign-in/")
    sign_in_with_password(client, root.username)  # the second factor is still to come
    assert client.get("/django-admin/").status_code == 302
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/django-admin/").status_code == 302  # signed in, not verified


def test_the_staff_sign_in_with_totp_opens_the_admin_and_is_audited(client, town):
    root = superuser()
    client.get("/staff/sign-in/")
    sign_in_with_password(client, root.username)
    response = client.post("/staff/sign-in/verify/", {"method": "totp", "code": totp_code(root.test_totp_device)})
    assert response.status_code == 302
    assert client.get("/django-admin/").status_code == 200
    entry = AuditEntry.objects.get(action="auth.sign_in", outcome="success")
    assert entry.actor == root


def test_a_verified_staff_member_who_is_not_a_superuser_stays_out(town):
    administrator = make_staff(town["maple"], "administrator", is_staff=True)
    client = staff_client(Client(), administrator)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert client.get("/django-admin/accounts/user/").status_code == 302


def test_admin_sign_out_is_the_audited_staff_sign_out(town):
    root = superuser()
    client = staff_client(Client(), root)
    assert client.get("/django-admin/").status_code == 200
    response = client.post("/django-admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in/?signed_out=1"
    assert AuditEntry.objects.filter(action="auth.sign_out", actor=root).exists()
    assert client.get("/django-admin/").status_code == 302
