"""No owner's name, email or phone is readable in the raw database, on SQLite or PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from registrations.models import Registration
from tests.registrations.helpers import form_data, post

# Committed data, so SQLite can VACUUM INTO a file (it refuses inside a transaction).
pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC_FORM_OWNER = ("Rosa Alvarez", "(708) 555-0142", "rosa.alvarez@example.com")


def raw_database_bytes(tmp_path) -> bytes:
    """Every byte the database holds: a file copy of SQLite, or a COPY of every PostgreSQL table."""
    if connection.vendor == "sqlite":
        copy_path = tmp_path / "copy.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy_path)])
        return copy_path.read_bytes()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                chunks.extend(bytes(data) for data in copy)
    return b"".join(chunks)


@pytest.mark.slow
def test_seeded_and_registered_contacts_are_not_in_plaintext(client, town, tmp_path):
    response = post(client, form_data(town["maple"].current_terms().pk))
    assert response.status_code == 302
    secrets = set(PUBLIC_FORM_OWNER)
    for registration in Registration.objects.all():
        for value in (
            registration.owner_name,
            registration.owner_phone,
            registration.owner_email,
            registration.alternate_name,
            registration.alternate_phone,
            registration.alternate_email,
        ):
            if value:
                secrets.add(value)
    assert len(secrets) > 80 and "Rosa Alvarez" in {r.owner_name for r in Registration.objects.all()}

    dump = raw_database_bytes(tmp_path)

    assert len(dump) > 100_000
    # A sanity check that the dump really holds the data: non-personal columns are in clear.
    assert Registration.objects.first().street_address.encode() in dump
    found = sorted(secret for secret in secrets if secret.encode() in dump or secret.lower().encode() in dump.lower())
    assert found == [], f"personal data readable in the raw database: {found[:10]}"
