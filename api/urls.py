from django.urls import path, re_path

from api import docs_views, registration_views
from api.problems import not_found
from webhooks import api_views as webhook_api

app_name = "api"

urlpatterns = [
    path("registrations/", registration_views.RegistrationListApi.as_view(), name="registrations"),
    path(
        "registrations/<uuid:public_id>/",
        registration_views.RegistrationDetailApi.as_view(),
        name="registration_detail",
    ),
    path(
        "registrations/<uuid:public_id>/contacts/",
        registration_views.RegistrationContactsApi.as_view(),
        name="registration_contacts",
    ),
    path("webhooks/", webhook_api.EndpointListApi.as_view(), name="webhooks"),
    path("webhooks/<id:endpoint_id>/", webhook_api.EndpointDetailApi.as_view(), name="webhook_detail"),
    path("webhooks/<id:endpoint_id>/rotate-secret/", webhook_api.EndpointRotateApi.as_view(), name="webhook_rotate"),
    path("webhooks/<id:endpoint_id>/deliveries/", webhook_api.DeliveryListApi.as_view(), name="webhook_deliveries"),
    path("schema/", docs_views.SchemaApi.as_view(), name="schema"),
    path("docs/", docs_views.docs_page, name="docs"),
]

# Last in the project's URLs (cameraregistry/urls.py): anything else under /api/ is a problem+json 404.
catch_all = re_path(r"^api/", not_found, name="api_not_found")
