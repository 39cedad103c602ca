"""Rows whose address lies in another agency's jurisdiction than the one the import is for.

Counted per agency and reported before anything is written ("2 rows fall in Cedar Grove PD's
jurisdiction: import them for Cedar Grove PD, or skip them"); the person chooses
(`ImportOptions.other_agencies`): "import" records them for that agency, against that agency's terms,
only when the importing user may import for it (`accounts.access.may_import_for`; the command line's
operator may); "skip" leaves them out; no choice refuses them, as an import for one agency always did.
An import for no agency in particular (the command without --agency) records each row for the agency
of its address, and the summary counts them per agency.
"""

from __future__ import annotations

from collections import Counter

from accounts.access import may_import_for
from agencies.models import Agency

from .options import ImportOptions
from .report import RowProblem

CHOICES = ("import", "skip")


class Routing:
    def __init__(self, options: ImportOptions) -> None:
        self.home = options.agency
        self.choice = options.other_agencies if options.other_agencies in CHOICES else ""
        self.actor = options.actor
        self.counts: Counter[tuple[int, str]] = Counter()
        self._allowed: dict[int, bool] = {}

    def _may_import(self, agency: Agency) -> bool:
        if self.actor is None:  # the command line: the operator runs it with the server's own rights
            return True
        if agency.pk not in self._allowed:
            self._allowed[agency.pk] = may_import_for(self.actor, agency.pk)
        return self._allowed[agency.pk]

    def verdict(self, row: int, agency: Agency, address_column: str) -> RowProblem | None:
        """None when the row is imported for `agency`; else why it is refused or skipped."""
        if self.home is not None and agency.pk == self.home.pk:
            return None
        self.counts[(agency.pk, agency.name)] += 1
        if self.home is None:  # an import for every agency (the command without --agency): each row to its own
            return None
        if self.choice == "skip":
            return RowProblem(
                row,
                "",
                f"The address is in {agency.name}'s jurisdiction; skipped, as chosen.",
                "skipped",
                "other_agency",
            )
        if self.choice == "import":
            if self._may_import(agency):
                return None
            return RowProblem(
                row,
                address_column,
                f"The address is in {agency.name}'s jurisdiction, and you may not import registrations for {agency.name}.",
            )
        return RowProblem(
            row, address_column, f"The address is in {agency.name}'s jurisdiction, not {self.home.name}'s."
        )

    def summary(self, dry_run: bool) -> list[str]:
        """One line per other agency, for the report's summary."""
        lines = []
        for (agency_id, name), count in sorted(self.counts.items(), key=lambda item: item[0][1]):
            rows = "1 row falls" if count == 1 else f"{count:,} rows fall"
            if self.home is None:
                lines.append(f"{rows} in {name}'s jurisdiction: for {name}, unless listed with a problem.")
                continue
            if self.choice == "import" and self._allowed.get(agency_id, self.actor is None):
                outcome = f"{'would be imported' if dry_run else 'imported'} for {name}"
            elif self.choice == "skip":
                outcome = "skipped, as chosen"
            elif self.choice == "import":
                outcome = f"refused: you may not import registrations for {name}"
            else:
                outcome = f"import them for {name}, or skip them"
            lines.append(f"{rows} in {name}'s jurisdiction: {outcome}.")
        return lines
