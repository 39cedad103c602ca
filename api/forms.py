from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.scopes import scope_choices
from api.services import parse_allowed_addresses


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The system that will use it, e.g. “CAD dispatch” or “County GIS”."),
    )
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple, choices=[])
    expires_on = forms.DateField(
        label=_("Expires on"),
        help_text=_("Required; at most one year from today. The token stops working at the start of this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    allowed_addresses = forms.CharField(
        label=_("Allowed client addresses"),
        required=False,
        max_length=5000,
        help_text=_("One IP address or network (e.g. 192.0.2.0/24) per line. Leave empty to allow any address."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = scope_choices(user)

    def clean_expires_on(self) -> dt.date:
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise ValidationError(_("The expiry date must be after today."))
        if day > today + dt.timedelta(days=365):
            raise ValidationError(_("The expiry date can be at most one year from today."))
        return day

    def clean_allowed_addresses(self) -> list[str]:
        return parse_allowed_addresses(
            (self.cleaned_data.get("allowed_addresses") or "").replace("\x00", "").splitlines()
        )

    def expires_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["expires_on"], dt.time.min))
