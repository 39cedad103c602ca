from django.urls import path

from owners import views

app_name = "owners"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("link/<str:value>/", views.open_link, name="link"),
    path("confirm/<str:value>/", views.confirm_link, name="confirm_link"),
    path("edit/", views.edit, name="edit"),
    path("status/", views.report_status, name="report_status"),
    path("pause/", views.pause, name="pause"),
    path("resume/", views.resume, name="resume"),
    path("reconfirm/", views.reconfirm, name="reconfirm"),
    path("consent/", views.consent, name="consent"),
    path("withdraw/", views.withdraw, name="withdraw"),
    path("sign-out/", views.sign_out, name="sign_out"),
]
