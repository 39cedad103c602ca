"""Demo sign-ins exist only in demo mode, and the printed TOTP code really signs in."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from demo.staff import DEMO_PASSWORD


@pytest.mark.django_db
def test_demo_commands_refuse_outside_demo_mode(town, settings):
    settings.DEMO_MODE = False
    err = StringIO()
    call_command("demo_signins", stdout=StringIO(), stderr=err)
    assert "only when DEBUG=true and DEMO_MODE=true" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("demo_totp", "admin.maple", stdout=StringIO())
    assert not User.objects.filter(username="admin.maple").exists()


@pytest.mark.django_db
def test_demo_sign_in_end_to_end(town, settings):
    settings.DEMO_MODE = True
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_signins", stdout=out)
    call_command("demo_signins", stdout=StringIO())  # idempotent
    roles = dict(User.objects.filter(username__contains=".").values_list("username", "role"))
    assert roles == {
        "admin.maple": "administrator",
        "supervisor.maple": "supervisor",
        "investigator.maple": "investigator",
        "auditor.maple": "auditor",
        "investigator.cedar": "investigator",
    }
    assert User.objects.get(username="investigator.cedar").agency == town["cedar"]
    assert "investigator.cedar" in out.getvalue()

    code = StringIO()
    call_command("demo_totp", "supervisor.maple", stdout=code)
    client = Client()
    client.post("/staff/sign-in/", {"acknowledge": "on", "username": "supervisor.maple", "password": DEMO_PASSWORD})
    response = client.post("/staff/sign-in/verify/", {"method": "totp", "code": code.getvalue().strip()})
    assert response.status_code == 302
    assert client.get("/staff/registrations/").status_code == 200
    with pytest.raises(CommandError):
        call_command("demo_totp", "nobody", stdout=StringIO())
