"""No input answers with a 500: every URL pattern, every role, hostile path and form values.

The URL patterns are read from the resolver, so a new view is covered without a new test.
Each example visits every pattern once per role (anonymous, an MFA-verified administrator
of Maple Falls, an owner whose session also holds a footage request) with path parameters
and GET/POST parameters drawn from hostile values. The clients answer a crash with its 500
instead of raising it, so the status is what is checked.

The values come from a seeded generator: one walk per role in the quick test, three more
(NEVER_500_SLOW_EXAMPLES) in the slow one; NEVER_500_SEED repeats the walk a failure names. After the walker, the known forms get the exact values a probe used.
"""

from __future__ import annotations

import datetime
import os
import random
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from footage.models import FootageRequest
from owners.middleware import OWNER_SESSION_KEY
from registrations.models import Registration
from tests.canvass.helpers import form_data as search_form_data
from tests.footage.helpers import make_request, owner_of
from tests.owners.helpers import owner_client
from tests.staff_fixtures import make_staff, staff_client

HUGE = "99999999999999999999"
NESTED_5K = "[" * 5000
NESTED_100K = "[" * 100_000
LONG = "x" * 100_000

HOSTILE_PATH_VALUES = [
    HUGE,
    "9223372036854775808",
    "9223372036854775807",
    "18446744073709551616",
    "-1",
    "0",
    "007",
    "1" * 5000,
    "²",
    "١٢٣",
    "ñandú",
    "../",
    "../../etc/passwd",
    "\x00",
    "a\x00b",
    "x" * 5000,
    "%",
    " ",
    "1e5",
    "null",
    "00000000-0000-0000-0000-000000000000",
]

HOSTILE_VALUES = [
    NESTED_5K,
    "[[[[",
    "]" * 100,
    "{" * 5000,
    '{"type": "Polygon", "coordinates": ' + "[" * 5000,
    "[" * 50 + "]" * 50,
    "[]",
    "[[1, 2]]",
    "[[1e309, 2], [3, 4], [5, 6]]",
    '[["a", "b"], [null, true], [{}, []]]',
    HUGE,
    "-" + HUGE,
    "9223372036854775808",
    "1" * 5000,
    "1e309",
    "NaN",
    "-Infinity",
    "",
    " ",
    "\x00",
    "²",
    "١٢",
    "0",
    "-1",
    "true",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "ñandú 漢字 🙂",
    LONG,
    "2025-13-45T99:99",
    "9999-12-31T23:59",
]

# Names every form of the project uses, plus a few parameters read straight from request.GET/POST.
EXTRA_NAMES = ["page", "q", "agency", "action", "search_id", "camera_id", "next", "change_sheet", "add_camera"]


def _form_field_names() -> list[str]:
    names: set[str] = set(EXTRA_NAMES)
    pending = [forms.Form, forms.ModelForm]
    seen = set()
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            pending.append(sub)
            if sub.__module__.split(".")[0] in {"django", "django_otp"}:
                continue
            for name in getattr(sub, "base_fields", {}):
                names.update({name, f"cameras-0-{name}"})
    names.update({"cameras-TOTAL_FORMS", "cameras-INITIAL_FORMS", "cameras-MIN_NUM_FORMS", "cameras-MAX_NUM_FORMS"})
    return sorted(names)


FILE_FIELDS = ["file", "boundary_file", "files"]


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "/staff/canvass/cases/{case_id}/"
    parameters: tuple[str, ...]


