"""Staff passwords from the user's side: own change, administrator's reset and forced change, "forgot"."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import StaffSession, User
from audit.models import AuditEntry
from tests.staff_fixtures import STAFF_PASSWORD, Clock, make_staff, sign_in_with_password, staff_client, totp_code

CHANGE = "/staff/password/"
FORGOT = "/staff/sign-in/forgot-password/"
NEW_PASSWORD = "violet lanterns over the quiet harbour"


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def code_for(user: User, clock: Clock) -> str:
    return totp_code(user.test_totp_device, at=clock.now.timestamp())


def wrong_code(user: User, clock: Clock) -> str:
    right = code_for(user, clock)
    return right[:-1] + str((int(right[-1]) + 5) % 10)


def change(client: Client, user: User, clock: Clock, **overrides):
    data = {
        "old_password": STAFF_PASSWORD,
        "code": code_for(user, clock),
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        **overrides,
    }
    return client.post(CHANGE, data)


def full_sign_in(client: Client, user: User, clock: Clock, password: str):
    """Password, then the authenticator code, as a person does; returns the second step's answer."""
    first = sign_in_with_password(client, user.username, password)
    assert first.status_code == 302, first.content.decode()[:500]
    return client.post("/staff/sign-in/verify/", {"method": "totp", "code": code_for(user, clock)})


def failures_of(user: User) -> int:
    return sum(AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True))


def change_entries(user: User, outcome: str):
    return list(AuditEntry.objects.filter(action="auth.password_change", actor=user, outcome=outcome))


# ----- changing one's own password ----------------------------------------------------------


@pytest.mark.django_db
def test_the_change_page_is_linked_from_the_staff_navigation(client, town):
    user = make_staff(town["maple"], "auditor")
    staff_client(client, user)
    home = client.get("/staff/").content.decode()
    assert f'href="{CHANGE}"' in home
    page = client.get(CHANGE)
    assert page.status_code == 200
    body = page.content.decode()
    for label in ("Current password", "6-digit code", "New password", "New password again"):
        assert label in body


@pytest.mark.django_db
def test_anonymous_and_password_only_sessions_are_sent_to_sign_in(client, town):
    assert client.get(CHANGE)["Location"].startswith("/staff/sign-in/")
    user = make_staff(town["maple"], "investigator")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(CHANGE, {"old_password": STAFF_PASSWORD, "code": "123456"})
    assert response.status_code == 302 and response["Location"] == "/staff/sign-in/verify/"
    user.refresh_from_db()
    assert user.check_password(STAFF_PASSWORD)


@pytest.mark.django_db
def test_a_wrong_current_password_is_refused_audited_counted_and_keeps_the_code(client, town, clock):
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    response = change(client, user, clock, old_password="not-my-password-at-all")
    assert response.status_code == 200
    assert "Your current password is not right." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(STAFF_PASSWORD)
    [entry] = change_entries(user, "failure")
    assert entry.agency == town["maple"] and entry.object_type == "user" and entry.object_id == str(user.pk)
    assert entry.parameters == {"username": user.username, "reason": "old_password"}
    assert failures_of(user) == 1
    # The code was not used up by the refused attempt: the same code works with the right password.
    assert change(client, user, clock).status_code == 302


@pytest.mark.django_db
def test_a_wrong_code_is_refused_audited_and_counted(client, town, clock):
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    response = change(client, user, clock, code=wrong_code(user, clock))
    assert response.status_code == 200
    assert "That code is not right, or it was already used." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(STAFF_PASSWORD)
    [entry] = change_entries(user, "failure")
    assert entry.parameters == {"username": user.username, "reason": "totp"}
    assert failures_of(user) == 1
    assert not change_entries(user, "success")


