"""Administration of staff and sharing, the registration pages, and one audit entry per action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import SharingAgreement, User
from audit.models import AuditEntry
from registrations.models import Registration
from tests.staff_fixtures import make_staff, staff_client


@pytest.fixture
def admin_client(town):
    admin = make_staff(town["maple"], "administrator", username="boss.maple")
    client = staff_client(Client(), admin)
    client.user = admin
    return client


def only_entry(action: str) -> AuditEntry:
    found = list(AuditEntry.objects.filter(action=action))
    assert len(found) == 1, (action, found)
    return found[0]


@pytest.mark.django_db
def test_create_account_with_role_audited_once(admin_client, town):
    response = admin_client.post(
        "/staff/accounts/new/",
        {"username": "new.detective", "role": "investigator", "password": "a long and unusual passphrase 2026"},
    )
    assert response.status_code == 302
    created = User.objects.get(username="new.detective")
    assert created.agency == town["maple"] and created.role == "investigator"
    entry = only_entry("staff.create")
    assert entry.actor == admin_client.user and entry.object_id == str(created.pk)
    assert entry.parameters == {"username": "new.detective", "role": "investigator"}
    assert "passphrase" not in str(entry.parameters)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        ({"username": "x", "role": "investigator", "password": "short"}, "password"),
        ({"username": "x", "role": "investigator", "password": "password1234"}, "password"),
        ({"username": "x", "role": "superhero", "password": "a long and unusual passphrase"}, "role"),
        ({"username": "boss.maple", "role": "auditor", "password": "a long and unusual passphrase"}, "username"),
        ({"username": "bad name!", "role": "auditor", "password": "a long and unusual passphrase"}, "username"),
        ({"username": "y" * 500, "role": "auditor", "password": "z" * 5000}, "username"),
    ],
)
def test_create_account_hostile_input_explained(admin_client, data, field):
    before = User.objects.count()
    response = admin_client.post("/staff/accounts/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert User.objects.count() == before
    assert not AuditEntry.objects.filter(action="staff.create").exists()


@pytest.mark.django_db
def test_role_change_disable_enable_and_mfa_reset_each_audited_once(admin_client, town):
    member = make_staff(town["maple"], "investigator")
    base = f"/staff/accounts/{member.pk}"
    assert admin_client.post(f"{base}/role/", {"role": "supervisor"}).status_code == 302
    assert admin_client.post(f"{base}/role/", {"role": "emperor"}).status_code == 302
    assert admin_client.post(f"{base}/disable/").status_code == 302
    assert admin_client.post(f"{base}/enable/").status_code == 302
    assert admin_client.post(f"{base}/mfa-reset/").status_code == 302
    member.refresh_from_db()
    assert member.role == "supervisor" and member.is_active
    assert only_entry("staff.role_change").parameters == {
        "username": member.username,
        "from": "investigator",
        "to": "supervisor",
    }
    for action in ("staff.disable", "staff.enable", "staff.mfa_reset"):
        entry = only_entry(action)
        assert entry.actor == admin_client.user and entry.object_type == "user" and entry.object_id == str(member.pk)
        assert entry.agency == town["maple"]


@pytest.mark.django_db
def test_administrator_cannot_lock_themselves_out(admin_client):
    me = admin_client.user
    admin_client.post(f"/staff/accounts/{me.pk}/disable/")
    admin_client.post(f"/staff/accounts/{me.pk}/role/", {"role": "auditor"})
    me.refresh_from_db()
    assert me.is_active and me.role == "administrator"
    assert not AuditEntry.objects.filter(action__in=["staff.disable", "staff.role_change"]).exists()


@pytest.mark.django_db
def test_actions_need_post(admin_client, town):
    member = make_staff(town["maple"], "investigator")
    assert admin_client.get(f"/staff/accounts/{member.pk}/disable/").status_code == 405
    member.refresh_from_db()
    assert member.is_active


@pytest.mark.django_db
def test_sharing_grant_and_revoke_audited(admin_client, town):
    today = timezone.localdate()
    response = admin_client.post(
        "/staff/sharing/",
        {
            "receiving_agency": town["cedar"].pk,
            "scope": ["view_registrations", "view_contact_details"],
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    agreement = SharingAgreement.objects.get()
    assert agreement.granting_agency == town["maple"] and agreement.created_by == admin_client.user
    assert only_entry("sharing.grant").parameters["scope"] == ["view_contact_details", "view_registrations"]
    assert admin_client.post(f"/staff/sharing/{agreement.pk}/revoke/").status_code == 302
    assert admin_client.post(f"/staff/sharing/{agreement.pk}/revoke/").status_code == 302  # twice: still one entry
    agreement.refresh_from_db()
    assert agreement.revoked_at is not None
    assert only_entry("sharing.revoke").object_id == str(agreement.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"receiving_agency": "own", "scope": ["view_registrations"], "ends_on": "+5"},
        {"receiving_agency": "cedar", "scope": ["manage_staff"], "ends_on": "+5"},
        {"receiving_agency": "cedar", "scope": [], "ends_on": "+5"},
        {"receiving_agency": "cedar", "scope": ["view_registrations"], "ends_on": "-1"},
        {"receiving_agency": "cedar", "scope": ["view_registrations"], "ends_on": "not a date"},
        {"receiving_agency": "99999", "scope": ["view_registrations"], "ends_on": "+5"},
    ],
)
def test_sharing_grant_refuses_bad_input(admin_client, town, data):
    today = timezone.localdate()
    agency = {"own": town["maple"].pk, "cedar": town["cedar"].pk}.get(
        data["receiving_agency"], data["receiving_agency"]
    )
    ends = data["ends_on"]
    if ends[0] in "+-" and ends[1:].isdigit():
        ends = (today + dt.timedelta(days=int(ends))).isoformat()
    response = admin_client.post(
        "/staff/sharing/",
        {"receiving_agency": agency, "scope": data["scope"], "starts_on": today.isoformat(), "ends_on": ends},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not SharingAgreement.objects.exists()


@pytest.mark.django_db
def test_cannot_revoke_another_agencys_agreement(client, town):
    now = timezone.now()
    agreement = SharingAgreement.objects.create(
        granting_agency=town["cedar"],
        receiving_agency=town["maple"],
        scope=["view_registrations"],
        starts_at=now,
        ends_at=now + dt.timedelta(days=3),
    )
    staff_client(client, make_staff(town["maple"], "administrator"))
    assert client.post(f"/staff/sharing/{agreement.pk}/revoke/").status_code == 404
    agreement.refresh_from_db()
    assert agreement.revoked_at is None


@pytest.mark.django_db
def test_registration_list_filters_paginates_and_audits(client, town):
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    response = client.get("/staff/registrations/", {"status": "active", "verified": "yes", "street": "Oak"})
    assert response.status_code == 200
    for registration in response.context["page"].object_list:
        assert (
            registration.status == "active"
            and registration.verified_at
            and "oak" in registration.street_address.lower()
        )
    entry = only_entry("registration.list")
    assert entry.parameters == {"status": "active", "verified": "yes", "street": "Oak", "page": 1}

    counted = client.get("/staff/registrations/", {"min_cameras": 2, "max_cameras": 2})
    assert all(row.camera_count == 2 for row in counted.context["page"].object_list)
    total = Registration.objects.filter(agency=town["maple"]).count()
    assert client.get("/staff/registrations/").context["page"].paginator.count == total


@pytest.mark.django_db
def test_registration_list_hostile_filters_never_500(client, town):
    staff_client(client, make_staff(town["maple"], "investigator"))
    for query in (
        {"status": "<script>alert(1)</script>"},
        {"min_cameras": "lots"},
        {"min_cameras": "5", "max_cameras": "1"},
        {"street": "x" * 5000},
        {"page": "999999"},
        {"page": "-1"},
        {"verified": "\x00"},
    ):
        response = client.get("/staff/registrations/", query)
        assert response.status_code == 200, query
        assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.django_db
def test_detail_hides_contact_until_asked_and_audits_each(client, town):
    registration = Registration.objects.filter(agency=town["maple"]).first()
    user = make_staff(town["maple"], "investigator")
    staff_client(client, user)
    page = client.get(f"/staff/registrations/{registration.public_id}/")
    assert page.status_code == 200
    assert registration.owner_phone not in page.content.decode()
    assert "Show contact details" in page.content.decode()
    view = only_entry("registration.view")
    assert view.object_id == str(registration.public_id) and view.actor == user
    assert not AuditEntry.objects.filter(action="registration.contact_view").exists()

    shown = client.post(f"/staff/registrations/{registration.public_id}/contact/")
    assert shown.status_code == 200 and registration.owner_phone in shown.content.decode()
    contact = only_entry("registration.contact_view")
    assert contact.object_id == str(registration.public_id) and contact.agency == town["maple"]
    assert AuditEntry.objects.filter(action="registration.view").count() == 1
    assert client.get(f"/staff/registrations/{registration.public_id}/contact/").status_code == 405


@pytest.mark.django_db
def test_auditor_cannot_see_contact_details(client, town):
    registration = Registration.objects.filter(agency=town["maple"]).first()
    staff_client(client, make_staff(town["maple"], "auditor"))
    assert client.post(f"/staff/registrations/{registration.public_id}/contact/").status_code == 403
    assert not AuditEntry.objects.filter(action="registration.contact_view").exists()


@pytest.mark.django_db
def test_home_links_follow_the_role(client, town):
    staff_client(client, make_staff(town["maple"], "auditor"))
    body = client.get("/staff/").content.decode()
    assert "/staff/audit/" in body and "/staff/registrations/" not in body and "/staff/canvass/" not in body
    other = staff_client(Client(), make_staff(town["maple"], "administrator"))
    body = other.get("/staff/").content.decode()
    for url in ("/staff/registrations/", "/staff/canvass/", "/staff/audit/", "/staff/admin/", "/staff/accounts/"):
        assert url in body


@pytest.mark.django_db
def test_django_admin_requires_a_verified_superuser(client, town):
    superuser = User.objects.create_superuser("root", "root@example.com", "a long and unusual passphrase")
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/django-admin/").status_code == 302  # password alone is not enough
    staff_client(client, superuser)
    assert client.get("/django-admin/").status_code == 200


def test_registration_list_pages_keep_the_filters(town):
    supervisor = make_staff(town["maple"], "supervisor")
    client = staff_client(Client(), supervisor)
    visible = Registration.objects.filter(agency=town["maple"]).count()
    assert 25 < visible <= 50  # the tiny town: two pages of 25
    first = client.get("/staff/registrations/", {"street": ""}).content.decode()
    assert "Page 1 of 2" in first and "street=&amp;page=2" in first
    second = client.get("/staff/registrations/", {"street": "", "page": 2}).content.decode()
    assert "Page 2 of 2" in second and "page=1" in second
