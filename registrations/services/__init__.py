"""Every write to a registration, by who makes it:

- create.py: the public form, the API and the importer creating one (rules, input types, limits);
- owner.py: the owner's own edits, pause and resume, re-confirmation, re-consent, withdrawal;
- staff.py: verify, reject, merge, and the registrations part of the retention purge.

The owners and administration apps keep their pages and call these. Import from here.
"""

from registrations.services.create import (
    MAX_CAMERAS,
    MAX_PIN_CORRECTION_M,
    CameraInput,
    RegistrationInput,
    RegistrationRejected,
    registration_create,
    registration_input_errors,
)
from registrations.services.owner import (
    CameraChange,
    consent_needed,
    owner_action_audit,
    registration_owner_update,
    registration_pause,
    registration_reconfirm,
    registration_reconsent,
    registration_resume,
    registration_withdraw,
)
from registrations.services.staff import (
    registration_reject,
    registration_verify,
    registrations_merge,
    registrations_purge,
)

__all__ = [
    "MAX_CAMERAS",
    "MAX_PIN_CORRECTION_M",
    "CameraChange",
    "CameraInput",
    "RegistrationInput",
    "RegistrationRejected",
    "consent_needed",
    "owner_action_audit",
    "registration_create",
    "registration_input_errors",
    "registration_owner_update",
    "registration_pause",
    "registration_reconfirm",
    "registration_reconsent",
    "registration_reject",
    "registration_resume",
    "registration_verify",
    "registration_withdraw",
    "registrations_merge",
    "registrations_purge",
]
