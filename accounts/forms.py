from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import AGENCY_ROLES, SHAREABLE_PERMISSIONS
from agencies.models import Agency

# Long passphrases are welcome (CJIS IA-5(1)); the cap only stops absurd request bodies.
PASSWORD_MAX_LENGTH = 256


class SignInForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=_("I understand this is a restricted system and that my use is monitored and recorded."),
        error_messages={"required": _("Confirm that you have read the notice above before signing in.")},
    )
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise ValidationError(_("Enter the 6 digits shown in your authenticator app."))
        return code


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=40,
        help_text=_("One of the ten codes you saved when you set up sign-in. Each works once."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Work email"), required=False)
    badge_number = forms.CharField(label=_("Badge number"), max_length=40, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=AGENCY_ROLES)
    password = forms.CharField(
        label=_("Temporary password"),
        help_text=_("At least 8 characters; long passphrases welcome. Give it to the person in person."),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is already taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(password, probe)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=AGENCY_ROLES)


class SharingGrantForm(forms.Form):
    receiving_agency = forms.ModelChoiceField(label=_("Share with"), queryset=Agency.objects.none())
    scope = forms.MultipleChoiceField(
        label=_("What they may do with your registrations"),
        choices=[(permission.value, permission.label) for permission in SHAREABLE_PERMISSIONS],
        widget=forms.CheckboxSelectMultiple,
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label=_("Ends on"),
        help_text=_("Access stops at the start of this day, automatically."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, own_agency: Agency, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["receiving_agency"].queryset = Agency.objects.exclude(pk=own_agency.pk)
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The end date must be after the start date."))
        if ends and ends <= timezone.localdate():
            self.add_error("ends_on", _("The end date must be in the future."))
        return cleaned


class PasswordChangeForm(forms.Form):
    """The holder's own change: the current password and a fresh authenticator code prove it is them."""

    old_password = forms.CharField(
        label=_("Current password"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        help_text=_("At least 8 characters; long passphrases welcome. Common passwords are refused."),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["old_password", "code", "new_password1", "new_password2"]

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    clean_code = TotpForm.clean_code

    def clean(self):
        cleaned = super().clean()
        new, again = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new and again and new != again:
            self.add_error("new_password2", _("The two new passwords are not the same."))
        elif new:
            old = cleaned.get("old_password")
            if old and new == old:
                self.add_error("new_password1", _("Choose a new password, not the current one."))
            else:
                try:
                    validate_password(new, self.user)
                except ValidationError as error:
                    self.add_error("new_password1", error)
        return cleaned


class PasswordForgotForm(forms.Form):
    username = forms.CharField(
        label=_("Your username (optional)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
