from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Staff username"), max_length=150, required=False)
    action = forms.CharField(
        label=_("Action"),
        max_length=60,
        required=False,
        help_text=_('Start of the action, e.g. "canvass." or "staff.sign_in"'),
    )
    date_from = forms.DateField(label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(
        label=_("To (date, inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    object_id = forms.CharField(label=_("Object id"), max_length=64, required=False)
    outcome = forms.CharField(
        label=_("Outcome"), max_length=20, required=False, help_text=_("e.g. success, failure, denied")
    )

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned

    def filters(self) -> dict[str, str]:
        """The filters in use, as plain strings for the audit record and links."""
        return {name: str(value) for name, value in self.cleaned_data.items() if value not in (None, "")}
