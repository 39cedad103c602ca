from django.apps import AppConfig


class FootageConfig(AppConfig):
    name = "footage"
    default_auto_field = "django.db.models.BigAutoField"
