from __future__ import annotations

import json
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import Permission, staff_required
from cameraregistry import units
from cameraregistry.converters import parse_id
from cameraregistry.gc_pause import cyclic_gc_paused
from canvass import exports, grouping, selectors, services, sheet
from canvass.forms import SearchForm
from canvass.models import CaseCamera
from registrations import display
from registrations.geocoding import geocode
from registrations.selectors import registration_for

# Where each service error is shown on the search form.
_ERROR_FIELDS = {
    "case_number": "case_number",
    "offense_type": "offense_type",
    "place": "address",
    "window": "window_start",
    "radius_m": "radius_m",
    "corridor_m": "corridor_m",
    "vertices": "area_kind",
    "area_kind": "area_kind",
}


def _place_from(form: SearchForm) -> services.Place:
    data = form.cleaned_data
    address = (data.get("address") or "").strip()
    latitude, longitude = (data.get("latitude") or "").strip(), (data.get("longitude") or "").strip()
    if not (latitude and longitude) and address:
        found = geocode(address)
        if found.point is None:
            # The page offers each as a button that searches it (canvass.js); the message names them too.
            form.address_suggestions = [point.address for point in found.suggestions]
            suggestions = "; ".join(form.address_suggestions)
            hint = (
                f" Did you mean: {suggestions}?"
                if suggestions
                else " Check the spelling or click the place on the map."
            )
            raise ValidationError({"place": f"The address “{address}” was not found.{hint}"})
        return services.Place(found.point.latitude, found.point.longitude, found.point.address)
    if not (latitude and longitude):
        raise ValidationError({"place": "Give the incident's place: type its address or click it on the map."})
    try:
        return services.Place(float(latitude), float(longitude), address)
    except ValueError:
        raise ValidationError({"place": "The map point could not be read; click the place on the map again."}) from None


def _search_or_errors(request: HttpRequest, form: SearchForm) -> int | None:
    """Run the search, or put every problem of the submission on the form at once (one pass, every field).

    The form's own errors (unreadable values), the place's and the service's checks are all collected;
    nothing is saved unless everything is right. A field the form already faulted gets no second message.
    """
    form_valid = form.is_valid()
    data = form.cleaned_data
    place, place_error = None, None
    try:
        place = _place_from(form)
    except ValidationError as error:
        place_error = error
    arguments = {
        "user": request.user,
        "case_number": data.get("case_number"),
        "offense_type_id": data.get("offense_type"),
        "place": place,
        "window": (data.get("window_start"), data.get("window_end")),
        "area": services.AreaRequest(
            kind=data.get("area_kind") or "",
            radius_m=data.get("radius_m"),
            corridor_m=data.get("corridor_m"),
            vertices=data.get("vertices", ()),
        ),
    }
    already = set(form.errors)
    try:
        if form_valid and place_error is None:
            return services.canvass_search_run(**arguments, request=request).search.pk
        services.canvass_search_check(**arguments)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            fields = _SERVICE_FIELDS_SHOWN.get(key, {_ERROR_FIELDS.get(key)})
            if (key == "place" and place_error is not None) or fields & already:
                continue
            for message in messages:
                form.add_error(_ERROR_FIELDS.get(key), message)
    if place_error is not None and "address" not in already:
        for message in place_error.message_dict.get("place", place_error.messages):
            form.add_error("address", message)
    return None


# The form fields whose own error already covers a service check's key.
_SERVICE_FIELDS_SHOWN = {
    "window": {"window_start", "window_end"},
    "place": {"address", "latitude", "longitude"},
    "vertices": {"vertices", "area_kind"},
    "area_kind": {"area_kind"},
}


@never_cache
@staff_required(Permission.SEARCH_CANVASS)
@require_http_methods(["GET", "POST"])
def search_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    agency = user.agency
    length_units = agency.length_units if agency else units.DEFAULT_UNITS
    max_radius_m = agency.max_search_radius_m if agency else 0
    default_radius = units.from_metres(agency.default_search_radius_m, length_units) if agency else ""
    initial = {"area_kind": "radius", "radius_m": round(default_radius) if agency else ""}
    form = SearchForm(
        request.POST if request.method == "POST" else None,
        offense_types=selectors.offense_types_for_search(user),
        initial=initial,
        length_units=length_units,
        max_radius_m=max_radius_m,
    )
    if request.method == "POST":
        search_id = _search_or_errors(request, form)
        if search_id is not None:
            return redirect("canvass:results", search_id=search_id)
    status = 400 if form.errors else 200
    context = {
        "form": form,
        "agency": agency,
        "length_units": length_units,
        "metres_per_unit": units.to_metres(1, length_units),
        "limits": {
            "max_radius_m": agency.max_search_radius_m if agency else 0,
            "default_radius_m": agency.default_search_radius_m if agency else 0,
            "max_window_hours": agency.max_search_window_hours if agency else 0,
            "max_corridor_m": services.MAX_CORRIDOR_M,
            # The same limits in the agency's units, as the form asks them.
            "unit": units.unit_symbol(length_units),
            "default_radius": initial["radius_m"],
            "max_radius": units.whole_in_units(max_radius_m, length_units),
            "max_corridor": units.whole_in_units(services.MAX_CORRIDOR_M, length_units),
            "max_route_km": services.MAX_ROUTE_LENGTH_M / 1000,
            "max_polygon_km2": services.MAX_POLYGON_AREA_M2 / 1e6,
            "max_vertices": services.MAX_POLYGON_VERTICES,
        },
        "map_center": _map_center(agency),
        "cases": selectors.cases_for(user).select_related("offense_type")[:10],
    }
    return render(request, "canvass/search.html", context, status=status)


