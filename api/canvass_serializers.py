"""Input and output of the canvass search operations (also used by the incident intake)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from agencies.models import SEARCH_RADIUS_LIMIT_M
from api.base import QueryInput, QueryInteger
from canvass import services as canvass_services
from canvass.models import AreaKind

# What a list in a body may hold before the service looks at it (the service's own limits are lower).
MAX_LIST_ITEMS = 1000
PAGE_SIZE = 50
MAX_PAGE = 10_000


class StrictCharField(serializers.CharField):
    """Text only: a number or boolean sent for text is an error, not silently turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "minLength": 1, "maxLength": 100}],
        "description": "The offense type's id, or its name as on your department's list (any case).",
        "example": "Burglary",
    }
)
class OffenseTypeField(serializers.Field):
    default_error_messages = {"invalid": "Give the offense type's id (a whole number) or its name."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        if isinstance(data, str):
            text = data.strip()
            if not text or len(text) > 100 or "\x00" in text:
                self.fail("invalid")
            return text
        return data

    def to_representation(self, value):
        return value


class NumberField(serializers.FloatField):
    """A JSON number: true/false and numbers written as text are refused, not read as 1, 0 or the number."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class WholeNumberField(serializers.IntegerField):
    """A JSON integer in a body: true/false, 5.0 and "5" are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class Coordinate(NumberField):
    """One number of a [longitude, latitude] pair (finite; the shape's own checks come from the service)."""


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        "maxItems": canvass_services.MAX_POLYGON_VERTICES + 1,
        "description": "Points as [longitude, latitude] (GeoJSON order)",
    }
)
class PointList(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(
            child=serializers.ListField(child=Coordinate(), min_length=2, max_length=2),
            max_length=MAX_LIST_ITEMS,
            **kwargs,
        )


class PlaceInput(serializers.Serializer):
    address = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Geocoded through the department's address table, as on the search page",
    )
    latitude = NumberField(required=False, min_value=-90, max_value=90)
    longitude = NumberField(required=False, min_value=-180, max_value=180)

    def validate(self, attrs):
        has_lat, has_lon = "latitude" in attrs, "longitude" in attrs
        if has_lat != has_lon:
            raise serializers.ValidationError("Give both latitude and longitude, or neither.")
        if not has_lat and not (attrs.get("address") or "").strip():
            raise serializers.ValidationError("Give the incident's place: an address, or latitude and longitude.")
        return attrs


@extend_schema_field(
    {
        "type": "object",
        "description": "An address (geocoded as on the search page), or latitude and longitude (WGS 84)",
        "properties": {
            "address": {"type": "string", "maxLength": 200},
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        },
        "anyOf": [{"required": ["address"]}, {"required": ["latitude", "longitude"]}],
        "example": {"address": "407 Maple Ave"},
    }
)
class PlaceField(serializers.Field):
    """PlaceInput as one field: its problems are named `place` or `place.<part>`."""

    def to_internal_value(self, data):
        place = PlaceInput(data=data)
        if place.is_valid():
            return place.validated_data
        errors = dict(place.errors)
        whole = errors.pop("non_field_errors", [])
        raise serializers.ValidationError(errors or whole)

    def to_representation(self, value):
        return value


def _whole_metres_schema(minimum: int, maximum: int) -> dict:
    """A length in whole metres as canvass.services checks it (150.0 is 150, 150.5 is refused), within bounds no
    agency setting exceeds; omitted for the default. Not nullable: OpenAPI 3.0's nullable becomes an anyOf with
    null, which schemathesis 4.32's coverage phase pins to bogus bounds (it called radius_m 2 "greater than
    maximum")."""
    return {"type": "number", "minimum": minimum, "maximum": maximum, "multipleOf": 1}


@extend_schema_field(_whole_metres_schema(canvass_services.MIN_RADIUS_M, SEARCH_RADIUS_LIMIT_M))
class RadiusField(NumberField):
    """A radius; the service checks it against the agency's own maximum, with the search page's message."""


@extend_schema_field(_whole_metres_schema(canvass_services.MIN_CORRIDOR_M, canvass_services.MAX_CORRIDOR_M))
class CorridorField(NumberField):
    """A route's corridor, either side; the service checks it whenever it is given."""


def window_field(help_text: str) -> serializers.DateTimeField:
    return serializers.DateTimeField(default_timezone=dt.UTC, help_text=help_text)


