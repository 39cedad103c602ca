from django.urls import path, re_path

from api import canvass_views, case_views, docs_views, footage_views, incident_views, registration_views
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
    path("searches/", canvass_views.SearchCreateApi.as_view(), name="searches"),
    path("searches/<id:search_id>/", canvass_views.SearchDetailApi.as_view(), name="search_detail"),
    path("searches/<id:search_id>/geojson", canvass_views.SearchGeoJSONApi.as_view(), name="search_geojson"),
    path("cases/", case_views.CaseListApi.as_view(), name="cases"),
    path("cases/<id:case_id>/", case_views.CaseDetailApi.as_view(), name="case_detail"),
    path("cases/<id:case_id>/cameras/", case_views.CaseCameraChooseApi.as_view(), name="case_cameras"),
    path(
        "cases/<id:case_id>/cameras/<id:camera_id>/",
        case_views.CaseCameraRemoveApi.as_view(),
        name="case_camera_remove",
    ),
    path("cases/<id:case_id>/close/", case_views.CaseCloseApi.as_view(), name="case_close"),
    path("cases/<id:case_id>/reopen/", case_views.CaseReopenApi.as_view(), name="case_reopen"),
    path("cases/<id:case_id>/footage-requests/", footage_views.CaseRequestsApi.as_view(), name="case_footage_requests"),
    path("footage-requests/<id:request_id>/", footage_views.RequestDetailApi.as_view(), name="footage_request"),
    path(
        "footage-requests/<id:request_id>/evidence/",
        footage_views.RequestEvidenceApi.as_view(),
        name="footage_request_evidence",
    ),
    path("evidence/<id:evidence_id>/download", footage_views.EvidenceDownloadApi.as_view(), name="evidence_download"),
    path("incidents/", incident_views.IncidentApi.as_view(), name="incidents"),
    path("schema/", docs_views.SchemaApi.as_view(), name="schema"),
    path("docs/", docs_views.docs_page, name="docs"),
]

# Last in the project's URLs (cameraregistry/urls.py): anything else under /api/ is a problem+json 404.
catch_all = re_path(r"^api/", not_found, name="api_not_found")
