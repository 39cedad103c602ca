"""Staff sign-in: banner, password, TOTP enrolment and verification, recovery codes, lockout."""

from __future__ import annotations

import hashlib
import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import RecoveryCode, User
from audit.models import AuditEntry
from tests.staff_fixtures import STAFF_PASSWORD, make_staff, sign_in_with_password, staff_client, totp_code


def entries(action: str, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters))


def make_unenrolled(agency, role="investigator", password=STAFF_PASSWORD) -> User:
    return User.objects.create_user(username=f"new.{role}", password=password, agency=agency, role=role)


@pytest.mark.django_db
def test_banner_must_be_acknowledged(client, town):
    user = make_staff(town["maple"], "investigator")
    response = client.post("/staff/sign-in/", {"username": user.username, "password": STAFF_PASSWORD})
    assert response.status_code == 200
    assert "Confirm that you have read the notice" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert "staff_pending_user_id" not in client.session


@pytest.mark.django_db
def test_sign_in_page_shows_banner_without_inline_script(client):
    response = client.get("/staff/sign-in/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Restricted system" in body and "monitored" in body
    assert "<script>" not in body and "style=" not in body


@pytest.mark.django_db
def test_first_sign_in_enrols_totp_with_qr_and_ten_hashed_recovery_codes(client, town):
    user = make_unenrolled(town["maple"])
    response = sign_in_with_password(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in/verify/"
    # Password alone reaches nothing but the enrolment page.
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/registrations/").status_code == 302

    page = client.get("/staff/sign-in/verify/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and "<script" not in body and "style=" not in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    done = client.post("/staff/sign-in/verify/", {"method": "totp", "code": totp_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert code not in stored
        assert hashlib.sha256(code.replace("-", "").encode()).hexdigest() in stored
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/").status_code == 200
    assert len(entries("auth.mfa_enrol", actor=user)) == 1
    success = entries("auth.sign_in", actor=user, outcome="success")
    assert len(success) == 1 and success[0].parameters == {"username": user.username, "method": "totp_enrol"}


@pytest.mark.django_db
def test_sign_in_with_totp_cycles_session_id_and_audits(client, town):
    user = make_staff(town["maple"], "investigator")
    client.get("/staff/sign-in/")
    sign_in_with_password(client, user.username)
    before = client.session.session_key
    response = client.post("/staff/sign-in/verify/", {"method": "totp", "code": totp_code(user.test_totp_device)})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.session.session_key != before
    assert client.get("/staff/").status_code == 200
    entry = AuditEntry.objects.get(action="auth.sign_in", outcome="success")
    assert entry.actor == user and entry.agency == town["maple"]
    assert STAFF_PASSWORD not in str(entry.parameters)


@pytest.mark.django_db
def test_totp_code_cannot_be_used_twice(client, town, django_user_model):
    user = make_staff(town["maple"], "investigator")
    code = totp_code(user.test_totp_device)
    sign_in_with_password(client, user.username)
    assert client.post("/staff/sign-in/verify/", {"method": "totp", "code": code}).status_code == 302
    client.post("/staff/sign-out/")

    sign_in_with_password(client, user.username)
    again = client.post("/staff/sign-in/verify/", {"method": "totp", "code": code})
    assert again.status_code == 200
    assert "already used" in again.content.decode()
    assert client.get("/staff/").status_code == 302
    failure = entries("auth.sign_in", outcome="failure")
    assert len(failure) == 1 and failure[0].parameters["stage"] == "totp" and code not in str(failure[0].parameters)


@pytest.mark.django_db
def test_recovery_code_works_once(client, town):
    user = make_staff(town["maple"], "investigator")
    codes = services.recovery_codes_issue(user=user)
    sign_in_with_password(client, user.username)
    response = client.post("/staff/sign-in/verify/", {"method": "recovery", "recovery_code": codes[3].upper()})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 200
    client.post("/staff/sign-out/")

    sign_in_with_password(client, user.username)
    again = client.post("/staff/sign-in/verify/", {"method": "recovery", "recovery_code": codes[3]})
    assert again.status_code == 200 and "already used" in again.content.decode()
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited_without_the_password(client, town):
    user = make_staff(town["maple"], "investigator")
    response = sign_in_with_password(client, user.username, "wrong-password-123")
    assert response.status_code == 200 and "not right" in response.content.decode()
    failure = entries("auth.sign_in", outcome="failure")
    assert len(failure) == 1
    assert failure[0].parameters == {"username": user.username, "stage": "password", "reason": "invalid"}
    assert "wrong-password-123" not in str(AuditEntry.objects.values_list("parameters", flat=True)[::1])


@pytest.mark.django_db
def test_email_never_signs_in(client, town):
    user = make_staff(town["maple"], "investigator", email="officer@maplefalls.example")
    response = sign_in_with_password(client, "officer@maplefalls.example")
    assert response.status_code == 200
    assert "staff_pending_user_id" not in client.session
    assert client.get("/staff/").status_code == 302
    assert user.email  # the address exists; it simply is not a sign-in name


@pytest.mark.django_db
def test_lockout_after_five_wrong_passwords_until_admin_releases(client, town):
    user = make_staff(town["maple"], "investigator")
    for _ in range(4):
        assert sign_in_with_password(client, user.username, "nope-nope-nope").status_code == 200
    fifth = sign_in_with_password(client, user.username, "nope-nope-nope")
    assert fifth.status_code == 429 and "Account locked" in fifth.content.decode()
    assert len(entries("auth.lockout")) == 1
    # Even the right password is refused now, and the lockout is not audited a second time.
    locked = sign_in_with_password(client, user.username)
    assert locked.status_code == 429
    assert len(entries("auth.lockout")) == 1
    assert entries("auth.sign_in", outcome="failure")[-1].parameters["reason"] == "locked"

    admin = make_staff(town["maple"], "administrator")
    admin_client = staff_client(type(client)(), admin)
    release = admin_client.post(f"/staff/accounts/{user.pk}/lockout-release/")
    assert release.status_code == 302
    assert len(entries("staff.lockout_release", actor=admin)) == 1

    assert sign_in_with_password(client, user.username).status_code == 302
    assert (
        client.post("/staff/sign-in/verify/", {"method": "totp", "code": totp_code(user.test_totp_device)}).status_code
        == 302
    )
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_wrong_totp_codes_count_toward_lockout(client, town):
    user = make_staff(town["maple"], "investigator")
    good = totp_code(user.test_totp_device)
    wrong = "000000" if good != "000000" else "111111"
    sign_in_with_password(client, user.username)
    for _ in range(4):
        assert client.post("/staff/sign-in/verify/", {"method": "totp", "code": wrong}).status_code == 200
    fifth = client.post("/staff/sign-in/verify/", {"method": "totp", "code": wrong})
    assert fifth.status_code == 429
    assert services.staff_is_locked_out(user=user)
    assert len(entries("auth.lockout")) == 1
    # The pending sign-in is gone and a fresh attempt with every right answer is still refused.
    assert client.post("/staff/sign-in/verify/", {"method": "totp", "code": good}).status_code == 302
    assert sign_in_with_password(client, user.username).status_code == 429


@pytest.mark.django_db
def test_mixed_password_and_totp_failures_lock(client, town):
    user = make_staff(town["maple"], "investigator")
    for _ in range(3):
        sign_in_with_password(client, user.username, "nope-nope-nope")
    sign_in_with_password(client, user.username)
    client.post("/staff/sign-in/verify/", {"method": "totp", "code": "not-a-code"})  # malformed: not counted
    client.post("/staff/sign-in/verify/", {"method": "recovery", "recovery_code": "aaaaa-bbbbb-ccccc"})
    last = client.post("/staff/sign-in/verify/", {"method": "recovery", "recovery_code": "aaaaa-bbbbb-ddddd"})
    assert last.status_code == 429


@pytest.mark.django_db
def test_successful_sign_in_resets_the_failure_count(client, town):
    user = make_staff(town["maple"], "investigator")
    for _ in range(4):
        sign_in_with_password(client, user.username, "nope-nope-nope")
    sign_in_with_password(client, user.username)
    assert (
        client.post("/staff/sign-in/verify/", {"method": "totp", "code": totp_code(user.test_totp_device)}).status_code
        == 302
    )
    client.post("/staff/sign-out/")
    assert sign_in_with_password(client, user.username, "nope-nope-nope").status_code == 200


@pytest.mark.django_db
def test_long_passphrase_accepted_and_short_or_common_refused(town):
    admin = make_staff(town["maple"], "administrator")
    passphrase = "the quick brown fox jumps over the lazy dog and keeps on running far " * 1
    assert len(passphrase) >= 64
    user = services.staff_create(
        actor=admin, agency=town["maple"], username="long.pass", role="investigator", password=passphrase
    )
    assert user.check_password(passphrase)
    from django.core.exceptions import ValidationError

    for bad in ("short7!", "password123"):
        with pytest.raises(ValidationError):
            services.staff_create(
                actor=admin, agency=town["maple"], username=f"u{len(bad)}", role="auditor", password=bad
            )


@pytest.mark.django_db
def test_pending_sign_in_expires(client, town, monkeypatch):
    from django.utils import timezone

    user = make_staff(town["maple"], "investigator")
    sign_in_with_password(client, user.username)
    later = timezone.now() + timezone.timedelta(minutes=6)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    response = client.post("/staff/sign-in/verify/", {"method": "totp", "code": totp_code(user.test_totp_device)})
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in/"
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_sign_out_audited_and_ends_session(client, town):
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    response = client.post("/staff/sign-out/")
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302
    assert len(entries("auth.sign_out", actor=user)) == 1
    assert client.get("/staff/sign-out/").status_code == 405


@pytest.mark.django_db
def test_hostile_sign_in_input_never_500(client, town):
    for data in (
        {"acknowledge": "on", "username": "x" * 5000, "password": "y"},
        {"acknowledge": "on", "username": "admin\x00", "password": "p" * 300},
        {"acknowledge": "on", "username": "' OR 1=1 --", "password": "<script>"},
        {},
    ):
        assert client.post("/staff/sign-in/", data).status_code in (200, 429)
    user = make_staff(town["maple"], "investigator", username="hostile.target")
    sign_in_with_password(client, user.username)
    for data in (
        {"method": "totp", "code": "1" * 9000},
        {"method": "evil"},
        {"method": "recovery", "recovery_code": "\x00" * 30},
    ):
        assert client.post("/staff/sign-in/verify/", data).status_code in (200, 429)
    assert time.time() > 0
