"""Logged time into the totals everything else bills from: reports, unbilled work, checks.

Why this module exists apart from billing: billing turns *one* engagement's time in *one*
period into an invoice line; a report groups years of time every way a person asks (by day,
ISO week, month, engagement, client) and must agree to the minute with an independent tool.
It therefore works from per-engagement day totals (`worked_minutes.DayTotal`, cached), never
from re-parsed entries, and applies billing's rules to them:

* **minutes** are all time logged, **billable_minutes** the billable part as logged;
* **billed_minutes** are what the client is charged for: for an hourly engagement each entry
  rounded up to its increment; for a daily one the billed days times its hours per day (a
  3-hour day on a half-day rule bills 0.5 day = 3 h 45 min of a 7.5-hour day); for a fixed
  price the billable time as logged;
* **days** are billable days by each daily engagement's `day_rounding`, day by day, as the
  invoice counts them (`billing.day_fraction`), shown to three places;
* **value** is billed days or hours times the engagement's rate, each engagement's quantity
  rounded as on an invoice, then summed. Amounts in two currencies are never added: every row
  belongs to one currency, so a grouping that spans clients in GBP and EUR gives a row each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from consult.core.money import Money
from consult.core.periods import ALL_TIME, Period
from consult.core.record import record
from consult.core.records import Books, Engagement, TimeEntry
from consult.errors import Problem, UsageError
from consult.work.day_totals import Totals
from consult.work.rules import day_fraction, quantity

GROUPS = ("day", "week", "month", "engagement", "client")


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------
@record
class ReportRow:
    """One group of a time report, in one currency (see the module docstring for the figures)."""

    keys: tuple[tuple[str, str], ...]   # (("client", "acme"), ("month", "2026-10"))
    currency: str
    minutes: int
    billable_minutes: int
    billed_minutes: int
    days: Decimal | None                # None when no daily engagement is in the group
    value: Money | None                 # None when no engagement in the group has a rate

    def as_dict(self) -> dict[str, object]:
        """The stable row schema of `consult time report --format csv|json` (README, "Time")."""
        d: dict[str, object] = dict(self.keys)
        d.update(currency=self.currency, minutes=self.minutes, hours=hours_text(self.minutes),
                 billable_minutes=self.billable_minutes, billable_hours=hours_text(self.billable_minutes),
                 billed_minutes=self.billed_minutes, billed_hours=hours_text(self.billed_minutes),
                 days=self.days, value=self.value.amount if self.value is not None else None)
        return d


def hours_text(minutes: int) -> Decimal:
    """Decimal hours to two places, half up (exact when minutes are a multiple of 0.6)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class _Share:
    """One engagement's part of a report group: its billed days (daily) or minutes (else)."""

    days: Decimal = Decimal(0)
    billed: int = 0


@dataclass(slots=True)
class _Group:
    """A report group being summed: minutes, billable minutes, and each engagement's share."""

    minutes: int = 0
    billable: int = 0
    shares: dict[int, _Share] = field(default_factory=dict)


@lru_cache(maxsize=65536)
def _fraction(minutes: int, hours_per_day: Decimal, rounding: str, overtime: bool) -> Decimal:
    return day_fraction(minutes, hours_per_day, rounding, overtime)


def _key_maker(by: Sequence[str]) -> Callable[[date], tuple[str, ...]]:
    """A function (client, engagement, day) -> the group's key values, memoised per day."""
    day_parts: dict[date, tuple[str, ...]] = {}
    date_groups = [g for g in by if g in ("day", "week", "month")]

    def parts(d: date) -> tuple[str, ...]:
        got = day_parts.get(d)
        if got is None:
            vals = []
            for g in date_groups:
                if g == "day":
                    vals.append(d.isoformat())
                elif g == "week":
                    y, w, _ = d.isocalendar()
                    vals.append(f"{y}-W{w:02d}")
                else:
                    vals.append(f"{d.year}-{d.month:02d}")
            got = day_parts[d] = tuple(vals)
        return got

    return parts


def key_columns(by: Sequence[str]) -> list[str]:
    """The key columns of a report grouped `by`, in order (`engagement` brings its client)."""
    cols: list[str] = []
    for g in by:
        if g == "engagement":
            if "client" not in cols:
                cols.append("client")
            cols.append("engagement")
        elif g == "day":
            cols.append("date")
        elif g not in cols:
            cols.append(g)
    return cols


def _check_by(by: Sequence[str]) -> list[str]:
    out: list[str] = []
    for g in by:
        if g not in GROUPS:
            raise UsageError(f"--by: '{g}' is not a grouping — use {', '.join(GROUPS)}")
        if g not in out:
            out.append(g)
    return out or ["engagement"]


