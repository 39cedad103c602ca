from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp.admin import OTPAdminSite

from accounts.access import password_change_pending
from accounts.models import User
from accounts.views import sign_out


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["agency", "role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (
        ("Agency", {"fields": ("agency", "role", "badge_number", "must_change_password")}),
    )


class StaffSignInAdminSite(OTPAdminSite):
    """The Django admin, reached only through the staff sign-in.

    The admin's own login form would sign a superuser in with no use banner, no second
    factor, no lockout and no audit entry. Here it only sends the browser to the staff
    sign-in; signing out goes through the staff sign-out (audited). Inside, only a
    superuser whose session passed the second factor gets in.
    """

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        next_url = request.GET.get(REDIRECT_FIELD_NAME, reverse("admin:index"))
        return HttpResponseRedirect(f"{reverse('staff:sign_in')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")

    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        return sign_out(request)

    def has_permission(self, request: HttpRequest) -> bool:
        # Same rule as staff_required: a temporary password opens nothing but the change-password page.
        return (
            super().has_permission(request) and request.user.is_superuser and not password_change_pending(request.user)
        )


# django-otp's documented site swap, with the sign-in above.
admin.site.__class__ = StaffSignInAdminSite
