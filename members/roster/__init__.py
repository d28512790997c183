"""Roster import (花名册) and member export.

A union uploads its members as an xlsx workbook built on the template; the rows are checked and shown, and
imported only when the user confirms (``importing`` has the states and the services). The package, in the
order a roster goes through it:

- ``columns``: the file format, the template's Chinese headings and choice labels;
- ``reading``: what calamine cannot see (formulas, merged cells, zip bombs), then the cells, with calamine;
- ``checking``: each row, then the file's duplicates and the people who are members already;
- ``staging``: the outcome of the check, kept from the preview to the confirmation;
- ``results``: the preview's errors and transfer offers, and the error file;
- ``writing``: members, membership periods and audit rows (COPY on PostgreSQL);
- ``importing``: the services (upload, validate, confirm, cancel, import) and the Celery task;
- ``export``: the template and the member export.

Speed (a 100,000-row roster is the design case; ``bench/roster_import.py`` measures a 50,000-row one):
python-calamine reads the sheet, rows are checked in plain Python, existing ID numbers are looked up a few
thousand at a time, the confirmation reuses the preview's check when nothing it depends on has changed, and
members, periods and audit rows go in with COPY. The views, the task module and the tests import from here.
"""

from .checking import CheckedRow, Issue, Offer, RosterCheck, check_roster
from .columns import CHOICES, COLUMNS, ERROR_HEADING, LABELS
from .export import member_export, member_export_queryset, roster_template
from .importing import (
    STALLED_AFTER,
    roster_cancel,
    roster_confirm,
    roster_import_rows,
    roster_process,
    roster_progress,
    roster_stalled,
    roster_upload,
    roster_validate,
)
from .reading import MAX_UPLOAD_BYTES, RosterRefused, inspect_workbook, read_roster

__all__ = [
    "CHOICES",
    "COLUMNS",
    "ERROR_HEADING",
    "LABELS",
    "MAX_UPLOAD_BYTES",
    "STALLED_AFTER",
    "CheckedRow",
    "Issue",
    "Offer",
    "RosterCheck",
    "RosterRefused",
    "check_roster",
    "inspect_workbook",
    "member_export",
    "member_export_queryset",
    "read_roster",
    "roster_cancel",
    "roster_confirm",
    "roster_import_rows",
    "roster_process",
    "roster_progress",
    "roster_stalled",
    "roster_template",
    "roster_upload",
    "roster_validate",
]
