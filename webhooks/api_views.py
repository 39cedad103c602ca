"""`/api/v1/webhooks/`: an integration manages its own endpoints (scope webhooks:manage).

An endpoint made here belongs to the token that made it: its scopes decide which events it may
get and whether contacts are included, so no token can reach more through a webhook than it could read.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from api.base import ApiView
from api.registration_views import ERRORS
from webhooks.models import DeliveryStatus, WebhookEvent
from webhooks.selectors import deliveries_of, endpoint_of, endpoints_of
from webhooks.services import webhook_endpoint_create, webhook_endpoint_disable, webhook_secret_rotate
from webhooks.signing import ROTATION_GRACE

DELIVERIES_MAX = 200


def _django_errors(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        return serializers.ValidationError(error.message_dict)
    return serializers.ValidationError({"non_field_errors": error.messages})


_ENDPOINT_EXAMPLE = {
    "id": 3,
    "url": "https://cad.example.gov/hooks/registry",
    "events": ["evidence.received", "footage_request.answered"],
    "token": "CAD dispatch",
    "active": True,
    "created_at": "2026-12-01T14:02:11Z",
    "rotated_at": None,
    "disabled_at": None,
}
_DELIVERY_EXAMPLE = {
    "id": 41,
    "event": "evidence.received",
    "event_id": "6f1c8f0e-3b7a-4a55-9a43-0d3f2f4f9b11",
    "status": "delivered",
    "attempts": 2,
    "next_attempt_at": None,
    "last_status_code": 200,
    "last_error": "",
    "created_at": "2026-12-02T03:14:00Z",
    "delivered_at": "2026-12-02T03:15:02Z",
}


@extend_schema_serializer(component_name="WebhookEndpoint")
class EndpointOutput(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    token = serializers.CharField(source="token.name", help_text="The API token the endpoint belongs to")
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    rotated_at = serializers.DateTimeField(allow_null=True)
    disabled_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="WebhookEndpointCreated")
class EndpointCreatedOutput(EndpointOutput):
    secret = serializers.CharField(help_text="Shown once: keep it to verify Webhook-Signature.")


class EndpointListApi(ApiView):
    operation = "webhooks.list"
    required_scope = "webhooks:manage"

    class InputSerializer(serializers.Serializer):
        url = serializers.CharField(max_length=500, help_text="https:// on a public address")
        events = serializers.ListField(
            child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=len(WebhookEvent)
        )

    @extend_schema(
        operation_id="webhooks_list",
        summary="Your agency's webhook endpoints",
        description="Every endpoint of your agency, active or disabled. Scope: `webhooks:manage`.",
        responses={200: EndpointOutput(many=True), **ERRORS},
        examples=[OpenApiExample("Endpoints", value=[_ENDPOINT_EXAMPLE], response_only=True)],
    )
    def get(self, request):
        endpoints = list(endpoints_of(request.user.agency_id))
        self.audit(request, object_type="webhook_endpoint", parameters={"count": len(endpoints)})
        return Response(EndpointOutput(endpoints, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Register an endpoint (the secret is in this answer only)",
        request=InputSerializer,
        responses={201: EndpointCreatedOutput, **ERRORS},
        examples=[
            OpenApiExample(
                "Evidence arrivals",
                value={"url": "https://cad.example.gov/hooks/registry", "events": ["evidence.received"]},
                request_only=True,
            ),
            OpenApiExample(
                "Registered", value={**_ENDPOINT_EXAMPLE, "secret": "whsec_…shown once…"}, response_only=True
            ),
        ],
        description=(
            "The endpoint belongs to the calling token: events are sent only while that token may read them, and "
            "owners' contacts only if it holds `contacts:read`. Scope: `webhooks:manage`."
        ),
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            endpoint, secret = webhook_endpoint_create(
                actor=request.user, token=request.auth, url=data["url"], events=data["events"], request=request._request
            )
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        self.audit(request, object_type="webhook_endpoint", object_id=endpoint.pk)
        return Response({**EndpointOutput(endpoint).data, "secret": secret}, status=status.HTTP_201_CREATED)


class EndpointDetailApi(ApiView):
    operation = "webhooks.detail"
    required_scope = "webhooks:manage"

    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="One endpoint",
        description="Another agency's endpoint answers 404. Scope: `webhooks:manage`.",
        responses={200: EndpointOutput, **ERRORS},
        examples=[OpenApiExample("Endpoint", value=_ENDPOINT_EXAMPLE, response_only=True)],
    )
    def get(self, request, endpoint_id):
        endpoint = endpoint_of(request.user.agency_id, endpoint_id)
        self.audit(request, object_type="webhook_endpoint", object_id=endpoint.pk)
        return Response(EndpointOutput(endpoint).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Disable an endpoint (pending deliveries are dropped; the log stays)",
        description="Scope: `webhooks:manage`.",
        responses={204: None, **ERRORS},
    )
    def delete(self, request, endpoint_id):
        endpoint = endpoint_of(request.user.agency_id, endpoint_id)
        webhook_endpoint_disable(actor=request.user, endpoint=endpoint, request=request._request)
        self.audit(request, object_type="webhook_endpoint", object_id=endpoint.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateApi(ApiView):
    operation = "webhooks.rotate_secret"
    required_scope = "webhooks:manage"

    @extend_schema_serializer(component_name="WebhookSecret")
    class OutputSerializer(serializers.Serializer):
        secret = serializers.CharField(help_text="Shown once.")
        previous_secret_valid_until = serializers.DateTimeField(
            help_text="Until then each delivery carries a second v1= signature made with the previous secret."
        )

    @extend_schema(
        operation_id="webhooks_rotate_secret",
        summary="A new signing secret (the previous one signs too for 24 hours)",
        description="The new secret is in this answer only. Scope: `webhooks:manage`.",
        request=None,
        responses={200: OutputSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Rotated",
                value={"secret": "whsec_…shown once…", "previous_secret_valid_until": "2026-12-03T14:02:11Z"},
                response_only=True,
            )
        ],
    )
    def post(self, request, endpoint_id):
        endpoint = endpoint_of(request.user.agency_id, endpoint_id)
        try:
            secret = webhook_secret_rotate(actor=request.user, endpoint=endpoint, request=request._request)
        except DjangoValidationError as error:
            raise _django_errors(error) from None
        endpoint.refresh_from_db()
        self.audit(request, object_type="webhook_endpoint", object_id=endpoint.pk)
        return Response({"secret": secret, "previous_secret_valid_until": endpoint.rotated_at + ROTATION_GRACE})


class DeliveryListApi(ApiView):
    operation = "webhooks.deliveries"
    required_scope = "webhooks:manage"

    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
        limit = serializers.IntegerField(required=False, min_value=1, max_value=DELIVERIES_MAX, default=50)

    @extend_schema_serializer(component_name="WebhookDelivery")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        event = serializers.ChoiceField(choices=WebhookEvent.choices)
        event_id = serializers.UUIDField(help_text="Sent as Webhook-Id on every attempt")
        status = serializers.ChoiceField(choices=DeliveryStatus.choices)
        attempts = serializers.IntegerField()
        next_attempt_at = serializers.DateTimeField(allow_null=True)
        last_status_code = serializers.IntegerField(allow_null=True)
        last_error = serializers.CharField()
        created_at = serializers.DateTimeField()
        delivered_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary=f"The endpoint's latest deliveries (at most {DELIVERIES_MAX})",
        description="Newest first, with each one's attempts and last error. Scope: `webhooks:manage`.",
        parameters=[InputSerializer],
        responses={200: OutputSerializer(many=True), **ERRORS},
        examples=[OpenApiExample("Deliveries", value=[_DELIVERY_EXAMPLE], response_only=True)],
    )
    def get(self, request, endpoint_id):
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        endpoint = endpoint_of(request.user.agency_id, endpoint_id)
        deliveries = deliveries_of(
            endpoint, serializer.validated_data.get("status", ""), serializer.validated_data["limit"]
        )
        self.audit(
            request, object_type="webhook_endpoint", object_id=endpoint.pk, parameters={"count": len(deliveries)}
        )
        return Response(self.OutputSerializer(deliveries, many=True).data)
