from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cameraregistry import units
from cameraregistry.converters import IdField
from owners.models import StatusReport
from registrations.forms import BaseCameraFormSet, CameraForm, RegistrationForm
from registrations.models import Registration
from registrations.rules import MAX_CAMERAS, MIN_CAMERAS, OWNER_EDITABLE_FIELDS

# Fields of the public form that make no sense once registered: eligibility and consent
# were answered then, the anti-spam fields guard the public form only, and the map point
# follows the street address.
_NOT_EDITABLE = ("exterior", "records", "consent", "website", "form_nonce", "terms_version", "latitude", "longitude")


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("The one you gave when you registered. We send a private link there."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter a valid email address, like name@example.com."),
        },
    )


class OwnerRegistrationForm(RegistrationForm):
    language = forms.ChoiceField(label=_("Language for our emails"), choices=[("en", "English"), ("es", "Español")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _NOT_EDITABLE:
            del self.fields[name]

    @staticmethod
    def initial_for(registration: Registration) -> dict:
        names = (*OWNER_EDITABLE_FIELDS, "language")
        return {name: getattr(registration, name) for name in names}


class OwnerCameraForm(CameraForm):
    camera_id = IdField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Cameras imported or registered with a precise angle keep it: offer that angle
        # next to the coarse choices instead of refusing the owner's own data.
        for name, limits in (("bearing_degrees", (0, 359)), ("field_of_view_degrees", (1, 360))):
            field = self.fields[name]
            raw = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
            try:
                value = int(raw)
            except (TypeError, ValueError):
                continue
            if limits[0] <= value <= limits[1] and str(value) not in {key for key, _label in field.choices}:
                field.choices = [*field.choices, (str(value), f"{value}°")]

    @staticmethod
    def initial_for(camera, length_units: str | None = None) -> dict:
        """The camera as the edit form shows it: the range in the agency's units (stored in metres)."""
        length_units = length_units or camera.registration.agency.length_units
        shown_range = None if camera.range_m is None else round(units.from_metres(camera.range_m, length_units))
        return {
            "camera_id": camera.pk,
            "locations": camera.locations,
            "records_street": "yes" if camera.records_street else "no",
            "description": camera.description,
            "bearing_degrees": camera.bearing_degrees,
            "field_of_view_degrees": camera.field_of_view_degrees,
            "range_m": shown_range,
            "retention_days": camera.retention_days,
            "exports_common_format": camera.exports_common_format,
            "brand": camera.brand,
        }


OwnerCameraFormSet = forms.formset_factory(
    OwnerCameraForm,
    formset=BaseCameraFormSet,
    extra=0,
    min_num=MIN_CAMERAS,
    max_num=MAX_CAMERAS,
    absolute_max=MAX_CAMERAS,
    validate_max=True,
    can_delete=True,
)


class StatusReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What changed?"),
        choices=StatusReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what changed.")},
    )
    note = forms.CharField(
        label=_("Anything the department should know? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConsentForm(forms.Form):
    terms_version = IdField()
    consent = forms.BooleanField(
        label=_("I have read and agree to the updated program terms."),
        error_messages={"required": _("Tick the box to agree to the updated terms.")},
    )
