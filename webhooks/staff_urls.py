from django.urls import path

from webhooks import staff_views

app_name = "webhooks"

urlpatterns = [
    path("", staff_views.endpoints, name="list"),
    path("<id:pk>/rotate/", staff_views.endpoint_rotate, name="rotate"),
    path("<id:pk>/disable/", staff_views.endpoint_disable, name="disable"),
]
