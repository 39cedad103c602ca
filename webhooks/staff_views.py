"""The administrators' page for webhook endpoints: list with recent deliveries, create, rotate, disable."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Permission, fresh_mfa_required, staff_required
from webhooks.forms import WebhookEndpointForm
from webhooks.selectors import endpoint_of, endpoints_with_recent_deliveries
from webhooks.services import webhook_endpoint_create, webhook_endpoint_disable, webhook_secret_rotate
from webhooks.signing import ROTATION_GRACE

# Endpoints send the agency's data to another system, like API tokens: whoever manages staff manages them.
MANAGE = Permission.MANAGE_STAFF


def _add_errors(form: WebhookEndpointForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@staff_required(MANAGE)
@fresh_mfa_required
def endpoints(request: HttpRequest) -> HttpResponse:
    agency_id = request.user.agency_id
    if agency_id is None:
        raise PermissionDenied
    form = WebhookEndpointForm(request.POST or None, agency_id=agency_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = webhook_endpoint_create(
                actor=request.user, token=data["token"], url=data["url"], events=data["events"], request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            # Rendered, not redirected: the secret must not wait in a session or a message store.
            return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": secret, "created": True})
    context = {"form": form, "endpoints": endpoints_with_recent_deliveries(agency_id)}
    return render(request, "webhooks/endpoints.html", context, status=400 if form.is_bound else 200)


@require_POST
@staff_required(MANAGE)
@fresh_mfa_required
def endpoint_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_of(request.user.agency_id, pk)
    try:
        secret = webhook_secret_rotate(actor=request.user, endpoint=endpoint, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("webhooks:list")
    endpoint.refresh_from_db()
    context = {"endpoint": endpoint, "secret": secret, "valid_until": endpoint.rotated_at + ROTATION_GRACE}
    return render(request, "webhooks/secret.html", context)


@require_POST
@staff_required(MANAGE)
@fresh_mfa_required
def endpoint_disable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = endpoint_of(request.user.agency_id, pk)
    webhook_endpoint_disable(actor=request.user, endpoint=endpoint, request=request)
    messages.success(request, _("Endpoint %(url)s disabled; nothing more is sent to it.") % {"url": endpoint.url})
    return redirect("webhooks:list")
