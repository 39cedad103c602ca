from __future__ import annotations

import math

from django import forms
from django.utils.translation import gettext_lazy as _

from cameraregistry import units
from cameraregistry.converters import IdField
from registrations.models import CameraLocation, ContactMethod, ExportFormat, PropertyType
from registrations.rules import CAMERA_RANGE_MAX_M, CAMERA_RANGE_MIN_M, MAX_CAMERAS, MIN_CAMERAS
from registrations.services import CameraInput
from registrations.validators import normalize_phone

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

DIRECTIONS = [
    ("", _("Not sure")),
    ("0", _("North")),
    ("45", _("Northeast")),
    ("90", _("East")),
    ("135", _("Southeast")),
    ("180", _("South")),
    ("225", _("Southwest")),
    ("270", _("West")),
    ("315", _("Northwest")),
]
FIELDS_OF_VIEW = [
    ("", _("Not sure")),
    ("60", _("Narrow (about 60°)")),
    ("90", _("Normal (about 90°)")),
    ("120", _("Wide (about 120°)")),
    ("180", _("Very wide (180°)")),
    ("360", _("All around (360° / fisheye)")),
]


class RegistrationForm(forms.Form):
    """The public form. Rules live in registrations.services; this only shapes input."""

    exterior = forms.ChoiceField(
        label=_("Do you have at least one camera that faces the outside of your property?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether you have an outside-facing camera.")},
    )
    records = forms.ChoiceField(
        label=_("Does your camera system record video and keep it for at least a day?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether your system records and keeps video.")},
    )
    property_type = forms.ChoiceField(
        label=_("This property is a"),
        choices=PropertyType.choices,
        widget=forms.RadioSelect,
        initial=PropertyType.RESIDENCE,
    )
    business_name = forms.CharField(label=_("Business name"), max_length=200, required=False)
    street_address = forms.CharField(
        label=_("Street address"),
        max_length=200,
        help_text=_("For example: 1200 Maple Street"),
        error_messages={"required": _("Enter the street address where the cameras are.")},
    )
    unit = forms.CharField(label=_("Apartment or unit (optional)"), max_length=40, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("ZIP code"), max_length=20, required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    owner_name = forms.CharField(
        label=_("Your name"), max_length=150, error_messages={"required": _("Enter your name.")}
    )
    owner_phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        error_messages={"required": _("Enter a phone number so an investigator can reach you.")},
    )
    owner_email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        required=False,
        help_text=_("We send your confirmation and private link here."),
        error_messages={"invalid": _("Enter a valid email address, like name@example.com.")},
    )
    preferred_contact_method = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        initial=ContactMethod.PHONE,
    )
    contact_hours = forms.CharField(
        label=_("Best times to reach you (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example: weekdays after 5 pm"),
    )

    alternate_name = forms.CharField(label=_("Alternate person's name"), max_length=150, required=False)
    alternate_phone = forms.CharField(label=_("Alternate person's phone"), max_length=40, required=False)
    alternate_email = forms.EmailField(
        label=_("Alternate person's email"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Enter a valid email address, like name@example.com.")},
    )
    alternate_relation = forms.CharField(
        label=_("Their relation to you"),
        max_length=100,
        required=False,
        help_text=_("For example: spouse, property manager, store manager"),
    )

    notes_for_detectives = forms.CharField(
        label=_("Anything else detectives should know? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example: more cameras than listed, what they show, how to reach the recorder."),
    )
    consent = forms.BooleanField(
        label=_("I have read and agree to the program terms above."),
        error_messages={"required": _("Agree to the program terms to register.")},
    )
    # Spam resistance: people never see or fill this field; bots that fill every input do.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    form_nonce = forms.CharField(widget=forms.HiddenInput, max_length=200)
    terms_version = IdField(required=False)

    def clean_owner_phone(self) -> str:
        # The service checks again; checking here too shows every problem in one round.
        return normalize_phone(self.cleaned_data["owner_phone"])

    def clean_alternate_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("alternate_phone", ""))

    def clean(self):
        data = super().clean()
        if data.get("property_type") == PropertyType.BUSINESS and not data.get("business_name"):
            self.add_error("business_name", _("Enter the name of the business."))
        if data.get("preferred_contact_method") == ContactMethod.EMAIL and not data.get("owner_email"):
            self.add_error("owner_email", _("Enter an email address, or choose another way to be contacted."))
        return data


