"""The OpenAPI document and its Swagger UI page (served from drf-spectacular-sidecar, no inline script)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from api.problems import CONTENT_TYPE, problem
from api.renderers import JSONRenderer


class SchemaApi(SpectacularAPIView):
    """Public: the document describes the API's shape, which is no secret, and holds no agency's data.
    An integrator reads it before having a token, and the docs page needs it without one."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400:  # a problem, not a YAML document
            response.accepted_renderer, response.accepted_media_type = JSONRenderer(), CONTENT_TYPE
        return response


def docs_page(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse(problem(405, "The documentation page answers GET only."), status=405)
        response["Content-Type"] = CONTENT_TYPE
        response["Allow"] = "GET, HEAD"
        return response
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})
