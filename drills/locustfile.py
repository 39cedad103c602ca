"""The scale-out drill's load (locust, headless; drills/scaleout.py starts it and reads what it wrote).

Four kinds of visitors, all through nginx and the real pages, each from its own loopback address (nginx passes
it on in X-Forwarded-For, as from different households; the app's per-address limits then apply per visitor):

- residents register through the public form (GET, then POST with the CSRF token and nonce, again once the
  department's terms are shown);
- owners ask for their manage link ("email me my link"), take it from the drill's SMTP server, open it and
  change the owner name on their registration;
- investigators sign in (password, then the authenticator code), search, choose cameras for the case and
  request footage for them;
- owners who received a footage-request email open its link and upload a clip of a few MB.

Every acknowledged write (a registration's owner name, an owner's edit, a footage request's case, an
upload's SHA-256 as the client computed it) is appended to the plan's `acks` file at once; every request's
outcome to its `requests` file. The plan (DRILL_PLAN, JSON) says who may sign in, which owners and
addresses to use, where the SMTP server drops its mail.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from urllib3 import PoolManager

from drills.common import hidden_fields
from drills.crash_upload import mp4_start
from drills.embedded import registration_data
from drills.pages import Cause, Form, mail_for, totp

PLAN = json.loads(Path(os.environ["DRILL_PLAN"]).read_text()) if "DRILL_PLAN" in os.environ else {}
TIMEOUT = 60
ADDRESSES = itertools.cycle(PLAN.get("addresses") or ["1 Main St"])
OWNER_EMAILS = iter(PLAN.get("owner_emails", []))
INVESTIGATORS = iter(PLAN.get("investigators", []))
HOUSEHOLDS = itertools.count(1)
SERIAL = itertools.count(1)
MAIL = Path(PLAN.get("mail_dir", "."))
LINK = {
    "manage": re.compile(r"/manage/link/([^/\s\"'<>]+)/"),
    "footage": re.compile(r"/footage/r/[0-9a-f-]{36}/[^/\s\"'<>]+/"),
}


def _open_log(key: str):
    return open(PLAN[key], "a", buffering=1) if key in PLAN else None  # noqa: SIM115 - line-buffered, kept open


ACKS, REQUESTS = _open_log("acks"), _open_log("requests")


def acknowledge(kind: str, **fields: object) -> None:
    ACKS.write(json.dumps({"kind": kind, "at": time.time(), **fields}) + "\n")


@events.request.add_listener
def _log_request(request_type, name, response_time, response_length, response=None, exception=None, **_kw):
    status = getattr(response, "status_code", 0) or 0
    cause = None
    if exception is not None:
        cause = str(exception) if isinstance(exception, Cause) else type(exception).__name__
        inner = getattr(response, "error", None)  # a connection error: the requests exception locust caught
        if inner is not None:
            cause = type(inner).__name__
    line = {"t": time.time(), "kind": name, "ms": response_time, "status": status, "cause": cause}
    REQUESTS.write(json.dumps(line) + "\n")


class Visitor(HttpUser):
    """One visitor at a time on its own loopback address (a household: its own network for the app)."""

    abstract = True
    wait_time = between(0.2, 1.0)

    def __init__(self, *args, **kwargs) -> None:
        self.pool_manager = self._household()
        super().__init__(*args, **kwargs)

    @staticmethod
    def _household() -> PoolManager:
        number = next(HOUSEHOLDS)
        return PoolManager(maxsize=4, source_address=(f"127.{10 + number // 250}.{number % 250}.1", 0))

    def move(self) -> None:
        """The next visit comes from another household (a new address, new connections)."""
        self.client.mount("http://", LocustHttpAdapter(pool_manager=self._household()))

    def call(self, method: str, path: str, kind: str, ok=lambda r: r.status_code < 400, **kwargs):
        """One request counted as `kind`; its response when `ok(response)`, else None (counted as failed)."""
        kwargs.setdefault("timeout", TIMEOUT)
        with self.client.request(method, path, name=kind, catch_response=True, **kwargs) as response:
            if getattr(response, "error", None) is not None:
                response.failure(response.error)
                return None
            if ok(response):
                response.success()
                return response
            response.failure(Cause(f"HTTP {response.status_code}"))
            return None

    def waited(self, kind: str, started: float, problem: str | None = None) -> None:
        """Report a wait (for an email) as its own kind, so its time and failures show in the table."""
        self.environment.events.request.fire(
            request_type="MAIL",
            name=kind,
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=Cause(problem) if problem else None,
        )

    def wait_for_mail(self, recipient: str, seen: int, pattern: re.Pattern, kind: str) -> str | None:
        started = time.perf_counter()
        deadline = time.monotonic() + PLAN.get("mail_wait_s", 45)
        while time.monotonic() < deadline:
            for path in mail_for(MAIL, recipient)[seen:]:
                if match := pattern.search(path.read_text(errors="replace")):
                    self.waited(kind, started)
                    return match.group(0)
            gevent.sleep(0.5)
        self.waited(kind, started, "no email in time")
        return None


class Resident(Visitor):
    fixed_count = PLAN.get("users", {}).get("resident", 0)

    @task
    def register(self) -> None:
        self.client.cookies.clear()
        page = self.call("GET", "/register/", "register GET")
        if page is None:
            return
        owner = f"Drill Resident {next(SERIAL)}"
        data = registration_data(hidden_fields(page.text), next(ADDRESSES), owner)
        for attempt in (1, 2, 3):  # the department's terms appear after the first post: post again
            answer = self.call(
                "POST",
                "/register/",
                f"register POST #{attempt}",
                data=data,
                allow_redirects=False,
                ok=lambda r: r.status_code in (200, 302, 400),
            )
            if answer is None:
                return
            if answer.status_code == 302 and answer.headers.get("Location", "").endswith("/register/thanks/"):
                acknowledge("registration", owner=owner)
                return
            data = {**data, **hidden_fields(answer.text)}  # now with the terms version shown


class Owner(Visitor):
    """An owner with an email on file: asks for the manage link, opens it, changes the owner name."""

    fixed_count = PLAN.get("users", {}).get("owner", 0)

    @task
    def edit(self) -> None:
        email = next(OWNER_EMAILS, None)
        if email is None:  # each owner's email is used once (the app sends at most 3 links an hour to one)
            gevent.sleep(5)
            return
        self.move()
        self.client.cookies.clear()
        page = self.call("GET", "/manage/", "owner link request GET")
        if page is None:
            return
        seen = len(mail_for(MAIL, email))
        fields = [*Form(page.text).fields(""), ("email", email)]
        if self.call("POST", "/manage/", "owner link request POST", data=fields) is None:
            return
        link = self.wait_for_mail(email, seen, LINK["manage"], "owner link email (wait)")
        if link is None:
            return
        page = self.call("GET", link, "owner link open GET")
        if page is None or self.call("POST", link, "owner link open POST", data=Form(page.text).fields("")) is None:
            return
        page = self.call("GET", "/manage/edit/", "owner edit GET")
        if page is None:
            return
        name = f"Drill Owner Edit {next(SERIAL)}"
        fields = [(k, name if k == "owner_name" else v) for k, v in Form(page.text).fields("/manage/edit/")]
        answer = self.call(
            "POST", "/manage/edit/", "owner edit POST", data=fields, allow_redirects=False, ok=_redirect_to("/manage/")
        )
        if answer is not None:
            acknowledge("owner_edit", email=email, owner_name=name)


def _form(response) -> list[tuple[str, str]]:
    return Form(response.text).fields("")


def _redirect_to(ending: str):
    return lambda r: r.status_code == 302 and r.headers.get("Location", "").endswith(ending)


class Investigator(Visitor):
    """Signed in once through the real pages; then searches, chooses cameras and requests their footage."""

    fixed_count = PLAN.get("users", {}).get("investigator", 0)

    def on_start(self) -> None:
        self.account = next(INVESTIGATORS)
        self.cases = itertools.count(1)
        self.signed_in = False

    def sign_in(self) -> bool:
        """Password, then the authenticator's code; False (and a wait for the next code) if it failed."""
        account = self.account
        page = self.call("GET", "/staff/sign-in/", "staff sign-in GET")
        fields = {"acknowledge": "on", "username": account["username"], "password": account["password"]}
        answer = page and self.call(
            "POST", "/staff/sign-in/", "staff sign-in POST", data=[*_form(page), *fields.items()]
        )
        if not answer:
            return False  # no code used yet: the next try may come at once
        code = totp(account["key"], account["step"], account["t0"], account["digits"])
        fields = [*_form(answer), ("method", "totp"), ("code", code)]
        done = self.call(
            "POST", answer.url, "staff sign-in code POST", data=fields, ok=lambda r: r.url.endswith("/staff/")
        )
        self.signed_in = done is not None
        if not self.signed_in:
            gevent.sleep(self.account["step"] + 1)  # a code is good once: the next sign-in needs the next one
        return self.signed_in

    @task
    def request_footage(self) -> None:
        if not self.signed_in and not self.sign_in():
            return
        case_number = f"SCALE-{self.account['username']}-{next(self.cases)}"
        page = self.call("GET", "/staff/canvass/", "search GET", ok=_still_signed_in(self))
        if page is None:
            return
        place = random.choice(PLAN["places"])  # noqa: S311 - load, not security
        fields = {**dict(Form(page.text).fields("")), **PLAN["search"], **place, "case_number": case_number}
        results = self.call("POST", "/staff/canvass/", "search POST", data=fields, ok=_still_signed_in(self))
        if results is None:
            return
        choices = [(a, f) for a, f in Form(results.text).forms if a.endswith("/cameras/")]
        if not choices:
            self.waited("search results", time.perf_counter(), "no camera in the results")
            return
        for action, fields in random.sample(choices, min(2, len(choices))):  # noqa: S311 - load, not security
            if self.call("POST", action, "choose camera POST", data=fields, ok=_still_signed_in(self)) is None:
                return
        case_page = (
            choices[0][0].replace("/staff/canvass/cases/", "/footage/staff/cases/").replace("/cameras/", "/requests/")
        )
        page = self.call("GET", case_page, "footage request GET", ok=_still_signed_in(self))
        if page is None:
            return
        fields = Form(page.text).fields("")
        fields = [*fields, *[("cameras", v) for v in re.findall(r'name="cameras" value="(\d+)"', page.text)]]
        answer = self.call(
            "POST", case_page, "footage request POST", data=fields, allow_redirects=False, ok=_redirect_to(case_page)
        )
        if answer is not None:
            acknowledge("footage_request", case_number=case_number)