class CameraForm(forms.Form):
    locations = forms.MultipleChoiceField(
        label=_("Where is it? Select all that apply."),
        choices=CameraLocation.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose where on the property this camera is.")},
    )
    records_street = forms.ChoiceField(
        label=_("Does it record the street or traffic?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether it records the street.")},
    )
    description = forms.CharField(
        label=_("What does it show?"),
        max_length=300,
        required=False,
        help_text=_("For example: the roadway at 10300 Roosevelt, or the corner of Cermak & Hull"),
    )
    bearing_degrees = forms.TypedChoiceField(
        label=_("Which way does it face?"), choices=DIRECTIONS, required=False, coerce=int, empty_value=None
    )
    field_of_view_degrees = forms.TypedChoiceField(
        label=_("How wide is its view?"), choices=FIELDS_OF_VIEW, required=False, coerce=int, empty_value=None
    )
    # Asked in the agency's units (see __init__); cleaned to whole metres, the unit it is stored in.
    range_m = forms.CharField(label=_("How far can it see clearly? (optional)"), required=False, max_length=20)
    retention_days = forms.IntegerField(
        label=_("How many days of footage does it keep?"),
        min_value=1,
        max_value=365,
        help_text=_("Check your recorder or app; most keep 7 to 30 days."),
        error_messages={
            "required": _("Enter how many days of footage it keeps."),
            "invalid": _("Enter a whole number of days."),
            "min_value": _("Enter at least 1 day."),
            "max_value": _("Enter at most 365 days."),
        },
    )
    exports_common_format = forms.ChoiceField(
        label=_("Can you export clips as ordinary video files (e.g. MP4 that plays in Windows Media Player)?"),
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        initial=ExportFormat.UNKNOWN,
    )
    brand = forms.CharField(
        label=_("System brand (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example: Ring, Arlo, Lorex, Swann"),
    )

    def __init__(self, *args, length_units: str = units.DEFAULT_UNITS, **kwargs):
        super().__init__(*args, **kwargs)
        self.length_units = length_units if length_units in units.UNITS else units.DEFAULT_UNITS
        field = self.fields["range_m"]
        if self.length_units == units.US:
            field.label = _("Range, in feet: how far can it see clearly? (optional)")
        else:
            field.label = _("Range, in metres: how far can it see clearly? (optional)")
        field.widget.attrs.update({"inputmode": "numeric"})
        whole = (
            _("Enter a whole number of feet.")
            if self.length_units == units.US
            else _("Enter a whole number of metres.")
        )
        field.error_messages["max_length"] = whole

    def clean_range_m(self) -> int | None:
        """The range as whole metres, checked after conversion; limits are stated in the units asked."""
        text = (self.cleaned_data.get("range_m") or "").strip()
        if not text:
            return None
        feet = self.length_units == units.US
        try:
            value = float(text.replace(",", ""))
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value != int(value):
            raise forms.ValidationError(
                _("Enter a whole number of feet.") if feet else _("Enter a whole number of metres.")
            )
        metres = round(units.to_metres(value, self.length_units))
        if metres < CAMERA_RANGE_MIN_M:
            # The smallest whole number of units that rounds to the minimum (2 ft rounds to 1 m).
            least = math.ceil(units.from_metres(CAMERA_RANGE_MIN_M - 0.5, self.length_units))
            message = _("Enter at least %(least)s feet.") if feet else _("Enter at least %(least)s metre.")
            # least is 2 (feet) or 1 (metre): the wording matches.
            raise forms.ValidationError(message % {"least": least})
        if metres > CAMERA_RANGE_MAX_M:
            most = units.whole_in_units(CAMERA_RANGE_MAX_M, self.length_units)
            message = _("Enter at most %(most)s feet.") if feet else _("Enter at most %(most)s metres.")
            raise forms.ValidationError(message % {"most": most})
        return metres


def camera_input(cleaned: dict) -> CameraInput:
    """A camera form's answers as the service's input (shared by registration and owner self-service)."""
    return CameraInput(
        locations=cleaned["locations"],
        records_street=cleaned["records_street"] == "yes",
        description=cleaned.get("description", ""),
        bearing_degrees=cleaned.get("bearing_degrees"),
        field_of_view_degrees=cleaned.get("field_of_view_degrees"),
        range_m=cleaned.get("range_m"),
        retention_days=cleaned["retention_days"],
        exports_common_format=cleaned.get("exports_common_format") or "unknown",
        brand=cleaned.get("brand", ""),
    )


class BaseCameraFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this camera")

    def clean(self):
        if any(self.errors):
            return
        remaining = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        if not remaining:
            raise forms.ValidationError(_("Add at least one camera."))


CameraFormSet = forms.formset_factory(
    CameraForm,
    formset=BaseCameraFormSet,
    extra=0,
    min_num=MIN_CAMERAS,
    max_num=MAX_CAMERAS,
    absolute_max=MAX_CAMERAS,
    validate_max=True,
    can_delete=True,
)
