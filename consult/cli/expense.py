"""`consult expense …` and `consult mileage …`: record the practice's costs and business miles,
and list them. Each command parses, makes one library call and prints."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from consult.cli.common import books_root, check_id, echo_rows, format_option, load, money_day
from consult.clock import today
from consult.core.categories import EXPENSE_CATEGORIES
from consult.core.mileage import VEHICLES
from consult.errors import UsageError


def _decimal(value: str | None, name: str) -> Decimal | None:
    from consult.core.money import parse_decimal

    if value is None:
        return None
    try:
        return parse_decimal(value)
    except ValueError as e:
        raise UsageError(f"{name}: {e}") from None


def _period(text: str | None) -> Any:
    from consult.core.periods import ALL_TIME, parse_period

    if text is None:
        return ALL_TIME
    return parse_period(text, today=today(), what="PERIOD")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------------------------
# consult expense
# --------------------------------------------------------------------------------------------
@click.group("expense")
def expense_group() -> None:
    """The practice's costs: record one (its receipt kept in the books), list them."""


@expense_group.command("add")
@click.argument("amount")
@click.option("--category", type=click.Choice(EXPENSE_CATEGORIES), metavar="CATEGORY",
              help="HMRC's category: adminCosts, professionalFees, premisesRunningCosts, carVanTravelExpenses…")
@click.option("--supplier", metavar="S", help="Who was paid.")
@click.option("--date", "day", metavar="D", help="The day it was paid (default: today).")
@click.option("--vat", metavar="V", help="The UK VAT included in AMOUNT (from the VAT invoice).")
@click.option("--currency", metavar="CODE", help="Currency paid in (default: the base currency, or the client's).")
@click.option("--note", metavar="TEXT", help="What it was for.")
@click.option("--capital", is_flag=True, help="An asset (a laptop), not a running cost.")
@click.option("--goods", is_flag=True, help="Goods rather than services (the Flat Rate Scheme's limited-cost test).")
@click.option("--reverse-charge", "reverse_charge", is_flag=True,
              help="A service bought from abroad with no VAT charged: you account for the VAT both ways.")
@click.option("--receipt", type=click.Path(dir_okay=False), metavar="FILE",
              help="The receipt or invoice: copied into receipts/ and its SHA-256 recorded.")
@click.option("--client", metavar="C", help="A cost for this client (its expenses.yaml) instead of the practice's.")
@click.option("--engagement", metavar="E", help="With --client: the engagement it belongs to.")
@click.option("--rebill/--no-rebill", default=None, help="With --client: bill it on the next invoice (default yes).")
@click.pass_context
def expense_add_cmd(ctx: click.Context, amount: str, category: str | None, supplier: str | None, day: str | None,
                    vat: str | None, currency: str | None, note: str | None, capital: bool, goods: bool,
                    reverse_charge: bool, receipt: str | None, client: str | None, engagement: str | None,
                    rebill: bool | None) -> None:
    """Record a cost of AMOUNT (VAT included) in expenses.yaml, under the books lock.

    \b
    consult expense add 1080 --vat 180 --category professionalFees --supplier "Ledger & Co" --receipt inv.pdf
    consult expense add 2399 --vat 399.83 --capital --goods --supplier Dell --note "Laptop"
    consult expense add 16.00 --currency USD --reverse-charge --category adminCosts --supplier GitHub
    """
    from consult.books.expense_add import NewExpense, add_expense

    amt = _decimal(amount, "AMOUNT")
    assert amt is not None
    if client is not None:
        check_id(client, "--client")
    if engagement is not None:
        check_id(engagement, "--engagement")
    if (engagement is not None or rebill is not None) and client is None:
        raise UsageError("--engagement/--rebill: give --client too (a practice cost belongs to no client)")
    cur = currency.upper() if currency else None
    new = NewExpense(date=money_day(day, "--date", "an expense", "paid"), amount=amt, category=category, currency=cur,
                     vat=_decimal(vat, "--vat"), supplier=supplier, note=note, capital=capital, goods=goods,
                     reverse_charge=reverse_charge, client=client, engagement=engagement, rebill=rebill)
    root = books_root(ctx)
    done = add_expense(root, new, Path(receipt) if receipt else None)
    click.echo(f"recorded in {_rel(done.path, root)}:{done.line}: {done.text}")
    if done.receipt is not None:
        click.echo(f"receipt kept as {_rel(done.receipt, root)}")


