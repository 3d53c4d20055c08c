"""Harvest's detailed time report, exported as CSV.

Columns (Harvest help, "Importing and exporting data": a detailed time report export can be
imported back): `Date`, `Client`, `Project`, `Project Code`, `Task`, `Notes`, `Hours`,
`Hours Rounded`, `Billable?`, `Invoiced?`, `Approved?`, `First Name`, `Last Name`, `Roles`,
`Employee?`, rates, amounts, `Currency`, `External Reference URL`. Harvest keeps hours, not
clock times: `1.33` is 80 minutes (half up of 79.8). Dates follow the account's date format.
"""

from __future__ import annotations

from consult.work.importers.csvspec import CsvSpec

HARVEST = CsvSpec(
    tool="harvest", label="Harvest",
    detect=(("Date",), ("Hours",), ("Project",)),
    project=("Project",), client=("Client",), task=("Task",), notes=("Notes",),
    billable=("Billable?", "Billable"), person=("First Name", "First name"), last_name=("Last Name", "Last name"),
    day=("Date",), hours=("Hours",), project_code=("Project Code",),
)
