from django.contrib import admin

from registrations.models import AddressPoint, Camera, ConsentRecord, Registration


class CameraInline(admin.TabularInline):
    model = Camera
    extra = 0


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    readonly_fields = ["terms_version", "accepted_at", "source", "language"]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["street_address", "agency", "status", "property_type", "created_at", "last_confirmed_at"]
    list_filter = ["agency", "status", "property_type"]
    search_fields = ["street_address", "business_name"]
    exclude = ["owner_email_hash", "submission_nonce"]
    inlines = [CameraInline, ConsentInline]


@admin.register(AddressPoint)
class AddressPointAdmin(admin.ModelAdmin):
    list_display = ["address", "city", "latitude", "longitude"]
    search_fields = ["normalized"]
