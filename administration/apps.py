from django.apps import AppConfig


class AdministrationConfig(AppConfig):
    name = "administration"
    default_auto_field = "django.db.models.BigAutoField"
