from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from administration.exporting import FORMATS
from administration.services import registrations_export
from agencies.models import Agency
from registrations.models import Registration, Status


class Command(BaseCommand):
    help = "Export registrations as CSV, GeoJSON or KML (rejected registrations are never exported)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--agency", help="Only this agency's registrations (slug).")
        parser.add_argument("--output", help="File to write (default: standard output).")
        parser.add_argument("--contacts", action="store_true", help="Include owner and alternate contact details.")

    def handle(self, *args, **options):
        queryset = Registration.objects.exclude(status=Status.REJECTED)
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if agency is None:
                raise CommandError(f"No agency with slug '{options['agency']}'.")
            queryset = queryset.filter(agency=agency)
        try:
            stream = open(options["output"], "w", newline="", encoding="utf-8") if options["output"] else sys.stdout  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {options['output']}: {error.strerror}") from None
        try:
            count = registrations_export(
                queryset=queryset, format=options["format"], stream=stream, agency=agency, contacts=options["contacts"]
            )
        finally:
            if stream is not sys.stdout:
                stream.close()
        self.stderr.write(f"Exported {count:,} registrations as {options['format']}.")
