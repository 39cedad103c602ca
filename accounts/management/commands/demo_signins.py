from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.models import User

DEMO_PASSWORD = "demo-password-2026"


class Command(BaseCommand):
    help = "Create (if needed) and print the demo sign-ins. Only works in demo mode (DEBUG and DEMO_MODE true)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            self.stderr.write("Demo sign-ins exist only when DEBUG=true and DEMO_MODE=true.")
            return
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@maplefalls.example", DEMO_PASSWORD)
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (development only):")
        self.stdout.write(
            f"  Data admin (temporary): {settings.SITE_URL}/django-admin/  user: admin  password: {DEMO_PASSWORD}"
        )
        self.stdout.write(f"  Public registration:    {settings.SITE_URL}/register/")
        self.stdout.write("")
