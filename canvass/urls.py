from django.urls import path

from canvass import views

app_name = "canvass"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("searches/<id:search_id>/", views.search_results, name="results"),
    path("searches/<id:search_id>/contacts/<uuid:public_id>/", views.contact_reveal, name="contact"),
    path("searches/<id:search_id>/sheet/", views.canvass_sheet, name="sheet"),
    path("searches/<id:search_id>/export.csv", views.export_csv, name="export_csv"),
    path("searches/<id:search_id>/export.geojson", views.export_geojson, name="export_geojson"),
    path("cases/<id:case_id>/", views.case_detail, name="case"),
    path("cases/<id:case_id>/close/", views.case_close, name="case_close"),
    path("cases/<id:case_id>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<id:case_id>/cameras/", views.case_camera_add, name="case_camera_add"),
    path("cases/<id:case_id>/cameras/<id:camera_id>/remove/", views.case_camera_remove, name="case_camera_remove"),
]
