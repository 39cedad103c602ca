"""Turn the search page's fields into typed values; the service decides what is allowed."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from cameraregistry import safe_json
from canvass.models import AreaKind

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
    window_start = forms.DateTimeField(
        label="Incident time window starts",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    window_end = forms.DateTimeField(
        label="Incident time window ends",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    area_kind = forms.ChoiceField(
        label="Search area", choices=AreaKind.choices, initial=AreaKind.RADIUS, widget=forms.RadioSelect
    )
    radius_m = forms.CharField(label="Radius in metres", max_length=12, required=False)
    corridor_m = forms.CharField(
        label="Corridor width either side of the route, in metres", max_length=12, required=False
    )
    vertices = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_VERTICES_TEXT)

    def __init__(self, *args, offense_types=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offense_type"].choices = [("", "Choose…"), *((o.pk, o.name) for o in offense_types)]

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
