from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A secret an integration (CAD, RMS, GIS) sends as `Authorization: Bearer …`.

    Only the SHA-256 of the secret is stored. The token acts as its own integration account
    (`account`: same agency, no role, unusable password), so the audit log names it and the
    access chokepoint scopes it exactly as it does staff.
    """

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token")
    scopes = models.JSONField(default=list, help_text="List of api.scopes.SCOPES names")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField()
    allowed_addresses = models.JSONField(
        default=list, blank=True, help_text="IP addresses or CIDR networks; empty: any"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.expires_at > at
