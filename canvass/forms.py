"""Turn the search page's fields into typed values; the service decides what is allowed."""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import ValidationError

from cameraregistry import safe_json, units
from cameraregistry.wall_clock import WallClockDateTimeField, WallClockEndField
from canvass import services
from canvass.models import AreaKind

UNIT_WORDS = {units.US: "feet", units.METRIC: "metres"}

MAX_VERTICES_TEXT = 20_000


class SearchForm(forms.Form):
    case_number = forms.CharField(
        label="Case number", max_length=100, required=False, help_text="Every search belongs to an investigation."
    )
    offense_type = forms.TypedChoiceField(label="Offense type", coerce=int, required=False, empty_value=None)
    address = forms.CharField(
        label="Incident address",
        max_length=200,
        required=False,
        help_text="Type an address, or click the place on the map.",
    )
    # Plain text: the service explains what is wrong with a point (out of range, not finite).
    latitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)
    window_start = WallClockDateTimeField(
        label="Incident time window starts",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    window_end = WallClockEndField(
        label="Incident time window ends",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    area_kind = forms.ChoiceField(
        label="Search area", choices=AreaKind.choices, initial=AreaKind.RADIUS, widget=forms.RadioSelect
    )
    # Entered in the agency's units (labels set in __init__); cleaned to whole metres for the service.
    radius_m = forms.CharField(label="Radius", max_length=12, required=False)
    corridor_m = forms.CharField(label="Corridor width either side of the route", max_length=12, required=False)
    vertices = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_VERTICES_TEXT)

    def __init__(
        self, *args, offense_types=(), length_units: str = units.DEFAULT_UNITS, max_radius_m: int = 0, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offense_type"].choices = [("", "Choose…"), *((o.pk, o.name) for o in offense_types)]
        self.length_units = length_units if length_units in units.UNITS else units.DEFAULT_UNITS
        self.max_radius_m = max_radius_m
        word = UNIT_WORDS[self.length_units]
        self.fields["radius_m"].label = f"Radius in {word}"
        self.fields["corridor_m"].label = f"Corridor width either side of the route, in {word}"

    def _metres(self, name: str, what: str, minimum_m: int, maximum_m: int) -> int | None:
        """A length typed in the agency's units as whole metres, its limits checked and stated in those units."""
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None  # the service uses the agency's default
        word = UNIT_WORDS[self.length_units]
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            raise ValidationError(f"The {what} must be a number of {word}.") from None
        if not math.isfinite(value) or value != int(value):
            raise ValidationError(f"The {what} must be a whole number of {word}.")
        metres = round(units.to_metres(value, self.length_units))
        if not minimum_m <= metres <= maximum_m:
            low = math.ceil(units.from_metres(minimum_m - 0.5, self.length_units))
            high = units.whole_in_units(maximum_m, self.length_units)
            raise ValidationError(f"The {what} must be between {max(low, 1):,} and {high:,} {word}.")
        return metres

    def clean_radius_m(self) -> int | None:
        # Without a department (no maximum) the service refuses the search; the form does not guess a limit.
        maximum = self.max_radius_m or 10**9
        return self._metres("radius_m", "radius", services.MIN_RADIUS_M, maximum)

    def clean_corridor_m(self) -> int | None:
        return self._metres("corridor_m", "corridor width", services.MIN_CORRIDOR_M, services.MAX_CORRIDOR_M)

    def clean_vertices(self) -> list:
        text = self.cleaned_data.get("vertices") or ""
        if not text.strip():
            return []
        try:
            # Bounded nesting: a shape is a list of [latitude, longitude] pairs, nothing deeper.
            value = safe_json.loads(text, max_depth=4)
        except safe_json.JSONTooDeep:
            raise ValidationError(
                "The drawn shape could not be read (it is nested too deeply); clear it and draw it again."
            ) from None
        except ValueError:
            raise ValidationError("The drawn shape could not be read; clear it and draw it again.") from None
        if not isinstance(value, list):
            raise ValidationError("The drawn shape could not be read; clear it and draw it again.")
        return value
