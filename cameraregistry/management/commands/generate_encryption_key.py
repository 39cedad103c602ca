from django.core.management.base import BaseCommand

from cameraregistry.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new random AES-256 key (base64) to put first in FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        self.stdout.write(generate_key())
