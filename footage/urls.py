from django.urls import path

from footage import views

app_name = "footage"
urlpatterns = [
    # Owners, through the private link in the request email.
    path("r/<uuid:public_id>/<str:value>/", views.open_link, name="open_link"),
    path("answer/<uuid:public_id>/", views.answer, name="answer"),
    path("answer/<uuid:public_id>/respond/", views.respond, name="respond"),
    path("answer/<uuid:public_id>/upload/", views.upload, name="upload"),
    # Investigators.
    path("staff/cases/<id:case_id>/requests/", views.case_requests, name="case_requests"),
    path("staff/cases/<id:case_id>/evidence-manifest.csv", views.evidence_manifest, name="evidence_manifest"),
    path("staff/requests/<id:request_id>/", views.request_detail, name="request_detail"),
    path("staff/requests/<id:request_id>/phone/", views.record_phone_call, name="record_phone_call"),
    path("staff/evidence/<id:evidence_id>/download/", views.evidence_download, name="evidence_download"),
    path("staff/evidence/<id:evidence_id>/verify/", views.evidence_verify, name="evidence_verify"),
]
