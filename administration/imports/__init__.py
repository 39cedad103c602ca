"""Bulk import of a department's existing registrations (CSV or XLSX as online forms export them).

A pipeline, one module per step:
- `files` and `reader`: what the file is (CSV or workbook, ZIP checks), its encoding, the header row;
- `layout`: header row given or detected, width, total/notes rows at the bottom of a clerk's sheet;
- `mapping`: source profiles (Google Forms, Microsoft Forms, spreadsheet) and column guesses;
- `values`: one cell read the way people write it;
- `rows`: one row into the form's `RegistrationInput` (`row_to_input`, a hook per source profile);
- `validation`: the public form's own rules, and the agencies' jurisdictions;
- `routing`: rows in another agency's jurisdiction (counted per agency; imported for it, skipped or refused);
- `lookups` and `duplicates`: what each row is checked against, loaded once per file; resubmissions
  (the newest answer wins) and owners registered already (`updates`: a newer answer updates them);
- `writer`: the accepted rows through the shared `registrations.bulk.BulkWriter`;
- `running`: one import of a file at a time (a second one is told who started the first, and when);
- `report`: what the person who ran it reads; `service`: `registrations_import`, tying them together.
- the staff page's job around it: `job_states` (uploaded -> queued -> running -> saving -> done | failed,
  and the task's moves), `jobs` (the page's moves: upload stored, header row and sheet, queued once),
  `job_selectors` (the jobs a user may see, their progress and problems).

Re-importing is safe: each row's fingerprint (a keyed hash of address and owner contact) is kept in
`ImportedRow`, including after the registration is withdrawn, so an owner who left is never re-created
from an old spreadsheet.
"""
