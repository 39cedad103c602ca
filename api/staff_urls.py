from django.urls import path

from api import staff_views

app_name = "api_tokens"

urlpatterns = [
    path("", staff_views.tokens, name="list"),
    path("<id:pk>/revoke/", staff_views.token_revoke, name="revoke"),
]
