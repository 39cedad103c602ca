from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.staff import DEMO_PASSWORD, DEMO_TOTP_KEY, DemoModeOff, demo_staff_ensure


class Command(BaseCommand):
    help = "Create (if needed) and print the demo staff sign-ins. Only works in demo mode (DEBUG and DEMO_MODE true)."

    def handle(self, *args, **options):
        try:
            users = demo_staff_ensure()
        except DemoModeOff as error:
            # Not an error: `make run` calls this in every mode and simply prints nothing outside demo mode.
            self.stderr.write(str(error))
            return
        if not users:
            raise CommandError("No demo agencies yet: run the demo town builder first.")
        secret = b32encode(unhexlify(DEMO_TOTP_KEY)).decode()
        self.stdout.write("")
        self.stdout.write("Demo staff sign-ins (development only):")
        self.stdout.write(f"  Sign in at {settings.SITE_URL}/staff/sign-in/  password for all: {DEMO_PASSWORD}")
        for user in users:
            self.stdout.write(f"  {user.username:<20} {user.get_role_display():<14} {user.agency}")
        self.stdout.write(
            f"  Authenticator secret (all): {secret}   or: .venv/bin/python manage.py demo_totp <username>"
        )
        self.stdout.write(f"  Public registration: {settings.SITE_URL}/register/")
        self.stdout.write("")