def _still_signed_in(user: Investigator):
    def ok(response) -> bool:
        if "/staff/sign-in/" in response.url:
            user.signed_in = False
            return False
        return response.status_code < 400

    return ok


class Uploader(Visitor):
    """An owner who received a footage-request email: opens its link and sends one clip."""

    fixed_count = PLAN.get("users", {}).get("uploader", 0)

    def claim(self) -> str | None:
        for path in sorted((MAIL / "footage-links").glob("*.txt")):
            claimed = MAIL / "footage-claimed" / path.name
            try:
                path.rename(claimed)  # atomic: one uploader per request
            except FileNotFoundError:
                continue
            return claimed.read_text().strip()
        return None

    @task
    def upload(self) -> None:
        link = self.claim()
        if link is None:
            gevent.sleep(1)
            return
        self.move()
        self.client.cookies.clear()
        page = self.call("GET", link, "footage link GET")
        if page is None:
            return
        answer = self.call("POST", link, "footage link POST", data=Form(page.text).fields(""))
        if answer is None:
            return
        public_id = link.split("/")[3]
        clip = mp4_start() + os.urandom(PLAN.get("upload_bytes", 3 << 20))
        digest = hashlib.sha256(clip).hexdigest()
        token = dict(Form(answer.text).fields("/upload/")).get("csrfmiddlewaretoken", "")
        done = self.call(
            "POST",
            f"/footage/answer/{public_id}/upload/",
            "evidence upload POST",
            data={"csrfmiddlewaretoken": token},
            files={"files": ("clip.mp4", clip, "video/mp4")},
            ok=lambda r: r.status_code == 200,
        )
        if done is not None:
            acknowledge("upload", public_id=public_id, sha256=digest, size=len(clip))
