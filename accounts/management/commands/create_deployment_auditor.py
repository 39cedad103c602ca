import secrets

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from accounts.services import staff_create


class Command(BaseCommand):
    help = (
        "Create a deployment auditor: reads every agency's audit log (and entries of no agency), nothing else. "
        "Prints a temporary password once; the authenticator app (TOTP) is enrolled at first sign-in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True, help="Work email of the person.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, username: str, email: str, first_name: str, last_name: str, **options) -> None:
        username = username.strip()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"username: {username!r} is already taken.")
        password = secrets.token_urlsafe(18)
        try:
            user = staff_create(
                actor=None,
                agency=None,
                username=username,
                role=Role.DEPLOYMENT_AUDITOR,
                password=password,
                first_name=first_name,
                last_name=last_name,
                email=email.strip(),
            )
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise CommandError(problems) from None
        self.stdout.write(f"Deployment auditor {user.username} created (no agency; reads every agency's audit log).")
        self.stdout.write(f"Temporary password: {password}")
        self.stdout.write(
            "Shown once and not stored readably: give it to them in person. At first sign-in they set up an "
            "authenticator app (TOTP) and receive recovery codes."
        )
