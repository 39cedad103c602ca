from django.apps import AppConfig


class FootageConfig(AppConfig):
    name = "footage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox task calls these composers for this app's emails; models must be loaded first.
        from footage import emails

        emails.composers_register()
