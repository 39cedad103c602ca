from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "registrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox task calls these composers for this app's emails; models must be loaded first.
        from registrations import emails

        emails.composers_register()
