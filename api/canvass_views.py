"""Canvass searches: run one (POST), read its ranked results again, and as GeoJSON.

Everything is decided by canvass.services (the same checks, bounds, forbidden purposes and audit as the
search page); these views only translate JSON to the service's arguments and its answers to JSON.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from api.base import ApiView, JsonApiView, service_errors
from api.canvass_serializers import PAGE_SIZE, PageInput, SearchInput, SearchOutput, area_request, search_output
from api.case_selectors import chosen_camera_ids, offense_type_reference
from api.openapi import problems
from api.problems import ProblemException
from api.renderers import JSONRenderer
from cameraregistry.gc_pause import cyclic_gc_paused
from canvass import exports, grouping
from canvass import selectors as canvass_selectors
from canvass import services as canvass_services
from canvass.models import AreaKind
from registrations.geocoding import geocode

# Where each of the search service's error keys is in the request body.
SEARCH_FIELDS = {
    "case_number": "case_number",
    "offense_type": "offense_type",
    "place": "place",
    "window": "window_start",
    "radius_m": "radius_m",
    "corridor_m": "corridor_m",
    "area_kind": "polygon",
}


def search_fields(kind: str) -> dict[str, str]:
    return {**SEARCH_FIELDS, "vertices": "route" if kind == AreaKind.ROUTE else "polygon"}


def resolve_place(data: dict, field: str = "place") -> canvass_services.Place:
    """The incident place as the search page reads it: a point as given, else the address geocoded.

    An address the table lacks is a 422 problem with the page's message and its nearest addresses.
    """
    address = (data.get("address") or "").strip()
    if "latitude" in data:
        return canvass_services.Place(data["latitude"], data["longitude"], address)
    found = geocode(address)
    if found.point is not None:
        return canvass_services.Place(found.point.latitude, found.point.longitude, found.point.address)
    names = "; ".join(point.address for point in found.suggestions)
    hint = f" Did you mean: {names}?" if names else " Check the spelling or give latitude and longitude."
    message = f"The address “{address}” was not found.{hint}"
    raise ProblemException(
        422,
        message,
        errors=[{"field": f"{field}.address", "message": message}],
        suggestions=[
            {"address": point.address, "latitude": point.latitude, "longitude": point.longitude}
            for point in found.suggestions
        ],
    )


def _camera(row: grouping.CameraRow) -> dict:
    item, facts = row.item, row.item.camera
    return {
        "camera_id": facts.camera_id,
        "title": row.title,
        "distance_m": round(item.distance_m),
        "score": item.score,
        "verdict": row.verdict,
        "verdict_words": row.verdict_words,
        "reasons": [{"code": r.code, "text": r.text, "points": r.points} for r in item.reasons],
        "facing": row.facing,
        "bearing_degrees": facts.bearing_degrees,
        "range_m": facts.range_m,
        "retention_days": facts.retention_days,
        "keeps_video": row.kept,
        "footage_likely_kept": item.footage_likely_kept,
        "overwritten_after": item.overwritten_after,
        "urgent": item.urgent,
        "chosen": row.chosen,
    }


def _address(row: grouping.AddressRow) -> dict:
    best = row.best.item.camera
    return {
        "rank": row.rank,
        "registration": row.detail.registration_public_id,
        "address": row.address,
        "business_name": row.detail.business_name,
        "latitude": best.latitude,
        "longitude": best.longitude,
        "notes_for_detectives": row.notes,
        "urgent": row.urgent,
        "cameras": [_camera(camera) for camera in row.cameras],
    }


def addresses_page(result: canvass_services.SearchResult, case, page: int) -> tuple[list[grouping.AddressRow], int]:
    """One page of the result's addresses, numbered and worded as the results page's group_by_address would
    (agency units in the reasons), and how many addresses there are in all.

    Only the page's registrations have their details read: an API page is 50 addresses of hundreds.
    """
    order = grouping.registration_order(result)
    first = (page - 1) * PAGE_SIZE
    ranks = {registration_id: first + n for n, registration_id in enumerate(order[first : first + PAGE_SIZE], 1)}
    if not ranks:
        return [], len(order)
    exports.in_units(result, case.agency.length_units)
    details = result.details_of(ranks)
    return grouping.address_page(result, ranks, details, chosen_camera_ids(case)), len(order)


def address_count(result: canvass_services.SearchResult) -> int:
    """How many addresses the result ranks (what search_answer calls `total`)."""
    return len(grouping.registration_order(result))


def search_answer(user, result: canvass_services.SearchResult, page: int) -> dict:
    """One page of a search's results (PAGE_SIZE addresses, like the results page); past the last page, 404."""
    search = result.search
    shown, total = addresses_page(result, search.case, page)
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        raise Http404("No such page of results.")
    grouping.with_notes(shown, result.notes_of(user, [row.registration_id for row in shown]))
    return {
        "id": search.pk,
        "case": {"id": search.case.pk, "case_number": search.case.case_number},
        "created_at": search.created_at,
        "window_start": search.window_start,
        "window_end": search.window_end,
        "area": {
            "kind": search.area_kind,
            "radius_m": search.radius_m,
            "corridor_m": search.corridor_m,
            "latitude": search.latitude,
            "longitude": search.longitude,
            "address": search.address,
            "geometry": search.area_geometry or {},
        },
        "total": total,
        "page": page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "results": [_address(row) for row in shown],
    }


