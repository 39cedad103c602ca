from django.apps import AppConfig


class CanvassConfig(AppConfig):
    name = "canvass"
    default_auto_field = "django.db.models.BigAutoField"
