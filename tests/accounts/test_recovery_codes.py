"""Recovery codes: at least 112 bits, readable, stored hashed, each usable once, only by their owner."""

from __future__ import annotations

import hashlib
import math
import re

import pytest
from django.test import Client

from accounts import services
from accounts.models import RecoveryCode
from tests.staff_fixtures import make_staff, sign_in_with_password


def use(user, code: str) -> int:
    client = Client()
    sign_in_with_password(client, user.username)
    return client.post("/staff/sign-in/verify/", {"method": "recovery", "recovery_code": code}).status_code


@pytest.mark.django_db
def test_codes_are_strong_and_readable(town):
    user = make_staff(town["maple"], "investigator")
    codes = services.recovery_codes_issue(user=user)
    assert len(codes) == 10 and len(set(codes)) == 10
    alphabet = set(services.RECOVERY_CODE_ALPHABET)
    assert not alphabet & set("0o1li")
    for code in codes:
        assert re.fullmatch(r"[a-z0-9]{5}(-[a-z0-9]{5}){4}", code)
        characters = code.replace("-", "")
        assert set(characters) <= alphabet
        assert len(characters) * math.log2(len(alphabet)) >= 112
    stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not any(code in value or code.replace("-", "") in value for code in codes for value in stored)


@pytest.mark.django_db
def test_a_code_works_once_with_any_spacing_or_case(town):
    user = make_staff(town["maple"], "investigator")
    codes = services.recovery_codes_issue(user=user)
    assert use(user, codes[0].upper().replace("-", " ")) == 302
    assert use(user, codes[0]) == 200
    assert use(user, codes[1]) == 302
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_another_users_code_is_refused(town):
    user = make_staff(town["maple"], "investigator")
    outsider = make_staff(town["cedar"], "investigator")
    codes = services.recovery_codes_issue(user=outsider)
    assert use(user, codes[0]) == 200
    assert RecoveryCode.objects.filter(used_at__isnull=False).count() == 0


@pytest.mark.django_db
def test_codes_issued_before_the_change_keep_working_once(town):
    user = make_staff(town["maple"], "investigator")
    old = "abcde-fghjk-mnpqr"
    RecoveryCode.objects.create(user=user, code_hash=hashlib.sha256(old.replace("-", "").encode()).hexdigest())
    assert use(user, old) == 302
    assert use(user, old) == 200
