from django.urls import path

from administration import views

urlpatterns = [
    path("", views.transparency, name="transparency"),
    path("report-<int:year>.csv", views.transparency_report, name="transparency_report"),
]