def select(books: Books, client: str | None = None, engagement: str | None = None) -> list[Engagement]:
    """The engagements a report covers; unknown names are NotFound (exit 2) naming the known ones.

    `engagement` may be `CLIENT/ENGAGEMENT`, or an engagement id alone when it is unique (or
    `client` names its client)."""
    if client is not None:
        books.client(client)
    if engagement is None:
        return [e for (c, _), e in sorted(books.engagements.items()) if client is None or c == client]
    if "/" in engagement:
        c, eid = engagement.split("/", 1)
        if client is not None and c != client:
            raise UsageError(f"--engagement {engagement} is not an engagement of --client {client}")
        return [books.engagement(c, eid)]
    found = [e for (c, eid), e in sorted(books.engagements.items())
             if eid == engagement and (client is None or c == client)]
    if len(found) == 1:
        return found
    if client is not None:
        books.engagement(client, engagement)  # raises NotFound naming the client's engagements
    if not found:
        known = ", ".join(f"{c}/{e}" for c, e in sorted(books.engagements)) or "none"
        raise UsageError(f"--engagement: no engagement '{engagement}' (engagements: {known})")
    raise UsageError(f"--engagement: '{engagement}' is an engagement of several clients "
                     f"({', '.join(e.client for e in found)}); write CLIENT/{engagement}")


def report(books: Books, totals: Totals, period: Period = ALL_TIME, *, by: Sequence[str] = ("engagement",),
           engagements: Iterable[Engagement] | None = None, billable_only: bool = False) -> list[ReportRow]:
    """Time grouped `by` (any of GROUPS, in order), one row per group and currency, sorted."""
    groups = _check_by(by)
    cols = key_columns(groups)
    parts = _key_maker(groups)
    want_client = "client" in cols
    want_eng = "engagement" in cols
    date_cols = [c for c in cols if c in ("date", "week", "month")]
    engs = list(engagements) if engagements is not None else list(books.engagements.values())
    acc: dict[tuple[tuple[str, ...], str], _Group] = {}
    lo, hi = period.start, period.end
    for ix, eng in enumerate(engs):
        days = totals.get((eng.client, eng.id))
        if not days:
            continue
        daily = eng.billing == "daily"
        hpd, rnd, ot = eng.hours_per_day, eng.day_rounding, eng.overtime
        head: list[str] = []
        if want_client:
            head.append(eng.client)
        if want_eng:
            head.append(eng.id)
        for d, t in days.items():
            if (lo is not None and d < lo) or (hi is not None and d > hi):
                continue
            minutes = t.billable if billable_only else t.minutes
            if minutes == 0 and t.billable == 0:
                continue
            k = (tuple(head) + parts(d) if date_cols else tuple(head), eng.currency)
            group = acc.get(k)
            if group is None:
                group = acc[k] = _Group()
            group.minutes += minutes
            group.billable += t.billable
            share = group.shares.get(ix)
            if share is None:
                share = group.shares[ix] = _Share()
            if daily:
                share.days += _fraction(t.billable, hpd, rnd, ot)
            else:
                share.billed += t.billed
    out = [_row(cols, key, cur, g.minutes, g.billable, [(engs[i], v) for i, v in g.shares.items()])
           for (key, cur), g in acc.items()]
    # keys in column order, then currency
    out.sort(key=lambda r: (tuple(v for _, v in r.keys), r.currency))
    return out


def _row(cols: list[str], key: tuple[str, ...], currency: str, minutes: int, billable: int,
         per: list[tuple[Engagement, _Share]]) -> ReportRow:
    billed = Decimal(0)
    days: Decimal | None = None
    value: Money | None = None
    for eng, share in per:
        day_sum, billed_hourly = share.days, share.billed
        if eng.billing == "daily":
            q = quantity(day_sum)
            days = (days or Decimal(0)) + q
            billed += q * eng.hours_per_day * 60
            if eng.rate is not None:
                v = eng.rate.times(q)
                value = v if value is None else value + v
        else:
            billed += billed_hourly
            if eng.billing == "hourly" and eng.rate is not None:
                v = eng.rate.times(quantity(Decimal(billed_hourly) / 60))
                value = v if value is None else value + v
    billed_min = int(billed.to_integral_value(rounding=ROUND_HALF_UP))
    if days is not None:
        days = quantity(days)
    return ReportRow(tuple(zip(cols, key, strict=True)), currency, minutes, billable, billed_min, days, value)


def report_totals(rows: Iterable[ReportRow]) -> list[ReportRow]:
    """One total row per currency (keys empty), for the table's foot."""
    by_cur: dict[str, list[ReportRow]] = defaultdict(list)
    for r in rows:
        by_cur[r.currency].append(r)
    out = []
    for cur, rs in sorted(by_cur.items()):
        days = [r.days for r in rs if r.days is not None]
        values = [r.value for r in rs if r.value is not None]
        out.append(ReportRow((), cur, sum(r.minutes for r in rs), sum(r.billable_minutes for r in rs),
                             sum(r.billed_minutes for r in rs), quantity(sum(days, Decimal(0))) if days else None,
                             Money.total(values, cur) if values else None))
    return out


