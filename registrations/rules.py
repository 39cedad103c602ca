"""The registration's rules, written once: limits and the lists of what an owner may change.

Read by the models, the public form, the owner's edit form, the registration services and the
importer, so a limit changes in one place for all of them.
"""

from __future__ import annotations

# A registration holds 1..MAX_CAMERAS cameras; more are described in the notes.
MIN_CAMERAS = 1
MAX_CAMERAS = 30
# A camera's stated range, in metres (the form asks in the agency's units).
CAMERA_RANGE_MIN_M = 1
CAMERA_RANGE_MAX_M = 300
# How far a resident may move the pin from the geocoded address.
MAX_PIN_CORRECTION_M = 400

# What an owner may change about their registration and about each camera (owner pages, queue).
OWNER_EDITABLE_FIELDS = (
    "property_type",
    "business_name",
    "street_address",
    "unit",
    "city",
    "postal_code",
    "owner_name",
    "owner_phone",
    "owner_email",
    "preferred_contact_method",
    "contact_hours",
    "alternate_name",
    "alternate_phone",
    "alternate_email",
    "alternate_relation",
    "notes_for_detectives",
)
CAMERA_ANSWER_FIELDS = (
    "records_street",
    "description",
    "bearing_degrees",
    "field_of_view_degrees",
    "range_m",
    "retention_days",
    "exports_common_format",
    "brand",
)


def answers_make_ineligible(answers) -> bool:
    """The program registers exterior cameras that record and keep video: "no" to either question ends the form."""
    return answers.get("exterior") == "no" or answers.get("records") == "no"
