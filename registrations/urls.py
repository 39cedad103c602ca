from django.urls import path

from registrations import views

app_name = "registrations"
urlpatterns = [
    path("", views.register, name="register"),
    path("thanks/", views.thanks, name="thanks"),
    path("geocode", views.geocode_lookup, name="geocode"),
    path("agency", views.agency_lookup, name="agency"),
    path("boundaries.geojson", views.boundaries, name="boundaries"),
]
