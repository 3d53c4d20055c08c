"""VAT return periods: the stagger, the due date, HMRC's period keys, PERIOD on the command line.

* **Stagger** (HMRC DMBM530020): quarterly returns end in March/June/September/December
  (stagger 1), April/July/October/January (2) or May/August/November/February (3); stagger 0
  is monthly returns. The VAT certificate says which.
* **Due date**: returns and payments made through MTD are due one calendar month and seven days
  after the period ends (VAT Notice 700/12; docs/vat.md): a quarter ending 30 September
  is due 7 November.
* **PERIOD** is read by the one period grammar (consult.core.periods: `2026-Q3`,
  `2026-07-01..2026-09-30`, `last-quarter`…) or is HMRC's period key for the return (`26C3`,
  `#001`). Period keys are issued by HMRC with each obligation and cannot be worked out from the
  dates (HMRC: always read them from the obligations), so a key is looked up in the obligations
  recorded in the books (`vat/obligations.yaml`, HMRC's own fields: periodKey, start, end, due,
  status; then `vat/sandbox/obligations.yaml`, the sandbox's), which `consult vat obligations`
  writes when it fetches them from HMRC (each environment's to its own file).
* No PERIOD means the latest period of the stagger that has ended.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from consult.core.periods import PERIOD_EXAMPLES, month_end, parse_period
from consult.core.record import record
from consult.core.records import VatSettings
from consult.errors import Problem, UsageError

OBLIGATIONS_FILE = "vat/obligations.yaml"              # production: HMRC's own obligations
SANDBOX_OBLIGATIONS_FILE = "vat/sandbox/obligations.yaml"  # HMRC's sandbox (practice runs), beside its records
OBLIGATION_FILES = {"production": OBLIGATIONS_FILE, "sandbox": SANDBOX_OBLIGATIONS_FILE}
PERIOD_KEY = re.compile(r"[0-9A-Z#][0-9A-Z]{3}")
STAGGER_ENDS = {1: (3, 6, 9, 12), 2: (1, 4, 7, 10), 3: (2, 5, 8, 11), 0: tuple(range(1, 13))}


def stagger_text(stagger: int) -> str:
    if stagger == 0:
        return "monthly returns"
    months = ", ".join(date(2000, m, 1).strftime("%b") for m in sorted(STAGGER_ENDS[stagger]))
    return f"stagger {stagger}: quarters ending {months}"


def due_date(end: date) -> date:
    """One calendar month and seven days after `end` (30 Sep → 7 Nov; 28 Feb → 7 Apr): for a
    period ending on a month's last day, the 7th of the month after next."""
    if end == month_end(end.year, end.month):
        y, m = _add_months(end.year, end.month, 2)
        return date(y, m, 7)
    y, m = _add_months(end.year, end.month, 1)
    return date(y, m, min(end.day, month_end(y, m).day)) + timedelta(days=7)


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    y2, m2 = divmod(m - 1 + n, 12)
    return y + y2, m2 + 1


def period_ending(y: int, m: int, stagger: int) -> tuple[date, date]:
    """The return period of the stagger that ends with month (y, m)."""
    months = 1 if stagger == 0 else 3
    sy, sm = _add_months(y, m, -(months - 1))
    return date(sy, sm, 1), month_end(y, m)


def latest_ended(today: date, stagger: int) -> tuple[date, date]:
    """The most recent period of the stagger that ended before `today`."""
    y, m = _add_months(today.year, today.month, -1)
    while m not in STAGGER_ENDS[stagger]:
        y, m = _add_months(y, m, -1)
    return period_ending(y, m, stagger)


def is_regular(start: date, end: date, stagger: int) -> bool:
    """Whether start..end is one of the stagger's return periods."""
    return end == month_end(end.year, end.month) and end.month in STAGGER_ENDS[stagger] and \
        period_ending(end.year, end.month, stagger)[0] == start


@record
class Obligation:
    """One of HMRC's VAT obligations, as its API names the fields."""

    period_key: str
    start: date
    end: date
    due: date | None = None
    status: str | None = None


def recorded_obligations(root: Path, environment: str | None = None) -> list[Obligation]:
    """The obligations recorded in the books — production's (`vat/obligations.yaml`), then the
    sandbox's (`vat/sandbox/obligations.yaml`) for keys production does not have; or one
    environment's. An unreadable file gives none (the period's dates can always be given)."""
    from consult.books.files import read_list

    out: list[Obligation] = []
    for env, name in OBLIGATION_FILES.items():
        if environment not in (None, env):
            continue
        path = Path(root) / name
        if not path.exists():
            continue
        problems: list[Problem] = []
        seen = {o.period_key for o in out}
        for f in read_list(Path(root), path, problems):
            key, start, end = f.text("periodKey"), f.day("start"), f.day("end")
            if key and start and end and key not in seen:
                out.append(Obligation(key, start, end, f.day("due"), f.text("status")))
    return out


@record
class VatPeriod:
    """The dates a return covers, how they were asked for, and what is known about them."""

    start: date
    end: date
    label: str
    due: date
    period_key: str | None = None
    regular: bool = True  # one of the stagger's periods (else a note says so)


def resolve(text: str | None, settings: VatSettings, *, today: date, tax_year_start: tuple[int, int] = (4, 6),
            obligations: list[Obligation] | None = None, what: str = "PERIOD") -> VatPeriod:
    """PERIOD as typed (or None: the latest period that has ended) to a `VatPeriod`."""
    obs = obligations or []
    if text is None:
        start, end = latest_ended(today, settings.stagger)
        label = f"{start.isoformat()}..{end.isoformat()}"
    else:
        t = text.strip()
        for o in obs:
            if o.period_key == t:
                return VatPeriod(o.start, o.end, o.period_key, o.due or due_date(o.end), o.period_key,
                                 is_regular(o.start, o.end, settings.stagger))
        try:
            p = parse_period(t, tax_year_start=tax_year_start, today=today, what=what)
        except UsageError as e:
            if PERIOD_KEY.fullmatch(t.upper()):
                raise UsageError(
                    f"{what}: '{t}' looks like an HMRC period key, but no obligation with that key is recorded "
                    f"in these books ({OBLIGATIONS_FILE}, or {SANDBOX_OBLIGATIONS_FILE} for HMRC's sandbox: "
                    "`consult vat obligations` writes the one for the environment it asks); run it, or give the "
                    "period's dates instead, e.g. 2026-Q3 or 2026-07-01..2026-09-30"
                ) from None
            if "is not a period" in str(e):
                raise UsageError(f"{what}: '{t}' is neither a period nor an HMRC period key — e.g. "
                                 f"{PERIOD_EXAMPLES}") from None
            raise
        start, end = p.days
        label = p.label
    key = next((o.period_key for o in obs if (o.start, o.end) == (start, end)), None)
    due = next((o.due for o in obs if o.period_key == key and o.due), None) or due_date(end)
    return VatPeriod(start, end, label, due, key, is_regular(start, end, settings.stagger))
