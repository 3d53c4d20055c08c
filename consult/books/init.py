"""`consult init`: a new books folder a user can read, edit and check straight away.

The values marked EXAMPLE are placeholders: `consult check` lists each one still there as a
warning, and no invoice, credit note or proposal is issued while one would be printed
(consult.books.placeholders, which holds the same values)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from consult.errors import UsageError

PRACTICE_TEMPLATE = """\
# practice.yaml — who you are. Every invoice and proposal prints from this file.
# Field reference: docs/books-format.md ("The practice"). Check your edits with `consult check`.

name: {name}                # your legal name, or your company's as on its certificate
address: |                  # postal address, one line per line (EXAMPLE: replace it)
  1 High Street
  London
  SW1A 1AA
email: you@example.com      # EXAMPLE: replace it
country: GB                 # ISO 3166 two-letter code
subdivision: ENG            # bank holidays: ENG, SCT, WLS or NIR (GB only)
base_currency: GBP          # the currency your year is reported in
locale: en_GB               # how money and dates are written
hours_per_day: 7.5          # a working day; engagements may override it

# vat_number: GB980780684   # uncomment when VAT-registered (it is checked), with vat_rate below
# company_number: "12345678"
# peppol_id: "9932:GB980780684"   # your Peppol participant id, SCHEME:IDENTIFIER, for UBL e-invoices

bank:
  account_name: {name}
  sort_code: 12-34-56         # EXAMPLE: replace it
  account_number: "12345678"   # EXAMPLE; quote it so a leading zero survives
  # iban: GB82WEST12345698765432
  # bic: WESTGB2L

tax_year_start: 04-06       # the UK tax year; 01-01 for a calendar year

invoice:
  number_format: INV-{{year}}-{{seq:04d}}   # {{year}} of issue, {{seq}} counts up within it
  payment_terms_days: 30
  # vat_rate: 20            # percent; only when VAT-registered
  # vat_rounding: half_up   # or `down`, HMRC's whole-penny concession

# vat:                      # when VAT-registered: how `consult vat return` works (README, "VAT")
#   scheme: standard        # standard (invoice basis) | cash | flat_rate
#   stagger: 1              # 1 = quarters ending Mar/Jun/Sep/Dec; 2 Apr/Jul/Oct/Jan; 3 May/Aug/Nov/Feb; monthly
#   flat_rate_percent: 14.5 # flat_rate only: your sector's percentage
#   flat_rate_start: 2024-04-01   # flat_rate only: the day you joined the scheme
"""

CLIENT_TEMPLATE = """\
# clients/example-client/client.yaml — one folder per client; the folder name is its id.
# Every value here is an EXAMPLE: nothing is issued to this client until you replace them
# (`consult check` lists what is left).
name: Example Client Ltd
kind: client                # client (invoiced), platform or employer (income without invoices)
contact: Alex Example
email: accounts@example.com
address: |
  2 Market Street
  Leeds
  LS1 1AA
country: GB
currency: GBP
locale: en_GB
payment_terms_days: 30
tax: none                   # none while you are not VAT-registered; then standard,
                            # reverse_charge (EU business) or outside_scope (rest of world)
"""

ENGAGEMENT_TEMPLATE = """\
# clients/example-client/engagements/discovery.yaml — what was agreed.
title: Discovery phase
billing: daily              # daily, hourly or fixed
rate: 550                   # per day (daily) or per hour (hourly), in the client's currency
day_rounding: half          # exact, half or whole: how each day's hours become billable days
start: {start}
po_number: PO-0001          # EXAMPLE: your client's order number, or delete the line
budget:
  days: 20
status: active
"""

TIMESHEET_TEMPLATE = """\
# Time worked: one entry per piece of work. `consult time log` appends here for you.
- date: {day}
  engagement: discovery
  hours: 7.5
  note: Kick-off and data review
"""


# what a books folder is made of: `consult init` refuses a folder holding any of these
BOOKS_PARTS = ("practice.yaml", "clients", "templates", "register.tsv", "expenses.yaml", "mileage.yaml")


def create_books(folder: Path, name: str = "Your Name", today: date | None = None) -> list[Path]:
    """Write a new, valid books folder; refuse if one is (even partly) already there.

    Nothing is ever overwritten: a folder holding any part of books (`BOOKS_PARTS`) is refused
    naming what is there, and each file is created write-once (a file appearing meanwhile is
    not replaced; the files this call made are removed again). The example engagement starts
    on the first of this month and the example entry is dated `today`, so that new books check
    clean (old example work would be "on no invoice")."""
    import contextlib

    from consult.books.store import write_new
    from consult.books.writers import one_line, scalar

    folder = Path(folder)
    one_line(name, "--name")
    day = today or date(2026, 1, 5)
    start = day.replace(day=1)
    if (folder / "practice.yaml").exists() or (folder / "practice.yaml").is_symlink():
        raise UsageError(f"{folder} already has practice.yaml; consult init never overwrites books")
    there = [p for p in BOOKS_PARTS if (folder / p).exists() or (folder / p).is_symlink()]
    if there:
        raise UsageError(f"{folder} already holds {', '.join(there)} (part of books, without practice.yaml); "
                         "consult init makes new books only and never overwrites — choose an empty folder, "
                         "or restore practice.yaml from git or a backup")
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file; give a folder for the new books")
    files = {
        folder / "practice.yaml": PRACTICE_TEMPLATE.format(name=scalar(name.strip() or "Your Name")),
        folder / "clients/example-client/client.yaml": CLIENT_TEMPLATE,
        folder / "clients/example-client/engagements/discovery.yaml": ENGAGEMENT_TEMPLATE.format(start=start),
        folder / f"clients/example-client/timesheets/{day:%Y-%m}.yaml": TIMESHEET_TEMPLATE.format(day=day),
    }
    made: list[Path] = []
    try:
        for path, text in files.items():
            write_new(path, text)
            made.append(path)
    except BaseException:
        for p in reversed(made):
            with contextlib.suppress(OSError):
                p.unlink()
        for d in (folder / "clients/example-client/timesheets", folder / "clients/example-client/engagements",
                  folder / "clients/example-client", folder / "clients"):
            with contextlib.suppress(OSError):
                d.rmdir()
        raise
    return list(files)