# --------------------------------------------------------------------------------------------
# `consult check`
# --------------------------------------------------------------------------------------------
def _one_span(a: TimeEntry, b: TimeEntry) -> bool:
    """Two parts of one tracked span an importer split (`X` and `X~2`): a span across the October
    clock change is written as two local ranges that overlap on the clock but not in time."""
    return (a.source_id is not None and b.source_id is not None
            and a.source_id.split("~")[0] == b.source_id.split("~")[0])


def check_timesheets(books: Books, today: date) -> list[Problem]:
    """Warnings about time that reads but looks wrong.

    * an entry before its engagement's `start` or after its `end`;
    * more than 24 hours logged on one calendar day, counted across all clients (one person's day);
    * an entry dated after `today`;
    * `start`/`end` times that overlap another entry's on the same day, across all clients (but
      not the two parts of one imported span split at the October clock change);
    * an engagement whose billable time has passed its `budget` (days, hours or amount).

    (Work that no invoice covers is `consult.invoices.billed.check_unbilled`.)
    """
    out: list[Problem] = []
    per_day: dict[date, list[TimeEntry]] = defaultdict(list)
    by_eng: dict[tuple[str, str], list[TimeEntry]] = defaultdict(list)
    for e in books.entries:
        per_day[e.date].append(e)
        by_eng[(e.client, e.engagement)].append(e)
        eng = books.engagements.get((e.client, e.engagement))
        if eng is not None and eng.start is not None and e.date < eng.start:
            out.append(Problem(e.source, "date", f"{e.date} is before engagement {eng.key} starts ({eng.start}); "
                               "check the date or the engagement's start", "warning"))
        elif eng is not None and eng.end is not None and e.date > eng.end:
            out.append(Problem(e.source, "date", f"{e.date} is after engagement {eng.key} ended ({eng.end}); "
                               "check the date or extend the engagement's end", "warning"))
        if e.date > today:
            out.append(Problem(e.source, "date", f"{e.date} is in the future (today is {today}); "
                               "time is logged when it is worked", "warning"))
    for d, day in sorted(per_day.items()):
        total = sum(e.minutes for e in day)
        if total > 24 * 60:
            h, m = divmod(total, 60)
            out.append(Problem(day[-1].source, None, f"{h}h{m:02d}m logged on {d} across all clients — "
                               "more than a day holds; look for an entry on the wrong date", "warning"))
        timed = sorted(((e.start, e.end, e) for e in day if e.start is not None and e.end is not None),
                       key=lambda t: (t[0], t[1]))
        latest: tuple[time, time, TimeEntry] | None = None  # the entry reaching furthest into the day so far
        for b in timed:
            if latest is not None and b[0] < latest[1] and not _one_span(latest[2], b[2]):
                out.append(Problem(b[2].source, "start", f"{_hhmm(b[0])}–{_hhmm(b[1])} overlaps "
                                   f"{_hhmm(latest[0])}–{_hhmm(latest[1])} ({latest[2].source}) on {d}",
                                   "warning"))
            if latest is None or b[1] > latest[1]:
                latest = b
    for key, entries in sorted(by_eng.items()):
        eng = books.engagements.get(key)
        if eng is not None and eng.budget is not None:
            out.extend(_budget_problems(eng, entries))
    return out


def _hhmm(t: time | None) -> str:
    return t.strftime("%H:%M") if t is not None else "?"


def _budget_problems(eng: Engagement, entries: list[TimeEntry]) -> list[Problem]:
    from consult.work.rules import billable_days, billable_hours

    b = eng.budget
    assert b is not None
    out = []
    days = billable_days(entries, eng) if eng.billing == "daily" else None
    _, billed, hours = billable_hours(entries, eng)
    if b.days is not None and days is not None and days > b.days:
        out.append(f"{days} billable days logged, over the budget of {b.days.normalize():f} day{'' if b.days == 1 else 's'}")
    if b.hours is not None and hours > b.hours:
        out.append(f"{hours} billable hours logged, over the budget of {b.hours.normalize():f} hours")
    if b.amount is not None and eng.rate is not None and eng.billing != "fixed":
        value = eng.rate.times(days if days is not None else hours)
        if value.currency == b.amount.currency and value > b.amount:
            out.append(f"{value.plain()} {value.currency} of time logged, over the budget of "
                       f"{b.amount.plain()} {b.amount.currency}")
    return [Problem(eng.source, "budget", f"{eng.key}: {msg}; agree more with the client or stop here",
                    "warning") for msg in out]
