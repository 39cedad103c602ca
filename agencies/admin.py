from django.contrib import admin

from agencies.models import Agency, OffenseType, TermsVersion


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "contact_email"]


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    list_display = ["agency", "version", "published_at"]


admin.site.register(OffenseType)
