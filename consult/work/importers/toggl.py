"""Toggl Track's detailed report, exported as CSV (and the same columns in Toggl's CSV import form).

Columns (Toggl Track help, "Editing and uploading a CSV file" and the detailed report export):
`User`, `Email`, `Client`, `Project`, `Task`, `Description`, `Billable`, `Start date`,
`Start time`, `End date`, `End time`, `Duration`, `Tags`, `Amount (…)`. Newer exports name
the end `Stop date` / `Stop time` and the person `Member`; the import form has no end at all,
only `Duration`. Dates and times are the user's local ones in the date format of their
profile (`YYYY-MM-DD`, `DD-MM-YYYY`, `MM/DD/YYYY`, `DD.MM.YYYY`…); `Billable` is written in
the user's language.
"""

from __future__ import annotations

from consult.work.importers.csvspec import CsvSpec

TOGGL = CsvSpec(
    tool="toggl", label="Toggl",
    detect=(("Start date",), ("Start time",), ("Project",)),
    project=("Project",), client=("Client",), task=("Task",), notes=("Description",),
    billable=("Billable",), person=("User", "Member"), email=("Email",),
    start_date=("Start date",), start_time=("Start time",),
    end_date=("End date", "Stop date"), end_time=("End time", "Stop time"), duration=("Duration",),
)
