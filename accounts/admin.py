from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.admin import OTPAdminSite

from accounts.models import User


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["agency", "role", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Agency", {"fields": ("agency", "role", "badge_number")}),)


# The Django admin shows everything, so it demands the same second factor as the staff pages:
# only superusers verified by an OTP device get in (django-otp's documented site swap).
admin.site.__class__ = OTPAdminSite
