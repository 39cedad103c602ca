from django.apps import AppConfig
from django.urls import register_converter


class CameraRegistryConfig(AppConfig):
    name = "cameraregistry"

    def ready(self) -> None:
        from cameraregistry.converters import IdConverter

        # Before any URLconf is loaded: every urls.py can use `<id:...>` for database ids.
        register_converter(IdConverter, "id")
