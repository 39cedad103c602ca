from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from cameraregistry.mail import send_templated_email
from registrations.models import Registration
from registrations.tokens import owner_link_issue


@task()
def send_registration_confirmation(registration_id: int) -> None:
    registration = Registration.objects.select_related("agency").filter(pk=registration_id).first()
    if registration is None or not registration.owner_email:
        return  # withdrawn before the email went out
    link_value = owner_link_issue(registration=registration)
    link = settings.SITE_URL + reverse("owners:link", args=[link_value])
    send_templated_email(
        "emails/registration_confirmation",
        to=registration.owner_email,
        context={
            "registration": registration,
            "agency": registration.agency,
            "link": link,
            "link_days": settings.OWNER_LINK_MAX_AGE_DAYS,
            "cameras": list(registration.cameras.all()),
        },
        language=registration.language,
    )
