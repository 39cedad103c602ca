from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo town and its sign-ins (`make run`, the tests and the benchmarks): never needed in production."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
