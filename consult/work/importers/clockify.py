"""Clockify's detailed report, exported as CSV.

Columns (Clockify help, "Detailed report" and its CSV export): `Project`, `Client`,
`Description`, `Task`, `User`, `Group`, `Email`, `Tags`, `Billable`, `Start Date`,
`Start Time`, `End Date`, `End Time`, `Duration (h)`, `Duration (decimal)`, `Billable Rate (…)`,
`Billable Amount (…)`. A workspace can hide columns (amounts, `Billable`): an export without
`Billable` is all billable time, said so in the summary. Dates and times follow the user's
settings (`MM/DD/YYYY` and `hh:mm:ss A` by default).
"""

from __future__ import annotations

from consult.work.importers.csvspec import CsvSpec

CLOCKIFY = CsvSpec(
    tool="clockify", label="Clockify",
    detect=(("Start Date",), ("Start Time",), ("Project",)),
    project=("Project",), client=("Client",), task=("Task",), notes=("Description",),
    billable=("Billable",), person=("User",), email=("Email",),
    start_date=("Start Date",), start_time=("Start Time",),
    end_date=("End Date",), end_time=("End Time",), duration=("Duration (h)", "Duration (decimal)"),
)
