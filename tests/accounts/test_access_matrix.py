"""Every staff URL against anonymous, unverified, each role and other agencies (with and without sharing)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from accounts.access import ROLE_PERMISSIONS, Permission, agencies_visible_to, has_permission
from accounts.models import SharingAgreement
from audit.models import AuditEntry
from registrations.models import Registration
from registrations.selectors import registration_for, registrations_for
from tests.staff_fixtures import make_staff, staff_client

ROLES = ["administrator", "supervisor", "investigator", "auditor"]
ALLOWED = {"allowed": 200, "denied": 403}

# url builder, method, permission needed (None = any signed-in staff)
PAGES = [
    ("home", lambda r, u: "/staff/", "get", None),
    ("registration list", lambda r, u: "/staff/registrations/", "get", Permission.VIEW_REGISTRATIONS),
    ("registration detail", lambda r, u: f"/staff/registrations/{r.public_id}/", "get", Permission.VIEW_REGISTRATIONS),
    (
        "contact details",
        lambda r, u: f"/staff/registrations/{r.public_id}/contact/",
        "post",
        Permission.VIEW_CONTACT_DETAILS,
    ),
    ("staff list", lambda r, u: "/staff/accounts/", "get", Permission.MANAGE_STAFF),
    ("staff create", lambda r, u: "/staff/accounts/new/", "get", Permission.MANAGE_STAFF),
    ("staff detail", lambda r, u: f"/staff/accounts/{u.pk}/", "get", Permission.MANAGE_STAFF),
    ("staff enable", lambda r, u: f"/staff/accounts/{u.pk}/enable/", "post", Permission.MANAGE_STAFF),
    ("sharing", lambda r, u: "/staff/sharing/", "get", Permission.MANAGE_SHARING),
    ("password change", lambda r, u: "/staff/password/", "get", None),
    ("staff password reset", lambda r, u: f"/staff/accounts/{u.pk}/password-reset/", "post", Permission.MANAGE_STAFF),
]


def call(client: Client, method: str, url: str):
    return getattr(client, method)(url)


@pytest.fixture
def world(town):
    maple, cedar = town["maple"], town["cedar"]
    return {
        "maple": maple,
        "cedar": cedar,
        "maple_registration": Registration.objects.filter(agency=maple).first(),
        "cedar_registration": Registration.objects.filter(agency=cedar).first(),
        "maple_colleague": make_staff(maple, "investigator", username="colleague.maple"),
    }


def test_matrix_matches_the_issue():
    assert ROLE_PERMISSIONS["auditor"] == {Permission.VIEW_AUDIT_LOG, Permission.VIEW_DASHBOARD}
    investigator = {
        Permission.VIEW_REGISTRATIONS,
        Permission.VIEW_CONTACT_DETAILS,
        Permission.SEARCH_CANVASS,
        Permission.EXPORT_DATA,
        Permission.REQUEST_FOOTAGE,
        Permission.DOWNLOAD_EVIDENCE,
        Permission.VIEW_DASHBOARD,
    }
    assert ROLE_PERMISSIONS["investigator"] == investigator
    assert ROLE_PERMISSIONS["supervisor"] == investigator | {Permission.VERIFY_REGISTRATIONS, Permission.VIEW_AUDIT_LOG}
    assert ROLE_PERMISSIONS["administrator"] == set(Permission) - {Permission.VIEW_ALL_AUDIT_LOG}
    assert ROLE_PERMISSIONS["deployment_auditor"] == {Permission.VIEW_AUDIT_LOG, Permission.VIEW_ALL_AUDIT_LOG}


@pytest.mark.slow
@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_everywhere(client, world):
    for name, url, method, _ in PAGES:
        response = call(client, method, url(world["maple_registration"], world["maple_colleague"]))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/staff/sign-in/"), name


@pytest.mark.django_db
def test_password_only_session_reaches_nothing(client, world):
    user = make_staff(world["maple"], "administrator")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")  # no second factor
    for name, url, method, _ in PAGES:
        response = call(client, method, url(world["maple_registration"], world["maple_colleague"]))
        assert response.status_code == 302, name
        assert response["Location"].startswith("/staff/sign-in/"), name
    assert not has_permission(user, Permission.VIEW_REGISTRATIONS)
    assert registrations_for(user).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_pages(client, world, role):
    user = make_staff(world["maple"], role)
    staff_client(client, user)
    for name, url, method, permission in PAGES:
        response = call(client, method, url(world["maple_registration"], world["maple_colleague"]))
        allowed = permission is None or permission in ROLE_PERMISSIONS[role]
        expected = (302 if method == "post" and name == "staff enable" else 200) if allowed else 403
        assert response.status_code == expected, (role, name, response.status_code)
    assert AuditEntry.objects.filter(actor=user).exists() == (Permission.VIEW_REGISTRATIONS in ROLE_PERMISSIONS[role])


@pytest.mark.django_db
def test_inactive_and_roleless_users_have_nothing(world):
    user = make_staff(world["maple"], "administrator")
    user.is_verified = lambda: True
    assert has_permission(user, Permission.MANAGE_STAFF)
    user.is_active = False
    assert not has_permission(user, Permission.MANAGE_STAFF)
    user.is_active = True
    user.role = "janitor"
    assert not has_permission(user, Permission.VIEW_DASHBOARD)
    assert not has_permission(None, Permission.VIEW_DASHBOARD)


@pytest.mark.django_db
def test_other_agency_sees_nothing_without_agreement(client, world):
    staff_client(client, make_staff(world["cedar"], "administrator"))
    maple_registration = world["maple_registration"]
    assert client.get(f"/staff/registrations/{maple_registration.public_id}/").status_code == 404
    assert client.post(f"/staff/registrations/{maple_registration.public_id}/contact/").status_code == 404
    assert client.get(f"/staff/accounts/{world['maple_colleague'].pk}/").status_code == 404
    assert client.post(f"/staff/accounts/{world['maple_colleague'].pk}/disable/").status_code == 404
    listing = client.get("/staff/registrations/")
    shown = {row.agency_id for row in listing.context["page"].object_list}
    assert shown == {world["cedar"].pk}
    world["maple_colleague"].refresh_from_db()
    assert world["maple_colleague"].is_active


@pytest.mark.django_db
def test_guessed_ids_are_not_found(client, world):
    staff_client(client, make_staff(world["maple"], "administrator"))
    assert client.get(f"/staff/registrations/{uuid.uuid4()}/").status_code == 404
    assert client.get("/staff/registrations/not-a-uuid/").status_code == 404
    assert client.get(f"/staff/registrations/{world['maple_registration'].pk}/").status_code == 404
    assert client.get("/staff/accounts/999999/").status_code == 404
    assert client.post("/staff/sharing/999999/revoke/").status_code == 404
    assert client.post(f"/staff/accounts/{world['maple_colleague'].pk}/explode/").status_code == 404


def grant(world, scope, *, days=10, starts_days_ago=1):
    now = timezone.now()
    return SharingAgreement.objects.create(
        granting_agency=world["maple"],
        receiving_agency=world["cedar"],
        scope=[permission.value for permission in scope],
        starts_at=now - dt.timedelta(days=starts_days_ago),
        ends_at=now + dt.timedelta(days=days),
    )


@pytest.mark.django_db
def test_sharing_agreement_opens_access_until_it_ends(client, world, monkeypatch):
    cedar_investigator = make_staff(world["cedar"], "investigator")
    staff_client(client, cedar_investigator)
    registration = world["maple_registration"]
    url = f"/staff/registrations/{registration.public_id}/"
    grant(world, [Permission.VIEW_REGISTRATIONS])

    assert client.get(url).status_code == 200
    use = AuditEntry.objects.get(action="sharing.use")
    assert use.actor == cedar_investigator and use.object_id == str(registration.public_id)
    assert use.parameters["granting_agency"] == world["maple"].pk
    # The scope covers viewing only, not contact details.
    assert client.post(f"/staff/registrations/{registration.public_id}/contact/").status_code == 404
    listing = client.get("/staff/registrations/")
    assert listing.context["page"].paginator.count == Registration.objects.count()

    later = timezone.now() + dt.timedelta(days=11)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    staff_client(client, cedar_investigator)  # fresh session clock at the later time
    assert client.get(url).status_code == 404
    assert (
        client.get("/staff/registrations/").context["page"].paginator.count
        == Registration.objects.filter(agency=world["cedar"]).count()
    )


@pytest.mark.django_db
def test_sharing_not_started_revoked_or_wrong_direction_gives_nothing(world):
    cedar_user = make_staff(world["cedar"], "investigator")
    cedar_user.is_verified = lambda: True
    maple_user = make_staff(world["maple"], "investigator")
    maple_user.is_verified = lambda: True
    future = grant(world, [Permission.VIEW_REGISTRATIONS], starts_days_ago=-2)
    assert agencies_visible_to(cedar_user, Permission.VIEW_REGISTRATIONS) == [world["cedar"].pk]
    future.delete()
    agreement = grant(world, [Permission.VIEW_REGISTRATIONS, Permission.VIEW_CONTACT_DETAILS])
    assert agencies_visible_to(cedar_user, Permission.VIEW_CONTACT_DETAILS) == [world["cedar"].pk, world["maple"].pk]
    assert agencies_visible_to(cedar_user, Permission.SEARCH_CANVASS) == [world["cedar"].pk]
    # Sharing is one-way: Maple staff gain nothing of Cedar's.
    assert agencies_visible_to(maple_user, Permission.VIEW_REGISTRATIONS) == [world["maple"].pk]
    agreement.revoked_at = timezone.now()
    agreement.save()
    assert agencies_visible_to(cedar_user, Permission.VIEW_REGISTRATIONS) == [world["cedar"].pk]
    from django.http import Http404

    with pytest.raises(Http404):
        registration_for(cedar_user, world["maple_registration"].public_id)


@pytest.mark.django_db
def test_auditor_cannot_reach_registrations_even_with_sharing(world):
    auditor = make_staff(world["cedar"], "auditor")
    auditor.is_verified = lambda: True
    grant(world, [Permission.VIEW_REGISTRATIONS])
    assert registrations_for(auditor).count() == 0
    assert agencies_visible_to(auditor, Permission.VIEW_REGISTRATIONS) == []


@pytest.mark.django_db
def test_own_agency_use_writes_no_sharing_entry(client, world):
    staff_client(client, make_staff(world["maple"], "investigator"))
    assert client.get(f"/staff/registrations/{world['maple_registration'].public_id}/").status_code == 200
    assert not AuditEntry.objects.filter(action="sharing.use").exists()
