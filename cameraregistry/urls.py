from django.contrib import admin
from django.urls import include, path

from api.urls import catch_all as api_catch_all
from cameraregistry import metrics, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("register/", include("registrations.urls")),
    path("manage/", include("owners.urls")),
    path("footage/", include("footage.urls")),
    path("staff/", include("accounts.urls")),
    path("staff/registrations/", include("registrations.staff_urls")),
    path("staff/admin/", include("administration.urls")),
    path("transparency/", include("administration.public_urls")),
    path("staff/canvass/", include("canvass.urls")),
    path("staff/audit/", include("audit.urls")),
    path("staff/api-tokens/", include("api.staff_urls")),
    path("staff/webhooks/", include("webhooks.staff_urls")),
    path("django-admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    api_catch_all,
]

handler400 = "cameraregistry.views.bad_request"
handler403 = "cameraregistry.views.permission_denied"
handler404 = "cameraregistry.views.page_not_found"
handler500 = "cameraregistry.views.server_error"
