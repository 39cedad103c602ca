"""Every model change has its migration: the schema CI builds from migrations is the one the models describe.

Marked slow because `make quick` builds its test database straight from the models (`--nomigrations`, a
few seconds faster per worker); `make test` and CI build it from the migrations and run this check.
"""

import io

import pytest
from django.core.management import call_command


@pytest.mark.slow
@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations --check found model changes without a migration:\n{out.getvalue()}{exit_}")