@expense_group.command("list")
@click.argument("period", required=False, metavar="[PERIOD]")
@click.option("--practice", "only_practice", is_flag=True, help="Only the practice's own costs (no client's).")
@format_option
@click.pass_context
def expense_list_cmd(ctx: click.Context, period: str | None, only_practice: bool, fmt: str) -> None:
    """Costs paid in PERIOD (default: all): the practice's and each client's, with mileage claims."""
    from consult.books.expenses import expenses_in

    books = load(ctx, timesheets=False)
    rows = [{"date": x.date, "client": x.client or "(practice)", "supplier": x.supplier or "",
             "category": x.category or "", "currency": x.amount.currency, "amount": x.amount,
             "vat": x.vat, "flags": " ".join(f for f in ("capital", "goods", "reverse_charge", "rebill")
                                             if getattr(x, f)) + (f"{x.miles} mi" if x.miles else ""),
             "note": x.note or "", "receipt": x.receipt or "", "source": str(x.source)}
            for x in expenses_in(books, _period(period), practice_only=only_practice)]
    echo_rows(rows, fmt, locale=books.practice.locale)


# --------------------------------------------------------------------------------------------
# consult mileage
# --------------------------------------------------------------------------------------------
@click.group("mileage")
def mileage_group() -> None:
    """Business miles in your own vehicle, at HMRC's approved rates (45p, then 25p after 10,000 a year)."""


@mileage_group.command("add")
@click.argument("miles")
@click.option("--note", required=True, metavar="TEXT", help="Where and why (HMRC asks for a record of each journey).")
@click.option("--date", "day", metavar="D", help="The day of the trip (default: today).")
@click.option("--vehicle", type=click.Choice(VEHICLES), default="car", show_default=True, help="What you drove or rode.")
@click.pass_context
def mileage_add_cmd(ctx: click.Context, miles: str, note: str, day: str | None, vehicle: str) -> None:
    """Record MILES business miles in mileage.yaml; the claim is priced at HMRC's approved rates.

    \b
    consult mileage add 84 --note "Client workshop, Leeds (return)"
    consult mileage add 12.5 --date 2026-10-12 --vehicle bicycle --note "Client office"
    """
    from consult.books.expense_add import add_mileage

    n = _decimal(miles, "MILES")
    assert n is not None
    if n <= 0:
        raise UsageError(f"MILES: give the business miles of the trip, more than zero (got {miles})")
    root = books_root(ctx)
    done, working = add_mileage(root, money_day(day, "--date", "a trip", "made"), n, note, vehicle)
    click.echo(f"recorded in {_rel(done.path, root)}:{done.line}: {done.text}")
    click.echo(f"claim {done.expense.amount.format('en_GB')} ({working})")


@mileage_group.command("list")
@click.argument("period", required=False, metavar="[PERIOD]")
@format_option
@click.pass_context
def mileage_list_cmd(ctx: click.Context, period: str | None, fmt: str) -> None:
    """Trips in PERIOD (default: all), each priced at the approved rates, with how."""
    from consult.books.expenses import expenses_in, mileage_working

    books = load(ctx, timesheets=False)
    how = mileage_working(books)
    rows = [{"date": x.date, "miles": x.miles, "vehicle": x.vehicle, "working": how.get(x.source, ""),
             "claim": x.amount, "note": x.note or "", "source": str(x.source)}
            for x in expenses_in(books, _period(period), practice_only=True) if x.miles is not None]
    echo_rows(rows, fmt, locale=books.practice.locale)
