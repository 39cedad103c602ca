"""Embedded default: gunicorn (deploy/gunicorn.conf.py) on SQLite, residents registering through the public
form and investigators searching at once. Proves: no "database is locked", every acknowledged registration
saved exactly once."""

from __future__ import annotations

import datetime
import itertools
import sys
import threading
import time

import requests

from drills.common import SHORT, Instance, Load, hidden_fields, run_for

RESIDENTS = 50
INVESTIGATORS = 5
SECONDS = 10 if SHORT else 30
PASSWORD = "drill-investigator-password-2026"


def registration_data(hidden: dict[str, str], address: str, owner: str) -> dict[str, object]:
    return {
        **hidden,
        "exterior": "yes",
        "records": "yes",
        "property_type": "residence",
        "street_address": address,
        "owner_name": owner,
        "owner_phone": "(708) 555-0142",
        "owner_email": "",
        "preferred_contact_method": "phone",
        "consent": "on",
        "website": "",
        "cameras-TOTAL_FORMS": "1",
        "cameras-INITIAL_FORMS": "0",
        "cameras-MIN_NUM_FORMS": "1",
        "cameras-MAX_NUM_FORMS": "30",
        "cameras-0-locations": ["front"],
        "cameras-0-records_street": "yes",
        "cameras-0-retention_days": "14",
        "cameras-0-exports_common_format": "yes",
    }


def resident(url: str, number: int, addresses, load: Load, acknowledged: list[str]):
    def work(stop: threading.Event) -> None:
        for count in itertools.count():
            if stop.is_set():
                return
            base = url() if callable(url) else url  # a callable picks a live app server (scale-out)
            session = requests.Session()
            page = load.timed("register GET", session.get, base + "/register/")
            if page is None:
                continue
            owner = f"Drill Resident {number}-{count}"
            data = registration_data(hidden_fields(page.text), next(addresses), owner)
            for attempt in range(3):  # the department's terms appear after the first post: post again
                answer = load.timed(
                    f"register POST #{attempt + 1}",
                    session.post,
                    base + "/register/",
                    data,
                    allow_redirects=False,
                    accept=lambda r: r.status_code in (200, 302, 400),
                )
                if answer is None:
                    break
                if answer.status_code == 302 and answer.headers.get("Location", "").endswith("/register/thanks/"):
                    acknowledged.append(owner)
                    break
                if 'id="limit-title"' in answer.text:
                    load.fail(f"register POST #{attempt + 1}", "limit reached")
                    break
                data = {**data, **hidden_fields(answer.text)}  # now with the terms version shown
            else:
                load.fail("register POST", "form refused three times")

    return work


def signed_in(url: str, username: str, code: str) -> requests.Session:
    """Sign in through the real pages (password, then the authenticator code), before the load starts."""
    session = requests.Session()
    page = session.get(url + "/staff/sign-in/", timeout=60)
    fields = {**hidden_fields(page.text), "acknowledge": "on", "username": username, "password": PASSWORD}
    answer = session.post(url + "/staff/sign-in/", fields, timeout=60)
    answer = session.post(answer.url, {**hidden_fields(answer.text), "method": "totp", "code": code}, timeout=60)
    if not answer.url.endswith("/staff/"):
        raise RuntimeError(f"{username} could not sign in (ended on {answer.url})")
    return session


def investigator(url: str, session: requests.Session, search: dict[str, str], load: Load):
    def work(stop: threading.Event) -> None:
        while not stop.is_set():
            page = load.timed("search GET", session.get, url + "/staff/canvass/")
            if page is None:
                continue
            data = {**hidden_fields(page.text), **search}
            answer = load.timed(
                "search POST",
                session.post,
                url + "/staff/canvass/",
                data,
                allow_redirects=False,
                accept=lambda r: r.status_code == 302,
            )
            if answer is not None:
                load.timed("search results", session.get, url + answer.headers["Location"])

    return work


