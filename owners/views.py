"""Owner self-service entry point: the private link from an email.

GET only shows a button (mail scanners follow links and must not use them up);
POST consumes the link and opens a session scoped to that one registration.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from registrations.models import Registration
from registrations.tokens import LinkError, owner_link_check, owner_link_consume

SESSION_KEY = "owner_registration_id"


@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, value: str) -> HttpResponse:
    try:
        if request.method == "GET":
            owner_link_check(value)
            return render(request, "owners/confirm_link.html")
        registration = owner_link_consume(value)
    except LinkError as error:
        return render(request, "owners/link_problem.html", {"reason": error.reason}, status=410 if error.reason != "invalid" else 404)
    request.session.cycle_key()
    request.session[SESSION_KEY] = registration.pk
    return redirect("owners:dashboard")


def owner_registration(request: HttpRequest) -> Registration | None:
    """The one registration this browser session may see: the chokepoint for owner pages."""
    registration_id = request.session.get(SESSION_KEY)
    if registration_id is None:
        return None
    return Registration.objects.select_related("agency").filter(pk=registration_id).first()


def dashboard(request: HttpRequest) -> HttpResponse:
    registration = owner_registration(request)
    if registration is None:
        return render(request, "owners/link_problem.html", {"reason": "no_session"}, status=403)
    return render(request, "owners/dashboard.html", {"registration": registration, "cameras": registration.cameras.all()})
