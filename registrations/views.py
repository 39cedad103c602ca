from __future__ import annotations

import math

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Agency, TermsVersion
from agencies.selectors import agency_for_point
from cameraregistry import geo
from cameraregistry.converters import parse_id
from cameraregistry.http import client_ip
from cameraregistry.ratelimit import hit
from registrations import services, submission_limits
from registrations.form_nonce import form_nonce_value, new_form_nonce
from registrations.forms import CameraFormSet, RegistrationForm, camera_input
from registrations.geocoding import geocode
from registrations.inputs import registration_input
from registrations.rules import MAX_CAMERAS, answers_make_ineligible
from registrations.selectors import (
    form_agency_and_terms,
    form_length_units,
    registration_done,
    submission_saved,
    terms_version,
)


def _length_units(agency: Agency | None, data=None) -> str:
    """The units the camera range was asked in (see `selectors.form_length_units`)."""
    return form_length_units(agency, parse_id(data.get("terms_version")) if data is not None else None)


def _to_input(form: RegistrationForm, formset, language: str) -> services.RegistrationInput:
    data = form.cleaned_data
    latitude, longitude = data.get("latitude"), data.get("longitude")
    found = geocode(data["street_address"])
    geocoded = (found.point.latitude, found.point.longitude) if found.point else (None, None)
    if latitude is None or longitude is None:
        latitude, longitude = geocoded
    cameras = [
        camera_input(camera_form.cleaned_data)
        for camera_form in formset.forms
        if camera_form.cleaned_data and not formset._should_delete_form(camera_form)
    ]
    fallbacks = {"city": found.point.city, "postal_code": found.point.postal_code} if found.point else {}
    return registration_input(
        data,
        cameras=cameras,
        language=language,
        latitude=latitude if latitude is not None else float("nan"),
        longitude=longitude if longitude is not None else float("nan"),
        confirms_exterior_cameras=data["exterior"] == "yes",
        confirms_records_and_keeps_video=data["records"] == "yes",
        fallbacks=fallbacks,
        geocoded_latitude=geocoded[0],
        geocoded_longitude=geocoded[1],
        address_in_table=found.point is not None,
    )


_SERVICE_FIELD_TO_FORM = {
    "confirms_exterior_cameras": "exterior",
    "confirms_records_and_keeps_video": "records",
    "location": "street_address",
}


def _apply_rejection(form: RegistrationForm, rejection: services.RegistrationRejected) -> list[str]:
    """Place the service's messages next to the fields they concern; camera messages go to the camera section."""
    camera_errors: list[str] = []
    for field_name, messages in rejection.message_dict.items():
        target = _SERVICE_FIELD_TO_FORM.get(field_name, field_name)
        for message in messages:
            if target == "__all__":
                form.add_error(None, message)
            elif target in form.fields:
                form.add_error(target, message)
            else:
                camera_errors.append(message)
    return camera_errors


def _explain_unknown_address(
    form: RegistrationForm, rejection: services.RegistrationRejected
) -> services.RegistrationRejected:
    """No pin and an address the table lacks (the form without JavaScript): say so, with the likeliest addresses."""
    data = form.cleaned_data
    if "location" not in rejection.message_dict or (
        data.get("latitude") is not None and data.get("longitude") is not None
    ):
        return rejection
    found = geocode(data["street_address"], limit=3)
    if found.point is not None:
        return rejection
    if found.suggestions:
        message = _(
            "We could not find “%(address)s” in the address table. Did you mean %(suggestions)s? "
            "Correct the address, or place the pin on your building on the map."
        ) % {"address": data["street_address"], "suggestions": _(" or ").join(p.address for p in found.suggestions)}
    else:
        message = _(
            "We could not find “%(address)s” in the address table. Check the house number and street, "
            "or place the pin on your building on the map."
        ) % {"address": data["street_address"]}
    errors = dict(rejection.message_dict)
    errors["location"] = [message]
    return services.RegistrationRejected(errors, agency=rejection.agency)


def _terms_from_post(form: RegistrationForm) -> TermsVersion | None:
    return terms_version(form.cleaned_data.get("terms_version"))