def _map_center(agency) -> dict:
    if agency is None or agency.min_latitude == agency.max_latitude:
        return {"latitude": 0, "longitude": 0}
    return {
        "latitude": (agency.min_latitude + agency.max_latitude) / 2,
        "longitude": (agency.min_longitude + agency.max_longitude) / 2,
    }


RESULTS_PER_PAGE = 50


def _page_number(raw: str | None, pages: int) -> int | None:
    """The asked page, 1 when absent or unreadable; None (404) when past the last page."""
    try:
        number = int(str(raw or "1").strip())
    except (TypeError, ValueError):
        return 1
    if number < 1:
        return 1
    return number if number <= max(pages, 1) else None


@never_cache
@staff_required(Permission.SEARCH_CANVASS)
def search_results(request: HttpRequest, search_id: int) -> HttpResponse:
    with cyclic_gc_paused():
        return _search_results(request, search_id)


def _search_results(request: HttpRequest, search_id: int) -> HttpResponse:
    search = selectors.search_for(request.user, search_id)
    result = services.canvass_search_results(user=request.user, search=search, request=request)
    length_units = search.case.agency.length_units
    exports.in_units(result, length_units)
    chosen_ids = set(CaseCamera.objects.filter(case=search.case).values_list("camera_id", flat=True))
    addresses = grouping.group_by_address(result, chosen_ids)
    pages = max(1, -(-len(addresses) // RESULTS_PER_PAGE))
    page = _page_number(request.GET.get("page"), pages)
    if page is None:
        raise Http404("No such page of results.")
    start = (page - 1) * RESULTS_PER_PAGE
    shown = addresses[start : start + RESULTS_PER_PAGE]
    grouping.with_notes(shown, result.notes_of(request.user, [row.registration_id for row in shown]))
    context = {
        "search": search,
        "case": search.case,
        "addresses": shown,
        # Every ranked camera, flat, best first (tests and callers that read cameras, not addresses).
        "items": [
            {"rank": n, "item": c.item, "detail": c.detail, "chosen": c.chosen}
            for n, c in enumerate((c for row in addresses for c in row.cameras), start=1)
        ],
        "total": len(addresses),
        "first": start + 1 if shown else 0,
        "last": start + len(shown),
        "page": page,
        "pages": pages,
        "map_data": exports.map_geojson(addresses, result.area, cone_ids={row.registration_id for row in shown}),
        "now": timezone.now(),
        "length_units": length_units,
        "sheet_size": sheet.DEFAULT_SHEET_ADDRESSES,
        "sheet_max": sheet.MAX_SHEET_ADDRESSES,
    }
    return render(request, "canvass/results.html", context)


@never_cache
@staff_required(Permission.VIEW_CONTACT_DETAILS)
@require_POST
def contact_reveal(request: HttpRequest, search_id: int, public_id: str) -> HttpResponse:
    search = selectors.search_for(request.user, search_id)
    registration = registration_for(request.user, public_id, Permission.VIEW_CONTACT_DETAILS)
    contact = services.contact_details_reveal(
        user=request.user, registration=registration, search=search, request=request
    )
    context = {
        "search": search,
        "registration": registration,
        "contact": contact,
        # What the owner said about each camera, so the call can be about the right clip.
        "cameras": display.cameras_with_facts(registration),
    }
    return render(request, "canvass/contact.html", context)


@never_cache
@staff_required(Permission.VIEW_CONTACT_DETAILS)
def canvass_sheet(request: HttpRequest, search_id: int) -> HttpResponse:
    search = selectors.search_for(request.user, search_id)
    asked = request.GET.get("addresses")
    context = {
        "search": search,
        "case": search.case,
        "printed_at": timezone.now(),
        "length_units": search.case.agency.length_units,
        "sheet_size": sheet.DEFAULT_SHEET_ADDRESSES,
        "sheet_max": sheet.MAX_SHEET_ADDRESSES,
    }
    try:
        result, stops = sheet.canvass_sheet_prepare(user=request.user, search=search, addresses=asked, request=request)
    except ValidationError as error:
        # Nothing is shown or recorded for a size that cannot be read: the form says what to give instead.
        context.update(sheet_errors=error.messages, stops=[], map_data=None)
        return render(request, "canvass/sheet.html", context, status=400)
    context.update(
        stops=stops,
        sheet_size=sheet.clean_sheet_size(asked),
        map_data=exports.map_geojson(
            [stop.address for stop in stops],
            result.area,
            cone_ids={stop.address.registration_id for stop in stops},
            with_addresses=True,
        ),
    )
    return render(request, "canvass/sheet.html", context)


def _notes_of(user, result: services.SearchResult) -> dict[int, str]:
    return selectors.detective_notes(user, {item.camera.registration_id for item in result.ranked})


@never_cache
@staff_required(Permission.EXPORT_DATA)
def export_csv(request: HttpRequest, search_id: int) -> HttpResponse:
    search = selectors.search_for(request.user, search_id)
    result = services.canvass_export(user=request.user, search=search, export_format="csv", request=request)
    text = exports.results_csv(result, search.case.agency.length_units, notes=_notes_of(request.user, result))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="canvass-{search.pk}.csv"'
    return response


@never_cache
@staff_required(Permission.EXPORT_DATA)
def export_geojson(request: HttpRequest, search_id: int) -> HttpResponse:
    search = selectors.search_for(request.user, search_id)
    result = services.canvass_export(user=request.user, search=search, export_format="geojson", request=request)
    data = exports.results_geojson(
        result, notes=_notes_of(request.user, result), length_units=search.case.agency.length_units
    )
    response = HttpResponse(json.dumps(data), content_type="application/geo+json")
    response["Content-Disposition"] = f'attachment; filename="canvass-{search.pk}.geojson"'
    return response


@never_cache
@staff_required(Permission.SEARCH_CANVASS)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    chosen = (
        CaseCamera.objects.filter(case=case, camera__registration__in=selectors.searchable_registrations(request.user))
        .select_related("camera", "camera__registration", "chosen_by")
        .order_by("chosen_at")
    )
    urgency = selectors.case_urgency(request.user, case)
    request_first_url = ""
    if urgency.case_camera_ids:
        query = urlencode([("cameras", pk) for pk in urgency.case_camera_ids])
        request_first_url = f"{reverse('footage:case_requests', args=[case.pk])}?{query}#new-request"
    context = {
        "case": case,
        "searches": case.searches.select_related("created_by"),
        "chosen": chosen,
        "urgency": urgency,
        "request_first_url": request_first_url,
        "length_units": case.agency.length_units,
    }
    return render(request, "canvass/case.html", context)


@staff_required(Permission.SEARCH_CANVASS)
@require_POST
def case_camera_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    try:
        services.case_camera_add(
            user=request.user,
            case=case,
            camera_id=request.POST.get("camera_id"),
            note=request.POST.get("note", ""),
            request=request,
        )
    except ValidationError as error:
        return render(request, "canvass/problem.html", {"case": case, "messages_list": error.messages}, status=400)
    return _back_to(request, case)


@staff_required(Permission.SEARCH_CANVASS)
@require_POST
def case_camera_remove(request: HttpRequest, case_id: int, camera_id: int) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    services.case_camera_remove(user=request.user, case=case, camera_id=camera_id, request=request)
    return _back_to(request, case)


def _back_to(request: HttpRequest, case) -> HttpResponse:
    # Only our own search pages are valid places to return to: never an arbitrary URL.
    search_id = parse_id(request.POST.get("search_id", ""))
    if search_id and case.searches.filter(pk=search_id).exists():
        return redirect("canvass:results", search_id=search_id)
    return redirect("canvass:case", case_id=case.pk)


@staff_required(Permission.SEARCH_CANVASS)
@require_POST
def case_close(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_status_change(request, case_id, services.case_close)


@staff_required(Permission.SEARCH_CANVASS)
@require_POST
def case_reopen(request: HttpRequest, case_id: int) -> HttpResponse:
    return _case_status_change(request, case_id, services.case_reopen)


def _case_status_change(request: HttpRequest, case_id: int, service) -> HttpResponse:
    case = selectors.case_for(request.user, case_id)
    try:
        service(user=request.user, case=case, reason=request.POST.get("reason", ""), request=request)
    except ValidationError as error:
        return render(request, "canvass/problem.html", {"case": case, "messages_list": error.messages}, status=400)
    return redirect("canvass:case", case_id=case.pk)