def area_fields() -> dict:
    return {
        "radius_m": RadiusField(
            required=False,
            help_text=(
                f"Whole metres, {canvass_services.MIN_RADIUS_M} to your department's maximum search radius "
                f"(an agency setting, {SEARCH_RADIUS_LIMIT_M} at most); without one, the department's default radius."
            ),
        ),
        "polygon": PointList(required=False, help_text="A drawn area"),
        "route": PointList(required=False, help_text="A route; cameras within corridor_m of it"),
        "corridor_m": CorridorField(
            required=False,
            help_text=(
                f"For a route: whole metres either side, {canvass_services.MIN_CORRIDOR_M} to "
                f"{canvass_services.MAX_CORRIDOR_M} (default {canvass_services.DEFAULT_CORRIDOR_M})"
            ),
        ),
    }


class AreaMixin:
    def validate(self, attrs):
        if attrs.get("polygon") and attrs.get("route"):
            raise serializers.ValidationError({"route": "Give a polygon or a route, not both."})
        return attrs


def area_request(data: dict) -> canvass_services.AreaRequest:
    """The service's AreaRequest; [lon, lat] points become the service's (lat, lon)."""
    for kind, key in ((AreaKind.POLYGON, "polygon"), (AreaKind.ROUTE, "route")):
        if data.get(key):
            vertices = [[lat, lon] for lon, lat in data[key]]
            return canvass_services.AreaRequest(
                kind=kind, radius_m=data.get("radius_m"), corridor_m=data.get("corridor_m"), vertices=vertices
            )
    # Both lengths go to the service, which checks a given one whatever the kind (as the search page does).
    return canvass_services.AreaRequest(
        kind=AreaKind.RADIUS, radius_m=data.get("radius_m"), corridor_m=data.get("corridor_m")
    )


@extend_schema_serializer(component_name="Search")
class SearchInput(AreaMixin, serializers.Serializer):
    case_number = StrictCharField(max_length=100, help_text="Created for your agency if new; 1 to 40 characters")
    offense_type = OffenseTypeField()
    place = PlaceField()
    window_start = window_field(
        "ISO 8601; without an offset, UTC. The window is at most your department's maximum (24 hours by default)"
    )
    window_end = window_field("ISO 8601; after window_start")
    radius_m = area_fields()["radius_m"]
    polygon = area_fields()["polygon"]
    route = area_fields()["route"]
    corridor_m = area_fields()["corridor_m"]


class PageInput(QueryInput):
    page = QueryInteger(
        required=False, min_value=1, max_value=MAX_PAGE, help_text=f"{PAGE_SIZE} addresses a page, as on the page"
    )


@extend_schema_serializer(component_name="Reason")
class ReasonOutput(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    points = serializers.FloatField()


@extend_schema_serializer(component_name="RankedCamera")
class RankedCameraOutput(serializers.Serializer):
    camera_id = serializers.IntegerField()
    title = serializers.CharField()
    distance_m = serializers.IntegerField()
    score = serializers.FloatField()
    verdict = serializers.ChoiceField(choices=["sees", "might", "away", "unknown"])
    verdict_words = serializers.CharField()
    reasons = ReasonOutput(many=True)
    facing = serializers.CharField()
    bearing_degrees = serializers.IntegerField(allow_null=True)
    range_m = serializers.IntegerField(allow_null=True)
    retention_days = serializers.IntegerField()
    keeps_video = serializers.CharField()
    footage_likely_kept = serializers.BooleanField()
    overwritten_after = serializers.DateTimeField(help_text="Footage of the window's start is probably gone after")
    urgent = serializers.BooleanField()
    chosen = serializers.BooleanField(help_text="Already chosen for the case")


@extend_schema_serializer(component_name="RankedAddress")
class RankedAddressOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    registration = serializers.UUIDField(help_text="The registration's public id")
    address = serializers.CharField()
    business_name = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    notes_for_detectives = serializers.CharField()
    urgent = serializers.BooleanField()
    cameras = RankedCameraOutput(many=True)


@extend_schema_serializer(component_name="SearchArea")
class AreaOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AreaKind.choices)
    radius_m = serializers.IntegerField(allow_null=True)
    corridor_m = serializers.IntegerField(allow_null=True)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField()
    geometry = serializers.DictField(help_text="GeoJSON Polygon or LineString; empty for a radius")


@extend_schema_serializer(component_name="SearchResults")
class SearchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.DictField(help_text="id and case_number")
    created_at = serializers.DateTimeField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    area = AreaOutput()
    total = serializers.IntegerField(help_text="Addresses found")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    page_size = serializers.IntegerField()
    results = RankedAddressOutput(many=True)


# ---- The answer as SearchOutput would give it, without walking the serializer tree ------------------------
#
# SearchOutput stays the documented schema (extend_schema) and the reference: one page of a large search is about
# 170 cameras with their reasons, and DRF's field-by-field to_representation took longer than the search itself.
# These builders apply each field's own conversion (int, float, str, bool, choice, DRF's datetime format) and
# DRF's rule that a None value is None; tests/api/test_canvass_output.py proves their output identical to
# SearchOutput(...).data on real searches.