@pytest.mark.django_db
def test_a_code_already_used_is_refused(client, town, clock):
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    code = code_for(user, clock)
    assert change(client, user, clock, code=code).status_code == 302
    again = change(client, user, clock, old_password=NEW_PASSWORD, new_password1="x" * 3, new_password2="x" * 3)
    assert again.status_code == 200  # a weak password: refused before the code is even looked at
    replay = change(
        client,
        user,
        clock,
        code=code,
        old_password=NEW_PASSWORD,
        new_password1="amber meadows under a silver moon",
        new_password2="amber meadows under a silver moon",
    )
    assert replay.status_code == 200
    assert "already used" in replay.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert [entry.parameters["reason"] for entry in change_entries(user, "failure")] == ["totp"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("new1", "new2", "message"),
    [
        ("password123", "password123", "This password is too common."),
        ("k7#q", "k7#q", "This password is too short."),
        ("violet lanterns over the quiet harbour", "violet lanterns over the quiet harbor", "are not the same"),
        (STAFF_PASSWORD, STAFF_PASSWORD, "not the current one"),
        ("", "", "This field is required."),
    ],
)
def test_a_weak_or_mistyped_new_password_is_refused_with_a_clear_message(client, town, clock, new1, new2, message):
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    response = change(client, user, clock, new_password1=new1, new_password2=new2)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "Your password was not changed" in body
    user.refresh_from_db()
    assert user.check_password(STAFF_PASSWORD)
    assert not AuditEntry.objects.filter(action="auth.password_change").exists()
    assert failures_of(user) == 0
    # Nothing was used up: with a good new password the same code goes through.
    assert change(client, user, clock).status_code == 302


@pytest.mark.django_db
def test_a_new_password_like_the_username_is_refused(client, town, clock):
    user = make_staff(town["maple"], "investigator", username="marguerite.okonkwo")
    staff_client(client, user)
    response = change(client, user, clock, new_password1="marguerite.okonkwo1", new_password2="marguerite.okonkwo1")
    assert "too similar to the username" in response.content.decode()


@pytest.mark.django_db
def test_a_change_ends_the_other_sessions_and_gives_this_one_a_new_id(town, clock):
    user = make_staff(town["maple"], "supervisor")
    laptop, phone = staff_client(Client(), user), staff_client(Client(), user)
    old_key = laptop.session.session_key
    response = change(laptop, user, clock)
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert "1 other sessions were signed out" in laptop.get("/staff/").content.decode()
    new_key = laptop.session.session_key
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert laptop.get("/staff/registrations/").status_code == 200
    assert phone.get("/staff/").status_code == 302
    assert list(StaffSession.objects.filter(user=user).values_list("session_key", flat=True)) == [new_key]
    [entry] = change_entries(user, "success")
    assert entry.agency == town["maple"] and entry.object_id == str(user.pk)
    assert entry.parameters == {"username": user.username, "forced": False, "sessions_ended": 1}
    assert NEW_PASSWORD not in str(entry.parameters) and STAFF_PASSWORD not in str(entry.parameters)
    laptop.post("/staff/sign-out/")
    assert sign_in_with_password(Client(), user.username, STAFF_PASSWORD).status_code == 200  # the old one fails
    clock.advance(seconds=30)
    assert full_sign_in(Client(), user, clock, NEW_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_five_wrong_attempts_on_the_change_page_lock_the_account(client, town, clock):
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    for attempt in range(4):
        assert change(client, user, clock, old_password=f"guess-number-{attempt}").status_code == 200
    locked = change(client, user, clock, code=wrong_code(user, clock))
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action="auth.lockout", object_id=str(user.pk)).count() == 1
    assert len(change_entries(user, "failure")) == 5
    # Locked like a sign-in lockout: the right password no longer opens the account.
    assert sign_in_with_password(Client(), user.username, STAFF_PASSWORD).status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {},
        {"old_password": ["a", "b"], "code": ["1", "2"], "new_password1": ["x"], "new_password2": []},
        {"old_password": "\x00", "code": "\x00" * 6, "new_password1": "\x00pass", "new_password2": "\x00pass"},
        {"old_password": "p" * 100_000, "code": "9" * 10_000, "new_password1": "ñ" * 300, "new_password2": "ñ" * 300},
        {"old_password": STAFF_PASSWORD, "code": "１２３４５６", "new_password1": NEW_PASSWORD},
        {"csrfmiddlewaretoken": "x", "next": "https://evil.example/"},
    ],
)
def test_hostile_input_on_the_change_page_never_crashes(town, data):
    user = make_staff(town["maple"], "investigator")
    client = staff_client(Client(raise_request_exception=False), user)
    response = client.post(CHANGE, data)
    assert response.status_code in (200, 429)
    user.refresh_from_db()
    assert user.check_password(STAFF_PASSWORD)


# ----- administrator's reset and the forced change ---------------------------------------------


@pytest.fixture
def reset_setup(town):
    admin = make_staff(town["maple"], "administrator")
    member = make_staff(town["maple"], "investigator")
    return admin, member, staff_client(Client(), admin)


