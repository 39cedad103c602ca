from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from webhooks.models import WebhookEvent


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Receiving URL"),
        max_length=500,
        help_text=_("An https:// address of the other system; private and internal addresses are refused."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple, choices=WebhookEvent.choices
    )
    token = forms.ModelChoiceField(
        label=_("API token"),
        queryset=ApiToken.objects.none(),
        help_text=_(
            "The integration the endpoint belongs to. Its scopes decide which events it may get, and contact "
            "details are included only if it has contacts:read."
        ),
    )

    def __init__(self, *args, agency_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["token"].queryset = ApiToken.objects.filter(
            agency_id=agency_id, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