def _walk(patterns, prefix: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        piece = _template(entry.pattern)
        if isinstance(entry, URLResolver):
            routes.extend(_walk(entry.url_patterns, prefix + piece))
        elif isinstance(entry, URLPattern):
            template = "/" + prefix + piece
            routes.append(Route(template, tuple(re.findall(r"\{(\w+)\}", template))))
    return routes


def _template(pattern) -> str:
    text = str(pattern)
    if hasattr(pattern, "converters") and not text.startswith("^"):
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
    # A regular expression (the admin's, i18n): named groups become parameters, anchors and
    # other syntax are dropped; the URL may then not match, which is fine for this test.
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
    return re.sub(r"[\^$?*+()|\\]", "", text)


ROUTES = sorted(set(_walk(get_resolver().url_patterns)), key=lambda route: route.template)


def test_the_walker_finds_the_views():
    templates = {route.template for route in ROUTES}
    assert "/staff/canvass/cases/{case_id}/cameras/{camera_id}/remove/" in templates
    assert "/staff/admin/settings/" in templates
    assert "/manage/edit/" in templates
    assert len(ROUTES) > 50


class World:
    """The town, one footage request, and a way to get a fresh client for each role."""

    def __init__(self, town) -> None:
        self.town = town
        self.administrator = make_staff(town["maple"], "administrator")
        self.footage_request = make_request(town["maple"])
        self.path_values = list(HOSTILE_PATH_VALUES)
        for model in (Registration, FootageRequest):
            self.path_values.extend(str(value) for value in model.objects.values_list("public_id", flat=True)[:2])
        self.path_values.extend(
            [str(self.footage_request.pk), str(self.footage_request.case_id), str(self.administrator.pk), "1"]
        )

    def client(self, role: str) -> Client:
        client = Client(raise_request_exception=False)
        if role == "administrator":
            return staff_client(client, self.administrator)
        if role == "owner":
            registration = Registration.objects.get(pk=self.footage_request.registration_id)
            owner_of(self.footage_request, owner_client(registration, client))
        return client

    def still_signed_in(self, role: str, client: Client) -> bool:
        key = {"administrator": "_auth_user_id", "owner": OWNER_SESSION_KEY}.get(role)
        return key is None or key in client.session


@pytest.fixture
def world(town) -> World:
    return World(town)


ROLES = ["anonymous", "administrator", "owner"]


class Draw:
    """Hostile values from a seeded generator: a walk is bounded, and its seed reproduces it.

    (Hypothesis drew these before; a whole walk overran its choice buffer, so most examples were
    thrown away after visiting half the views and retried: one slow example took over 20 minutes.)
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def text(self, max_size: int) -> str:
        def character() -> str:
            if self.rng.random() < 0.6:
                return chr(self.rng.randrange(32, 127))
            code = self.rng.randrange(0, 0x110000)
            return chr(code) if not 0xD800 <= code <= 0xDFFF else "\ufffd"

        return "".join(character() for _ in range(self.rng.randrange(max_size + 1)))

    def value(self) -> str:
        kind = self.rng.randrange(3)
        if kind == 0:
            return self.rng.choice(HOSTILE_VALUES)
        if kind == 1:
            return self.text(40)
        return str(self.rng.randint(-(2**70), 2**70))

    def parameters(self, names: list[str]) -> dict:
        params: dict = {}
        for _ in range(self.rng.randrange(7)):
            many = self.rng.random() < 0.3
            params[self.rng.choice(names)] = (
                [self.value() for _ in range(self.rng.randint(2, 3))] if many else self.value()
            )
        return params

    def hostile_file(self) -> SimpleUploadedFile:
        name = self.rng.choice(["x.csv", "../../b.geojson", "clip.mp4", "\x00.xlsx", "ñ" * 300 + ".csv"])
        content = self.rng.choice([NESTED_5K.encode(), b"", b"PK\x03\x04" + b"\x00" * 64, bytes(range(256))])
        return SimpleUploadedFile(name, content)


def _visit_everything(world: World, role: str, seed: int) -> None:
    draw = Draw(seed)
    names = _form_field_names()
    failures = []
    client = world.client(role)
    routes = list(ROUTES)
    draw.rng.shuffle(routes)
    for route in routes:
        values = {
            name: quote(draw.rng.choice(world.path_values) if draw.rng.random() < 0.7 else draw.text(30), safe="")
            for name in route.parameters
        }
        path = route.template.format(**values)
        method = draw.rng.choice(["get", "post"])
        params = draw.parameters(names)
        if method == "post" and draw.rng.random() < 0.5:
            params[draw.rng.choice(FILE_FIELDS)] = draw.hostile_file()
        response = getattr(client, method)(path, params)
        # /readyz answers 503 by design while a component (here: the worker) is not ready: its JSON report, no error.
        readiness_report = path == "/readyz" and response.status_code == 503 and "failed" in response.json()
        if response.status_code >= 500 and not readiness_report:
            failures.append(f"{method.upper()} {path} {_short(params)} -> {response.status_code}")
        if not world.still_signed_in(role, client):
            client = world.client(role)  # keep the role's session for the next views
    assert not failures, f"{len(failures)} answers of 500 or more as {role} (seed {seed}):\n" + "\n".join(failures)


def _short(params: dict) -> dict:
    return {
        key: (repr(value)[:80] if not isinstance(value, SimpleUploadedFile) else value.name)
        for key, value in params.items()
    }


# NEVER_500_SEED repeats one walk (a failure names its seed). Otherwise the seeds come from the
# date: every worker of a run collects the same tests, and the suite walks differently each day.
_SEED = os.environ.get("NEVER_500_SEED")
_DAY = int(datetime.date.today().strftime("%Y%m%d"))
QUICK_SEEDS = [int(_SEED)] if _SEED else [_DAY]
SLOW_SEEDS = (
    [int(_SEED)] if _SEED else [_DAY * 10 + n for n in range(int(os.environ.get("NEVER_500_SLOW_EXAMPLES", "3")))]
)


@pytest.mark.slow
@pytest.mark.parametrize("seed", QUICK_SEEDS)
@pytest.mark.parametrize("role", ROLES)
def test_no_view_answers_hostile_input_with_a_500(world, role, seed):
    _visit_everything(world, role, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SLOW_SEEDS)
@pytest.mark.parametrize("role", ROLES)
def test_no_view_answers_hostile_input_with_a_500_many_examples(world, role, seed):
    _visit_everything(world, role, seed)


# ---- The known forms, with the exact values the probe used ------------------------------------


def _no_crash(response, *allowed: int) -> str:
    assert response.status_code < 500, response.status_code
    if allowed:
        assert response.status_code in allowed, response.status_code
    return response.content.decode(errors="replace")


@pytest.fixture
def administrator(world) -> Client:
    return world.client("administrator")


@pytest.mark.parametrize("area_kind", ["radius", "polygon", "route"])
@pytest.mark.parametrize("vertices", [NESTED_5K, "[" * 5000 + "]" * 5000, "[[" + "1" * 5000 + ", 2]]", LONG])
def test_the_canvass_search_refuses_hostile_vertices_with_a_message(administrator, town, area_kind, vertices):
    data = search_form_data(town["maple"], area_kind=area_kind, vertices=vertices, corridor_m="50")
    text = _no_crash(administrator.post("/staff/canvass/", data), 400)
    assert "drawn shape" in text or "shape" in text


@pytest.mark.parametrize("field", ["radius_m", "corridor_m", "latitude", "longitude", "offense_type"])
def test_the_canvass_search_refuses_huge_numbers(administrator, town, field):
    data = search_form_data(town["maple"], area_kind="route", corridor_m="50", vertices="[[1, 2], [3, 4]]")
    data[field] = HUGE
    _no_crash(administrator.post("/staff/canvass/", data), 400)


def test_a_huge_camera_id_in_the_remove_url_is_not_found(administrator, world):
    case_id = world.footage_request.case_id
    response = administrator.post(f"/staff/canvass/cases/{case_id}/cameras/{HUGE}/remove/")
    _no_crash(response, 404)
    assert administrator.post(f"/staff/canvass/cases/{HUGE}/cameras/1/remove/").status_code == 404


@pytest.mark.parametrize("value", [HUGE, "-1", "0", "²", "1" * 5000, NESTED_5K])
def test_the_case_camera_form_refuses_hostile_ids(administrator, world, value):
    case_id = world.footage_request.case_id
    response = administrator.post(f"/staff/canvass/cases/{case_id}/cameras/", {"camera_id": value, "search_id": value})
    _no_crash(response, 302, 400)


@pytest.mark.parametrize(
    "content",
    [NESTED_100K.encode(), ("{" * 100_000).encode(), b'{"type": "Polygon", "coordinates": ' + NESTED_5K.encode()],
)
def test_a_deeply_nested_boundary_file_is_refused_with_a_message(administrator, content):
    upload = SimpleUploadedFile("boundary.geojson", content, content_type="application/geo+json")
    text = _no_crash(
        administrator.post("/staff/admin/settings/", {"action": "boundary", "boundary_file": upload}), 200, 400
    )
    assert "nested" in text


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "1" * 5000, "1e309", "²", NESTED_5K])
def test_the_agency_settings_refuse_huge_numbers(administrator, town, value):
    fields = [
        "max_search_window_hours",
        "default_search_radius_m",
        "max_search_radius_m",
        "reconfirm_interval_months",
        "request_expiry_days",
        "audit_retention_days",
    ]
    data = {"action": "settings", **{name: getattr(town["maple"], name) for name in fields}}
    for name in fields:
        _no_crash(administrator.post("/staff/admin/settings/", {**data, name: value}), 200, 400)
    _no_crash(administrator.post("/staff/admin/settings/", {"action": NESTED_5K}), 200, 400)
    _no_crash(administrator.post("/staff/admin/settings/offense-types/" + HUGE + "/deactivate/"), 404)


@pytest.mark.parametrize("content", [NESTED_100K.encode(), b"\x00" * 1000, b"PK\x03\x04" + b"\x00" * 100, b""])
def test_the_import_upload_refuses_hostile_files(administrator, content):
    upload = SimpleUploadedFile("../../" + "ñ" * 300 + ".csv", content)
    _no_crash(administrator.post("/staff/admin/import/", {"file": upload}), 200, 302, 400)
    _no_crash(administrator.post("/staff/admin/import/", {"file": NESTED_5K}), 200, 400)


def _registration_data(town, **overrides) -> dict:
    from tests.registrations.helpers import form_data

    return form_data(town["maple"].current_terms().pk, **overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"terms_version": HUGE},
        {"terms_version": "-1"},
        {"latitude": HUGE, "longitude": "-" + HUGE},
        {"latitude": "1e309", "longitude": "NaN"},
        {"cameras-0-range_m": HUGE, "cameras-0-retention_days": "1" * 5000, "cameras-0-bearing_degrees": HUGE},
        {"cameras-TOTAL_FORMS": HUGE},
        {"cameras-TOTAL_FORMS": "1" * 5000, "add_camera": "1"},
        {"cameras-TOTAL_FORMS": "²", "add_camera": "1"},
        {"form_nonce": NESTED_5K, "owner_name": LONG},
    ],
)
@pytest.mark.slow
def test_the_registration_form_refuses_hostile_values(town, overrides):
    client = Client(raise_request_exception=False)
    _no_crash(client.post("/register/", _registration_data(town, **overrides)), 200, 302, 400)


@pytest.mark.parametrize(
    "overrides",
    [
        {"cameras-0-camera_id": HUGE},
        {"cameras-0-camera_id": "9223372036854775808"},
        {"cameras-0-bearing_degrees": "1" * 5000, "cameras-0-range_m": HUGE},
        {"cameras-TOTAL_FORMS": "1" * 5000, "add_camera": "1"},
        {"cameras-TOTAL_FORMS": "²", "add_camera": "1"},
        {"cameras-TOTAL_FORMS": HUGE},
    ],
)
@pytest.mark.slow
def test_the_owner_edit_form_refuses_hostile_values(world, overrides):
    from tests.owners.test_self_service import edit_data

    registration = Registration.objects.get(pk=world.footage_request.registration_id)
    owner = world.client("owner")
    _no_crash(owner.post("/manage/edit/", edit_data(registration, **overrides)), 200, 302, 400)
    assert owner.post("/manage/consent/", {"terms_version": HUGE, "consent": "on"}).status_code < 500