RESULT_EXAMPLE = {
    "id": 812,
    "case": {"id": 40, "case_number": "2026-004512"},
    "total": 23,
    "page": 1,
    "pages": 1,
    "page_size": PAGE_SIZE,
    "results": [
        {
            "rank": 1,
            "registration": "0b8f5a52-1c3e-4a8e-9d39-2b8c4f0d7e11",
            "address": "407 Maple Ave",
            "cameras": [
                {
                    "camera_id": 1733,
                    "distance_m": 18,
                    "score": 92.4,
                    "verdict": "sees",
                    "verdict_words": "Sees it",
                    "reasons": [{"code": "sees", "text": "Its view cone covers the place.", "points": 40.0}],
                }
            ],
        }
    ],
}
SEARCH_DESCRIPTION = (
    "Runs a canvass search exactly as the search page does: the same checks, limits and forbidden purposes "
    "(your department's maximum radius and time window; a drawn area of at most "
    f"{canvass_services.MAX_POLYGON_VERTICES} points and {canvass_services.MAX_POLYGON_AREA_M2 / 1e6:g} km²; "
    f"a route of at most {canvass_services.MAX_ROUTE_VERTICES} points and "
    f"{canvass_services.MAX_ROUTE_LENGTH_M / 1000:g} km). Give `polygon` or `route` for those areas, else a radius "
    f"is searched. The search is saved under its case (created if new). Answers the first page of "
    f"{PAGE_SIZE} addresses, best first. Scope: `canvass:search`."
)