@pytest.mark.django_db
def test_reset_shows_a_temporary_password_once_and_forces_a_change(town, clock, reset_setup):
    admin, member, admin_client = reset_setup
    member_client = staff_client(Client(), member)
    detail = admin_client.get(f"/staff/accounts/{member.pk}/").content.decode()
    assert f'action="/staff/accounts/{member.pk}/password-reset/"' in detail

    shown = admin_client.post(f"/staff/accounts/{member.pk}/password-reset/")
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    temporary = shown.context["temporary_password"]
    assert temporary in shown.content.decode() and len(temporary) >= 16
    assert temporary not in admin_client.get(f"/staff/accounts/{member.pk}/").content.decode()
    member.refresh_from_db()
    assert member.must_change_password and member.check_password(temporary)
    assert member_client.get("/staff/")["Location"].startswith("/staff/sign-in/")  # their sessions ended
    [entry] = AuditEntry.objects.filter(action="staff.password_reset")
    assert entry.actor == admin and entry.agency == town["maple"] and entry.object_id == str(member.pk)
    assert entry.parameters == {"username": member.username, "sessions_ended": 1}
    assert temporary not in str(entry.parameters)
    assert "Temporary" in admin_client.get(f"/staff/accounts/{member.pk}/").content.decode()

    assert sign_in_with_password(Client(), member.username, STAFF_PASSWORD).status_code == 200  # old one is gone
    client = Client()
    signed_in = full_sign_in(client, member, clock, temporary)
    assert signed_in.status_code == 302
    landing = client.get(signed_in["Location"])
    assert landing.status_code == 302 and landing["Location"] == CHANGE
    for path in ("/staff/", "/staff/registrations/", "/staff/canvass/", "/staff/admin/dashboard/", "/staff/confirm/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == CHANGE, path
    assert client.post("/staff/registrations/").status_code == 302
    page = client.get(CHANGE).content.decode()
    assert "Choose your own password before you continue" in page

    clock.advance(seconds=30)
    done = change(client, member, clock, old_password=temporary)
    assert done.status_code == 302
    member.refresh_from_db()
    assert not member.must_change_password
    assert client.get("/staff/registrations/").status_code == 200
    [changed] = change_entries(member, "success")
    assert changed.parameters == {"username": member.username, "forced": True, "sessions_ended": 0}

    client.post("/staff/sign-out/")
    assert sign_in_with_password(Client(), member.username, temporary).status_code == 200  # used once, gone
    clock.advance(seconds=30)
    assert full_sign_in(Client(), member, clock, NEW_PASSWORD).status_code == 302


@pytest.mark.django_db
def test_another_agencys_administrator_cannot_reset(town, reset_setup):
    _, member, _ = reset_setup
    cedar_admin = staff_client(Client(), make_staff(town["cedar"], "administrator"))
    assert cedar_admin.post(f"/staff/accounts/{member.pk}/password-reset/").status_code == 404
    assert cedar_admin.post("/staff/accounts/999999/password-reset/").status_code == 404
    member.refresh_from_db()
    assert member.check_password(STAFF_PASSWORD) and not member.must_change_password
    assert not AuditEntry.objects.filter(action="staff.password_reset").exists()


@pytest.mark.django_db
def test_an_investigator_cannot_reset_and_sees_the_staff_403_page(town, reset_setup):
    _, member, _ = reset_setup
    investigator = make_staff(town["maple"], "investigator")
    client = staff_client(Client(), investigator)
    response = client.post(f"/staff/accounts/{member.pk}/password-reset/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="staff-nav"' in body and "Sign out" in body
    assert "Manage staff" in body and "Administrator" in body and "Your role is Investigator" in body
    member.refresh_from_db()
    assert member.check_password(STAFF_PASSWORD)
    assert not AuditEntry.objects.filter(action="staff.password_reset").exists()


@pytest.mark.django_db
def test_an_administrator_cannot_reset_their_own_password_there(reset_setup):
    admin, _, admin_client = reset_setup
    response = admin_client.post(f"/staff/accounts/{admin.pk}/password-reset/")
    assert response.status_code == 302 and response["Location"] == f"/staff/accounts/{admin.pk}/"
    admin.refresh_from_db()
    assert admin.check_password(STAFF_PASSWORD) and not admin.must_change_password
    assert not AuditEntry.objects.filter(action="staff.password_reset").exists()


@pytest.mark.django_db
def test_reset_needs_a_fresh_code_and_a_post(clock, reset_setup):
    _, member, admin_client = reset_setup
    assert admin_client.get(f"/staff/accounts/{member.pk}/password-reset/").status_code == 405
    clock.advance(minutes=16)
    stale = admin_client.post(f"/staff/accounts/{member.pk}/password-reset/")
    assert stale.status_code == 403 and "authenticator" in stale.content.decode()
    member.refresh_from_db()
    assert member.check_password(STAFF_PASSWORD)


@pytest.mark.django_db
def test_a_new_account_must_choose_its_own_password_after_enrolling(town, clock, reset_setup):
    _, _, admin_client = reset_setup
    created = admin_client.post(
        "/staff/accounts/new/",
        {"username": "r.castellanos", "role": "investigator", "password": "first-day-at-the-station"},
    )
    assert created.status_code == 302
    user = User.objects.get(username="r.castellanos")
    assert user.must_change_password
    client = Client()
    assert sign_in_with_password(client, user.username, "first-day-at-the-station").status_code == 302
    assert client.get("/staff/sign-in/verify/").status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    enrolled = client.post(
        "/staff/sign-in/verify/", {"method": "totp", "code": totp_code(device, clock.now.timestamp())}
    )
    assert enrolled.status_code == 200 and len(enrolled.context["codes"]) == 10
    assert client.get("/staff/")["Location"] == CHANGE


# ----- "Forgot your password?" -----------------------------------------------------------------


def _without_csrf(body: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


@pytest.mark.django_db
def test_forgot_password_names_the_role_and_reveals_nothing(client, town):
    sign_in = client.get("/staff/sign-in/").content.decode()
    assert f'href="{FORGOT}"' in sign_in and "Forgot your password?" in sign_in
    page = client.get(FORGOT).content.decode()
    assert "Administrator" in page and "never by email" in page
    member = make_staff(town["maple"], "investigator")
    known = client.post(FORGOT, {"username": member.username})
    unknown = client.post(FORGOT, {"username": "nobody.here"})
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.content.decode()) == _without_csrf(unknown.content.decode())
    assert "ask an Administrator of your agency" in known.content.decode()
    assert mail.outbox == []
    entries = {entry.parameters["username"]: entry for entry in AuditEntry.objects.filter(action="auth.password_help")}
    assert entries[member.username].agency == town["maple"] and entries[member.username].object_id == str(member.pk)
    assert entries["nobody.here"].agency is None and entries["nobody.here"].actor is None
    member.refresh_from_db()
    assert member.check_password(STAFF_PASSWORD) and not member.must_change_password


@pytest.mark.django_db
def test_forgot_password_requests_are_recorded_at_most_five_an_hour_per_address(client, town):
    for number in range(8):
        assert client.post(FORGOT, {"username": f"someone.{number}"}).status_code == 200
    assert AuditEntry.objects.filter(action="auth.password_help").count() == 5


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["u" * 5000, "\x00", ["a", "b"], "<script>alert(1)</script>", "  "])
def test_forgot_password_hostile_input_never_crashes(town, username):
    client = Client(raise_request_exception=False)
    response = client.post(FORGOT, {"username": username})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


# ----- the staff 403 page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_staff_member_gets_the_staff_403_page_naming_the_roles(client, town):
    staff_client(client, make_staff(town["maple"], "auditor"))
    response = client.get("/staff/registrations/")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="staff-nav"' in body and 'href="/staff/"' in body and f'href="{CHANGE}"' in body
    assert "View registrations" in body and "Administrator, Supervisor, Investigator" in body
    assert "Your role is Auditor" in body
    assert [t.name for t in response.templates][0] == "staff/forbidden.html"


@pytest.mark.django_db
def test_anonymous_and_unverified_keep_the_public_403_page(rf, town):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from cameraregistry.views import permission_denied

    request = rf.get("/staff/accounts/")
    request.user = AnonymousUser()
    request.session = {}
    public = permission_denied(request, PermissionDenied()).content.decode()
    assert "staff-nav" not in public and "You do not have access to this page" in public
    unverified = make_staff(town["maple"], "investigator")
    unverified.is_verified = lambda: False
    request.user = unverified
    assert "staff-nav" not in permission_denied(request, PermissionDenied()).content.decode()
