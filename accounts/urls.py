from django.urls import path

from accounts import password_views, views

app_name = "staff"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/verify/", views.mfa, name="mfa"),
    path("sign-in/forgot-password/", password_views.password_forgot, name="password_forgot"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("confirm/", views.mfa_confirm, name="mfa_confirm"),
    path("password/", password_views.password_change, name="password_change"),
    path("accounts/", views.accounts_list, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<id:pk>/", views.account_detail, name="account_detail"),
    # Before the generic actions: its answer is a page showing the temporary password once.
    path("accounts/<id:pk>/password-reset/", password_views.account_password_reset, name="account_password_reset"),
    path("accounts/<id:pk>/<slug:action>/", views.account_action, name="account_action"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/<id:pk>/revoke/", views.sharing_revoke, name="sharing_revoke"),
]
