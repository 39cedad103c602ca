from django.apps import AppConfig


class OwnersConfig(AppConfig):
    name = "owners"
    default_auto_field = "django.db.models.BigAutoField"
