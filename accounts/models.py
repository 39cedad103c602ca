from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.permissions import SHAREABLE_PERMISSIONS, Role


class User(AbstractUser):
    """A staff member of one agency. Residents never have accounts."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.INVESTIGATOR)
    badge_number = models.CharField(max_length=40, blank=True)
    # Set by an administrator's reset or a new account's temporary password: until they choose their own,
    # the holder reaches nothing but the change-password page (accounts.access.staff_required).
    must_change_password = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.DEPLOYMENT_AUDITOR and self.agency_id is not None:
            raise ValidationError({"role": _("A deployment auditor belongs to no agency.")})


class SharingAgreement(models.Model):
    """One agency lets another agency's staff use some of its registrations.

    Access through an agreement is computed at query time from `starts_at`, `ends_at`
    and `revoked_at`, so it ends on its end date without any scheduled job.
    """

    granting_agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="sharing_granted")
    receiving_agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="sharing_received")
    scope = models.JSONField(default=list, help_text="List of accounts.access.Permission values this agreement covers")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["receiving_agency", "revoked_at", "ends_at"])]

    def __str__(self) -> str:
        return f"{self.granting_agency} → {self.receiving_agency}"

    def clean(self) -> None:
        errors = {}
        if self.granting_agency_id and self.granting_agency_id == self.receiving_agency_id:
            errors["receiving_agency"] = _("An agency cannot share with itself.")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The end must be after the start.")
        allowed = {permission.value for permission in SHAREABLE_PERMISSIONS}
        if not isinstance(self.scope, list) or not self.scope or not set(self.scope) <= allowed:
            errors["scope"] = _("Choose at least one of the shareable permissions.")
        if errors:
            raise ValidationError(errors)

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and self.starts_at <= at < self.ends_at


class RecoveryCode(models.Model):
    """A single-use recovery code, stored only as a SHA-256 digest.

    The codes are long random strings (not passwords people choose), so a fast hash
    does not make them guessable; django-otp's StaticToken keeps them in plaintext.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]


class StaffSession(models.Model):
    """Which session keys belong to which user, so disabling an account can end them all."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
