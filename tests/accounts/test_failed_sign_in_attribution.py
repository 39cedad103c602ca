"""Failed sign-ins belong to the agency of the account they target; unknown usernames to no agency."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEntry
from tests.staff_fixtures import make_staff, sign_in_with_password


def failures():
    return AuditEntry.objects.filter(outcome="failure", action__startswith="auth.")


@pytest.mark.django_db
def test_it_counts_failures_per_targeted_agency(client, town):
    maple_user = make_staff(town["maple"], "investigator")
    cedar_user = make_staff(town["cedar"], "supervisor")
    for _ in range(2):
        sign_in_with_password(client, maple_user.username, "wrong-password-1")
    sign_in_with_password(client, cedar_user.username, "wrong-password-2")
    sign_in_with_password(client, cedar_user.username)
    client.post("/staff/sign-in/verify/", {"method": "totp", "code": "000000"})
    client.post("/staff/sign-in/verify/", {"method": "recovery", "recovery_code": "aaaaa-bbbbb-ccccc"})
    sign_in_with_password(Client(), "nobody.at.all", "wrong-password-3")

    assert failures().filter(agency=town["maple"]).count() == 2
    assert failures().filter(agency=town["cedar"]).count() == 3
    assert failures().filter(agency__isnull=True).count() == 1
    for entry in failures().filter(agency=town["maple"]):
        assert entry.object_type == "user" and entry.object_id == str(maple_user.pk)
    unknown = failures().get(agency__isnull=True)
    assert unknown.object_id == "" and unknown.parameters["username"] == "nobody.at.all"
    stored = str(list(AuditEntry.objects.values_list("parameters", flat=True)))
    assert "wrong-password" not in stored


@pytest.mark.django_db
def test_it_attributes_a_lockout_and_attempts_while_locked(client, town):
    user = make_staff(town["cedar"], "investigator")
    for _ in range(5):
        sign_in_with_password(client, user.username, "wrong-password-9")
    lockout = AuditEntry.objects.get(action="auth.lockout")
    assert lockout.agency == town["cedar"] and lockout.object_id == str(user.pk)
    sign_in_with_password(client, user.username)
    locked = AuditEntry.objects.filter(action="auth.sign_in", outcome="failure").last()
    assert locked.parameters["reason"] == "locked" and locked.agency == town["cedar"]
    # The other agency's failures stay at zero: nothing of this leaks to Maple Falls' auditor.
    assert not failures().filter(agency=town["maple"]).exists()
    assert not failures().filter(agency__isnull=True).exists()
