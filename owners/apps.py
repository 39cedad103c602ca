from django.apps import AppConfig


class OwnersConfig(AppConfig):
    name = "owners"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outbox task calls these composers for this app's emails; models must be loaded first.
        from owners import emails

        emails.composers_register()
