from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from administration.exporting import FORMATS
from administration.importing import TARGETS
from administration.imports.layout import HeaderRowError, parse_header_row
from administration.services import REGISTRATION_LIMIT_FIELDS, SETTINGS_FIELDS
from agencies.models import (
    REGISTRATION_EVENT_MAX_DAYS_AHEAD,
    REGISTRATION_EVENT_PER_HOUR_MAX,
    REGISTRATIONS_PER_HOUR_MAX,
    REGISTRATIONS_PER_HOUR_MIN,
    Agency,
)
from cameraregistry.wall_clock import WallClockEndField


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note (what you checked, e.g. 'called owner')",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HeaderRowForm(forms.Form):
    """The spreadsheet row that holds the column names; empty: detected below any title rows."""

    header_row = forms.CharField(
        label=gettext_lazy("Header row (leave empty to detect)"),
        help_text=gettext_lazy("The spreadsheet's row number that holds the column names, if title rows are above it."),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 4}),
    )

    def clean_header_row(self) -> int | None:
        try:
            return parse_header_row(self.cleaned_data.get("header_row"))
        except HeaderRowError as error:
            raise forms.ValidationError(str(error)) from None


class UploadForm(HeaderRowForm):
    file = forms.FileField(
        label="CSV or XLSX file", help_text="As exported by the online form or spreadsheet; up to 50 MB."
    )
    field_order = ["file", "header_row"]


class MappingForm(forms.Form):
    """One select per column of the file: which registry field it holds (or nothing)."""

    mode = forms.ChoiceField(
        label="What to do",
        widget=forms.RadioSelect,
        initial="dry_run",
        choices=[
            ("dry_run", "Dry run: check every row and report, save nothing"),
            ("all_or_nothing", "Import, but only if every row is correct (all or nothing)"),
            ("valid_rows", "Import the correct rows and report the others"),
        ],
    )

    other_agencies = forms.ChoiceField(
        label=gettext_lazy("Rows whose address is in another agency's jurisdiction"),
        widget=forms.RadioSelect,
        initial="",
        required=False,
        choices=[
            ("", gettext_lazy("Refuse them (they are counted per agency in the report)")),
            ("import", gettext_lazy("Import them for that agency (if you may import for it)")),
            ("skip", gettext_lazy("Skip them")),
        ],
    )

    def __init__(self, *args, headers: list[str], mapping: dict[str, int], sheets: list[str], sheet: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        by_column = {index: target for target, index in mapping.items()}
        choices = [("", "— not imported —"), *TARGETS.items()]
        if len(sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(label="Sheet", choices=[(s, s) for s in sheets], initial=sheet)
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=f"Column {index + 1}: {header or '(no header)'}",
                choices=choices,
                required=False,
                initial=by_column.get(index, ""),
            )

    def clean(self):
        data = super().clean()
        mapping: dict[str, int] = {}
        for index in range(len(self.headers)):
            target = data.get(f"column_{index}")
            if not target:
                continue
            if target in mapping:
                self.add_error(
                    f"column_{index}", f"'{TARGETS[target]}' is already chosen for column {mapping[target] + 1}."
                )
            mapping[target] = index
        if "street_address" not in mapping:
            raise forms.ValidationError("Choose the column that holds the street address.")
        data["mapping"] = mapping
        return data


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(f, f.upper() if f != "geojson" else "GeoJSON") for f in FORMATS],
        widget=forms.RadioSelect,
        initial="csv",
    )
    contacts = forms.BooleanField(label="Include owner and alternate contact details", required=False)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = SETTINGS_FIELDS
        labels = {"lockout_auto_unlock_minutes": "Open locked staff accounts after (minutes)"}
        help_texts = {
            "stale_removal_months": "Registrations not re-confirmed for this many months are deleted by the nightly purge.",
            "footage_retention_days_after_close": "Evidence files are deleted this many days after their case is closed.",
            "audit_retention_days": "At least 365 days.",
            "lockout_auto_unlock_minutes": "A staff account locked after 5 failed sign-ins opens again after this many minutes; 0 means only an administrator can release it.",
            "rejected_removal_days": "Registrations rejected as spam are erased this many days after the rejection.",
            "length_units": (
                "How residents, owners and staff are asked and shown lengths (camera range, search radius, "
                "distances, the canvass export). Settings above stay in metres."
            ),
        }


def _whole_number_between(low: int, high: int) -> dict[str, str]:
    message = f"Enter a whole number from {low} to {high}."
    return {"min_value": message, "max_value": message, "invalid": message}


class RegistrationLimitsForm(forms.ModelForm):
    """Completed registrations per hour from one network, and a higher limit for a registration event."""

    class Meta:
        model = Agency
        fields = REGISTRATION_LIMIT_FIELDS
        field_classes = {"registration_event_until": WallClockEndField}
        labels = {
            "registrations_per_hour_per_network": "Registrations per hour from one network",
            "registration_event_limit_per_hour": "Event mode: registrations per hour from one network",
            "registration_event_until": "Event mode until",
        }
        help_texts = {
            "registrations_per_hour_per_network": (
                f"Completed registrations the public form accepts in a clock hour from one internet connection "
                f"(a library, a block party's Wi-Fi); failed submissions do not count. "
                f"{REGISTRATIONS_PER_HOUR_MIN} to {REGISTRATIONS_PER_HOUR_MAX}."
            ),
            "registration_event_limit_per_hour": (
                f"For a registration drive: the limit until the end below, at least the everyday limit, "
                f"at most {REGISTRATION_EVENT_PER_HOUR_MAX}. Leave both empty for no event."
            ),
            "registration_event_until": (
                f"Local time, at most {REGISTRATION_EVENT_MAX_DAYS_AHEAD} days ahead; "
                f"the everyday limit applies again afterwards."
            ),
        }
        error_messages = {
            "registrations_per_hour_per_network": _whole_number_between(
                REGISTRATIONS_PER_HOUR_MIN, REGISTRATIONS_PER_HOUR_MAX
            ),
            "registration_event_limit_per_hour": _whole_number_between(
                REGISTRATIONS_PER_HOUR_MIN, REGISTRATION_EVENT_PER_HOUR_MAX
            ),
            "registration_event_until": {"invalid": "Enter a date and time, e.g. 2026-06-13 18:00."},
        }
        widgets = {
            "registration_event_until": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        }


class TermsForm(forms.Form):
    text_en = forms.CharField(label="Terms (English)", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    text_es = forms.CharField(
        label="Terms (Spanish)", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000, required=False
    )


class OffenseForm(forms.Form):
    name = forms.CharField(label="New offense type", max_length=100)


class BoundaryForm(forms.Form):
    boundary_file = forms.FileField(
        label="Jurisdiction boundary (GeoJSON)", help_text="A Polygon or MultiPolygon, as exported by GIS."
    )
