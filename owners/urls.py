from django.urls import path

from owners import views

app_name = "owners"
urlpatterns = [
    path("link/<str:value>/", views.open_link, name="link"),
    path("", views.dashboard, name="dashboard"),
]
