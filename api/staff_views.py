"""The administrators' page for API tokens: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Permission, fresh_mfa_required, staff_required
from api.forms import ApiTokenForm
from api.models import ApiToken
from api.scopes import SCOPES
from api.services import api_token_create, api_token_revoke

# Tokens are accounts that act for the agency: whoever manages its staff manages them.
MANAGE = Permission.MANAGE_STAFF


def _page(request: HttpRequest, form: ApiTokenForm, status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(agency_id=request.user.agency_id).select_related("created_by", "revoked_by")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": tokens, "now": timezone.now(), "scope_labels": {k: v[0] for k, v in SCOPES.items()}},
        status=status,
    )


@staff_required(MANAGE)
@fresh_mfa_required
def tokens(request: HttpRequest) -> HttpResponse:
    if request.user.agency_id is None:
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = api_token_create(
                actor=request.user,
                name=data["name"],
                scopes=data["scopes"],
                expires_at=form.expires_at(),
                allowed_addresses=data["allowed_addresses"],
                request=request,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            # Rendered, not redirected: the secret must not wait in a session or a message store.
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return _page(request, form, status=400 if form.is_bound else 200)


@require_POST
@staff_required(MANAGE)
@fresh_mfa_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, agency_id=request.user.agency_id)
    api_token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, _("Token “%(name)s” revoked; it stopped working now.") % {"name": token.name})
    return redirect("api_tokens:list")