def posted_terms_id(form: RegistrationForm) -> int | None:
    return form.cleaned_data.get("terms_version") if hasattr(form, "cleaned_data") else None


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    agency, terms = form_agency_and_terms()
    context: dict = {"agency": agency, "terms": terms, "camera_errors": [], "suppress_errors": False}
    if request.method == "GET":
        initial = {"form_nonce": new_form_nonce(), "terms_version": terms.pk if terms else None}
        cameras = CameraFormSet(prefix="cameras", form_kwargs={"length_units": _length_units(agency)})
        context |= {"form": RegistrationForm(initial=initial), "formset": cameras}
        return render(request, "registrations/register.html", context)

    network = submission_limits.network(request)
    data = request.POST.copy()
    camera_kwargs = {"length_units": _length_units(agency, data)}
    if refusal := submission_limits.take_post(network):
        form, formset = RegistrationForm(data), CameraFormSet(data, prefix="cameras", form_kwargs=camera_kwargs)
        return _limit_reached(request, context, form, formset, refusal)
    if data.get("website"):
        # Honeypot filled: answer like a success so the bot learns nothing; store nothing.
        return redirect("registrations:thanks")
    if "add_camera" in data:
        # Without JavaScript, "Add another camera" posts the form back with one more camera block.
        total = data.get("cameras-TOTAL_FORMS", "1")
        count = parse_id(total)  # "²".isdigit() is true, and int() refuses 5,000 digits
        data["cameras-TOTAL_FORMS"] = str(min(count + 1, MAX_CAMERAS) if count else 1)
        # A bound form ignores field initials: give the new block the same "I don't know" default as the first.
        data.setdefault(f"cameras-{int(data['cameras-TOTAL_FORMS']) - 1}-exports_common_format", "unknown")
        context |= {
            "form": RegistrationForm(data),
            "formset": CameraFormSet(data, prefix="cameras", form_kwargs=camera_kwargs),
            "suppress_errors": True,
        }
        return render(request, "registrations/register.html", context)

    form = RegistrationForm(data)
    formset = CameraFormSet(data, prefix="cameras", form_kwargs=camera_kwargs)
    form_valid, formset_valid = form.is_valid(), formset.is_valid()
    if answers_make_ineligible(data):
        # Not eligible: explain that first rather than listing errors in fields that no longer matter.
        return render(request, "registrations/not_eligible.html", {"agency": agency})
    if form_valid:
        posted_terms = _terms_from_post(form)
        if posted_terms is not None:
            context |= {"terms": posted_terms, "agency": posted_terms.agency}
    if form_valid and formset_valid:
        nonce = form_nonce_value(form.cleaned_data["form_nonce"])
        if nonce is None:
            form.add_error(None, _("This form has expired. Please check your answers and submit again."))
        elif submission_saved(nonce):
            return redirect("registrations:thanks")  # a double submit: the first one was saved
        else:
            done = _save(request, form, formset, context, nonce, network)
            if done is not None:
                return done
    context["camera_errors"] = list(context["camera_errors"]) + list(formset.non_form_errors())
    context |= {"form": form, "formset": formset}
    return render(request, "registrations/register.html", context, status=400)


def _save(request, form, formset, context: dict, nonce: str, network: str) -> HttpResponse | None:
    """Create the registration if the serving agency's hourly limit for this network allows; None if refused."""
    registration_input = _to_input(form, formset, translation.get_language() or "en")
    place = None
    if math.isfinite(registration_input.latitude) and math.isfinite(registration_input.longitude):
        serving = agency_for_point(registration_input.latitude, registration_input.longitude)
        if serving is not None:
            place = submission_limits.take_registration(network, serving)
            if isinstance(place, submission_limits.LimitReached):
                return _limit_reached(request, context, form, formset, place)
    try:
        registration = services.registration_create(
            data=registration_input, terms=_terms_from_post(form), submission_nonce=nonce
        )
    except services.RegistrationRejected as rejection:
        if place is not None:
            place.release()  # nothing was saved: it does not count
        context["camera_errors"] = _apply_rejection(form, _explain_unknown_address(form, rejection))
        if rejection.agency is not None:
            current = rejection.agency.current_terms()
            context |= {"agency": rejection.agency, "terms": current}
            form.data = form.data.copy()
            form.data["terms_version"] = str(current.pk) if current else ""
            if current is not None and posted_terms_id(form) != current.pk:
                # The owner must agree to the terms now shown, not the ones ticked before.
                form.data.pop("consent", None)
        return None
    except BaseException:
        if place is not None:
            place.release()
        raise
    request.session["registration_done"] = str(registration.public_id)
    return redirect("registrations:thanks")