_DATETIME = serializers.DateTimeField()
_BOOLEAN = serializers.BooleanField()


def _choice_strings(serializer: type[serializers.Serializer], name: str) -> dict[str, object]:
    return serializer._declared_fields[name].choice_strings_to_values  # type: ignore[attr-defined]


_VERDICTS = _choice_strings(RankedCameraOutput, "verdict")
_AREA_KINDS = _choice_strings(AreaOutput, "kind")


def _choice(value: object, strings: dict[str, object]) -> object:
    """ChoiceField.to_representation."""
    if value in ("", None):
        return value
    if isinstance(value, Enum) and str(value) != str(value.value):
        value = value.value
    return strings.get(str(value), value)


def _boolean(value: object) -> object:
    return value if value is True or value is False else _BOOLEAN.to_representation(value)


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _dict(value: dict | None) -> dict | None:
    """DictField of an unvalidated child: keys as text, values as they are."""
    return None if value is None else {str(key): item for key, item in value.items()}


class _Datetimes:
    """DateTimeField.to_representation of each distinct moment once (a page's cameras share a few)."""

    def __init__(self) -> None:
        self._seen: dict[object, object] = {}

    def __call__(self, value: object) -> object:
        if value is None:
            return None
        try:
            return self._seen[value]
        except KeyError:
            text = self._seen[value] = _DATETIME.to_representation(value)
            return text


def _reason_output(reason: dict) -> dict:
    return {"code": _text(reason["code"]), "text": _text(reason["text"]), "points": _float(reason["points"])}


def camera_output(camera: dict, datetimes: _Datetimes) -> dict:
    """RankedCameraOutput(camera).data"""
    reasons = camera["reasons"]
    return {
        "camera_id": _int(camera["camera_id"]),
        "title": _text(camera["title"]),
        "distance_m": _int(camera["distance_m"]),
        "score": _float(camera["score"]),
        "verdict": _choice(camera["verdict"], _VERDICTS),
        "verdict_words": _text(camera["verdict_words"]),
        "reasons": None if reasons is None else [_reason_output(reason) for reason in reasons],
        "facing": _text(camera["facing"]),
        "bearing_degrees": _int(camera["bearing_degrees"]),
        "range_m": _int(camera["range_m"]),
        "retention_days": _int(camera["retention_days"]),
        "keeps_video": _text(camera["keeps_video"]),
        "footage_likely_kept": _boolean(camera["footage_likely_kept"]),
        "overwritten_after": datetimes(camera["overwritten_after"]),
        "urgent": _boolean(camera["urgent"]),
        "chosen": _boolean(camera["chosen"]),
    }


def address_output(address: dict, datetimes: _Datetimes, camera=camera_output) -> dict:
    """RankedAddressOutput(address).data; `camera` builds each camera (the incident adds its footage)."""
    cameras = address["cameras"]
    registration = address["registration"]
    return {
        "rank": _int(address["rank"]),
        "registration": None if registration is None else str(registration),
        "address": _text(address["address"]),
        "business_name": _text(address["business_name"]),
        "latitude": _float(address["latitude"]),
        "longitude": _float(address["longitude"]),
        "notes_for_detectives": _text(address["notes_for_detectives"]),
        "urgent": _boolean(address["urgent"]),
        "cameras": None if cameras is None else [camera(item, datetimes) for item in cameras],
    }


def area_output(area: dict) -> dict:
    """AreaOutput(area).data"""
    return {
        "kind": _choice(area["kind"], _AREA_KINDS),
        "radius_m": _int(area["radius_m"]),
        "corridor_m": _int(area["corridor_m"]),
        "latitude": _float(area["latitude"]),
        "longitude": _float(area["longitude"]),
        "address": _text(area["address"]),
        "geometry": _dict(area["geometry"]),
    }


def search_output(body: dict, address=address_output) -> dict:
    """SearchOutput(body).data, built directly; `address` builds each result row."""
    datetimes = _Datetimes()
    results, area = body["results"], body["area"]
    return {
        "id": _int(body["id"]),
        "case": _dict(body["case"]),
        "created_at": datetimes(body["created_at"]),
        "window_start": datetimes(body["window_start"]),
        "window_end": datetimes(body["window_end"]),
        "area": None if area is None else area_output(area),
        "total": _int(body["total"]),
        "page": _int(body["page"]),
        "pages": _int(body["pages"]),
        "page_size": _int(body["page_size"]),
        "results": None if results is None else [address(row, datetimes) for row in results],
    }
