"""The OpenAPI document and its Swagger UI page (served from drf-spectacular-sidecar, no inline script)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny


class SchemaApi(SpectacularAPIView):
    """Public: the document describes the API's shape, which is no secret, and holds no agency's data.
    An integrator reads it before having a token, and the docs page needs it without one."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


def docs_page(request: HttpRequest) -> HttpResponse:
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})