class SearchCreateApi(JsonApiView):
    operation = "searches.create"
    required_scope = "canvass:search"

    @extend_schema(
        operation_id="searches_create",
        summary="Run a canvass search",
        description=SEARCH_DESCRIPTION,
        request=SearchInput,
        responses={201: SearchOutput, **problems(413, 415, 422)},
        examples=[
            OpenApiExample(
                "A radius search",
                value={
                    "case_number": "2026-004512",
                    "offense_type": "Burglary",
                    "place": {"address": "407 Maple Ave"},
                    "window_start": "2026-05-01T01:00:00Z",
                    "window_end": "2026-05-01T03:00:00Z",
                    "radius_m": 200,
                },
                request_only=True,
            ),
            OpenApiExample("Ranked addresses", value=RESULT_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    )
    def post(self, request):
        with cyclic_gc_paused():
            return self._post(request)

    def _post(self, request):
        serializer = SearchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        place = resolve_place(data["place"])
        area = area_request(data)
        with transaction.atomic():
            try:
                result = canvass_services.canvass_search_run(
                    user=user,
                    case_number=data["case_number"],
                    offense_type_id=offense_type_reference(user, data["offense_type"]),
                    place=place,
                    window=(data["window_start"], data["window_end"]),
                    area=area,
                    request=request._request,
                )
            except DjangoValidationError as error:
                raise service_errors(error, search_fields(area.kind)) from None
            self.audit(
                request,
                object_type="canvass_search",
                object_id=result.search.pk,
                parameters={"case_number": result.search.case.case_number, "result_count": address_count(result)},
            )
        # Worded once the search and its audit entries are committed: the audit chain's lock (and SQLite's one
        # writer) is not held while the answer is built.
        body = search_answer(user, result, 1)
        return Response(search_output(body), status=201, headers={"Location": f"/api/v1/searches/{result.search.pk}/"})


class SearchDetailApi(ApiView):
    operation = "searches.detail"
    required_scope = "canvass:search"

    @extend_schema(
        operation_id="searches_retrieve",
        summary="A saved search's ranked results, ranked again now",
        description=(
            f"{PAGE_SIZE} addresses a page (`?page=`, from 1); a page past the last is a 404. The registry may "
            "have changed since the search ran (a sharing agreement ended, an owner withdrew): the answer is what "
            "your agency may see now. Scope: `canvass:search`."
        ),
        parameters=[PageInput],
        responses={200: SearchOutput, **problems()},
        examples=[OpenApiExample("Ranked addresses", value=RESULT_EXAMPLE, response_only=True)],
    )
    def get(self, request, search_id):
        with cyclic_gc_paused():
            return self._get(request, search_id)

    def _get(self, request, search_id):
        page = PageInput(data=request.query_params)
        page.is_valid(raise_exception=True)
        search = canvass_selectors.search_for(request.user, search_id)
        result = canvass_services.canvass_search_results(
            user=request.user, search=search, request=request._request, use="api.searches.detail"
        )
        body = search_answer(request.user, result, page.validated_data.get("page", 1))
        self.audit(request, object_type="canvass_search", object_id=search.pk, parameters={"page": body["page"]})
        return Response(search_output(body))


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


GEOJSON = inline_serializer(
    "FeatureCollection",
    {
        "type": serializers.ChoiceField(choices=["FeatureCollection"]),
        "features": serializers.ListField(child=serializers.DictField()),
    },
)


class SearchGeoJSONApi(ApiView):
    operation = "searches.geojson"
    required_scope = "canvass:search"
    renderer_classes = [GeoJSONRenderer]

    @extend_schema(
        operation_id="searches_geojson",
        summary="A saved search's results as GeoJSON",
        description=(
            "A FeatureCollection: the search area (`role: area`), the incident (`incident`), one point per address "
            "(`address`, with its cameras, verdicts, scores and reasons) and view cones (`cone`). Lon/lat order. "
            "Scope: `canvass:search`."
        ),
        responses={
            (200, "application/geo+json"): OpenApiResponse(GEOJSON, description="The ranked results"),
            **problems(406),
        },
        examples=[
            OpenApiExample(
                "Features",
                value={
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {"type": "Point", "coordinates": [-87.8412, 41.6833]},
                            "properties": {"role": "address", "rank": 1, "address": "407 Maple Ave"},
                        }
                    ],
                },
                response_only=True,
                media_type="application/geo+json",
            )
        ],
    )
    def get(self, request, search_id):
        search = canvass_selectors.search_for(request.user, search_id)
        result = canvass_services.canvass_search_results(
            user=request.user, search=search, request=request._request, use="api.searches.geojson"
        )
        registrations = {item.camera.registration_id for item in result.ranked}
        data = exports.results_geojson(
            result,
            notes=canvass_selectors.detective_notes(request.user, registrations),
            length_units=search.case.agency.length_units,
        )
        self.audit(request, object_type="canvass_search", object_id=search.pk)
        return Response(data, content_type="application/geo+json")