def _limit_reached(request, context: dict, form, formset, refusal) -> HttpResponse:
    """The form again with every answer as entered, and when it can be sent (429: not taken now)."""
    context |= {"form": form, "formset": formset, "suppress_errors": True, "limit_reached": refusal}
    if refusal.agency is not None:
        context["contact_agency"] = refusal.agency
    elif context.get("agency") is not None:
        context["contact_agency"] = context["agency"]
    return render(request, "registrations/register.html", context, status=429)


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    registration = registration_done(request.session.get("registration_done"))
    return render(request, "registrations/thanks.html", {"registration": registration})


@require_GET
def geocode_lookup(request: HttpRequest) -> JsonResponse:
    """Address -> map point for the form's map. Answers from the local address table only."""
    if not hit("geocode", client_ip(request), 600, 3600):
        return JsonResponse({"error": _("Too many look-ups; wait a few minutes.")}, status=429)
    query = request.GET.get("address", "")[:200]
    if len(query.strip()) < 3:
        return JsonResponse({"error": _("Enter a street address.")}, status=400)
    result = geocode(query)
    if result.point is None:
        return JsonResponse(
            {
                "found": False,
                "message": _("We could not find this address. Pick a suggestion, or place the pin on your building.")
                if result.suggestions
                else _(
                    "This address is not in our address table. You can still register: "
                    "tap the map where your building is to place the pin."
                ),
                "suggestions": [s.address for s in result.suggestions],
                "area": _served_area(),
            }
        )
    return JsonResponse(
        {
            "found": True,
            **_point_payload(result.point.latitude, result.point.longitude),
            "address": result.point.address,
            "city": result.point.city,
            "postal_code": result.point.postal_code,
        }
    )


@require_GET
def agency_lookup(request: HttpRequest) -> JsonResponse:
    """Map point -> the department serving it and its current terms (for a moved pin)."""
    try:
        latitude = float(request.GET.get("lat", ""))
        longitude = float(request.GET.get("lon", ""))
        geo.validate_point(latitude, longitude)
    except (TypeError, ValueError):
        return JsonResponse({"error": _("Latitude and longitude must be numbers on the map.")}, status=400)
    return JsonResponse(_point_payload(latitude, longitude))


def _served_area() -> list[list[float]] | None:
    """[[south, west], [north, east]] around every jurisdiction: where the map opens to place a pin by hand."""
    boxes = [
        box
        for box in Agency.objects.values_list("min_latitude", "min_longitude", "max_latitude", "max_longitude")
        if box[0] < box[2] and box[1] < box[3]
    ]
    if not boxes:
        return None
    return [
        [min(b[0] for b in boxes), min(b[1] for b in boxes)],
        [max(b[2] for b in boxes), max(b[3] for b in boxes)],
    ]


def _point_payload(latitude: float, longitude: float) -> dict:
    agency = agency_for_point(latitude, longitude)
    terms = agency.current_terms() if agency else None
    language = translation.get_language() or "en"
    return {
        "lat": latitude,
        "lon": longitude,
        "agency": agency.name if agency else None,
        "in_jurisdiction": agency is not None,
        "terms_version": terms.pk if terms else None,
        "terms_text": terms.text_for(language) if terms else "",
        "outside_message": "" if agency else _("This location is outside the area served by this registry."),
    }


@require_GET
def boundaries(request: HttpRequest) -> JsonResponse:
    """Jurisdiction outlines for the form's map (public information: city limits)."""
    features = [
        {"type": "Feature", "properties": {"name": agency.name}, "geometry": agency.boundary}
        for agency in Agency.objects.all()
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