def setup_town(investigators: int = INVESTIGATORS):
    """Raise the hourly limits for the drive, pick addresses, make investigators with an authenticator."""
    from django.utils import timezone
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from agencies.models import Agency, OffenseType
    from agencies.selectors import agency_for_point
    from registrations.models import AddressPoint, Registration

    Agency.objects.update(
        registrations_per_hour_per_network=200,
        registration_event_limit_per_hour=1000,
        registration_event_until=timezone.now() + datetime.timedelta(hours=2),
    )
    maple = Agency.objects.get(slug="maple-falls")
    taken = set(Registration.objects.values_list("street_address", flat=True))
    points = [p for p in AddressPoint.objects.order_by("id")[:3000] if p.address not in taken]
    addresses = [p.address for p in points if agency_for_point(p.latitude, p.longitude) == maple]
    codes = {}
    for number in range(investigators):
        user = User.objects.create_user(
            username=f"drill.investigator{number}", password=PASSWORD, agency=maple, role="investigator"
        )
        device = TOTPDevice.objects.create(user=user, confirmed=True, name="drill")
        codes[user.username] = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    place = Registration.objects.filter(agency=maple, cameras__isnull=False).order_by("id").first()
    end = timezone.localtime() - datetime.timedelta(hours=2)
    search = {
        "case_number": "DRILL-0001",
        "offense_type": str(OffenseType.objects.filter(agency=maple).order_by("id").first().pk),
        "latitude": str(place.latitude),
        "longitude": str(place.longitude),
        "window_start": (end - datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "window_end": end.strftime("%Y-%m-%dT%H:%M"),
        "area_kind": "radius",
        "radius_m": "300",
    }
    return addresses, codes, search


def check_saved(acknowledged: list[str]) -> tuple[int, int]:
    """(missing, duplicated) among acknowledged owners; names are encrypted, so compared in Python."""
    from collections import Counter

    from registrations.models import Registration

    saved = Counter(r.owner_name for r in Registration.objects.only("owner_name"))
    missing = sum(1 for owner in acknowledged if saved[owner] == 0)
    duplicated = sum(1 for owner in acknowledged if saved[owner] > 1)
    return missing, duplicated


def main() -> int:
    instance = Instance("embedded")
    instance.activate()
    instance.prepare()
    addresses, codes, search = setup_town()
    _server, url = instance.gunicorn()
    load, acknowledged = Load(), []
    pool = itertools.cycle(addresses)
    lock = threading.Lock()

    def next_address() -> str:
        with lock:
            return next(pool)

    class Addresses:
        def __next__(self) -> str:
            return next_address()

    workers = [resident(url, n, Addresses(), load, acknowledged) for n in range(RESIDENTS)]
    sessions = [signed_in(url, name, code) for name, code in codes.items()]
    workers += [investigator(url, session, search, load) for session in sessions]
    started = time.monotonic()
    try:
        run_for(SECONDS, workers)
        elapsed = time.monotonic() - started
    finally:
        instance.stop()
    locked = instance.log_text().count("database is locked")
    missing, duplicated = check_saved(acknowledged)
    instance.remove()
    print(f"### Embedded default: {RESIDENTS} residents + {INVESTIGATORS} investigators, {SECONDS} s, SQLite\n")
    print("\n".join(load.rows(elapsed)))
    print("\n" + ("\n".join(load.failure_lines()) or "- no failed requests"))
    print(f'\n| check | result |\n|---|---|\n| "database is locked" in gunicorn log | {locked} |')
    print(f"| registrations acknowledged (302 to thanks) | {len(acknowledged)} |")
    print(f"| acknowledged but missing | {missing} |\n| acknowledged but saved twice | {duplicated} |\n")
    return 0 if locked == 0 and missing == 0 and duplicated == 0 and acknowledged else 1


if __name__ == "__main__":
    sys.exit(main())
