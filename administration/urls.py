from django.urls import path

from administration import views

app_name = "administration"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("registrations/<uuid:public_id>/", views.review, name="review"),
    path("registrations/<uuid:public_id>/verify/", views.verify, name="verify"),
    path("registrations/<uuid:public_id>/reject/", views.reject, name="reject"),
    path("registrations/<uuid:public_id>/merge/<uuid:other_id>/", views.merge, name="merge"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<uuid:job_id>/", views.import_mapping, name="import_mapping"),
    path("import/<uuid:job_id>/progress/", views.import_progress, name="import_progress"),
    path("import/<uuid:job_id>/report.csv", views.import_report_csv, name="import_report_csv"),
    path("export/", views.export, name="export"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/offense-types/<id:pk>/deactivate/", views.offense_deactivate, name="offense_deactivate"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
