"""Staff pages for registrations, mounted under /staff/registrations/ by the project's urls.py."""

from django.urls import path

from registrations import staff_views

app_name = "staff_registrations"

urlpatterns = [
    path("", staff_views.registration_list_view, name="list"),
    path("<uuid:public_id>/", staff_views.registration_detail_view, name="detail"),
    path("<uuid:public_id>/contact/", staff_views.registration_contact_view, name="contact"),
]
