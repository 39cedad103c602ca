from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from administration.addresses import address_points_import
from cameraregistry.progress import Progress


class Command(BaseCommand):
    help = "Load address points for the local geocoder: CSV with address and latitude/longitude columns, or GeoJSON points."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--source", default="", help="Label stored with each point (default: the file name).")

    def handle(self, *args, **options):
        bar: list[Progress] = []

        def progress(done: int, total: int) -> None:
            if not bar:
                bar.append(Progress("Address points", total, self.stderr._out))
            bar[0].advance(done - bar[0].done)

        report = address_points_import(path=options["file"], source=options["source"], progress=progress)
        if report.file_problem:
            self.stderr.write(report.file_problem)
            sys.exit(1)
        for problem in report.problems[:50]:
            self.stdout.write(f"row {problem.row}, {problem.column}: {problem.problem}")
        self.stdout.write(
            f"{report.created:,} address points added, {report.updated:,} updated, "
            f"{len(report.problems):,} rows with problems."
        )
        if not report.ok:
            sys.exit(1)
