from django.core.management.base import BaseCommand, CommandError

from demo.staff import DemoModeOff, demo_totp_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo staff account. Refused unless DEBUG and DEMO_MODE are true."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        try:
            self.stdout.write(demo_totp_code(username))
        except DemoModeOff as error:
            raise CommandError(str(error)) from None
        except LookupError as error:
            raise CommandError(str(error)) from None
