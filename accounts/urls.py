from django.urls import path

from accounts import views
from registrations import staff_views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/verify/", views.mfa, name="mfa"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("confirm/", views.mfa_confirm, name="mfa_confirm"),
    path("accounts/", views.accounts_list, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<id:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<id:pk>/<slug:action>/", views.account_action, name="account_action"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/<id:pk>/revoke/", views.sharing_revoke, name="sharing_revoke"),
    path("registrations/", staff_views.registration_list_view, name="registrations"),
    path("registrations/<uuid:public_id>/", staff_views.registration_detail_view, name="registration_detail"),
    path("registrations/<uuid:public_id>/contact/", staff_views.registration_contact_view, name="registration_contact"),
]
