"""Input tax that is never reclaimed, whatever the supplier's VAT invoice says ("blocked" VAT).

The VAT on some purchases is not input tax even for a fully taxable business: business
entertainment and motor cars (the Value Added Tax (Input Tax) Order 1992, SI 1992/3222, arts 5
and 7), goods and services for private or non-business use (only the business part is input
tax, VATA 1994 s.24(5)), and a few a consultancy does not meet (margin-scheme goods, some
building materials). What the books can say, and what consult does with it (docs/vat.md,
"Blocked input tax"):

* **Business entertainment** (category `businessEntertainmentCosts`: hospitality of any kind —
  meals, drinks, tickets — for anyone who is not an employee): the VAT is not reclaimed
  (Value Added Tax (Input Tax) Order 1992, SI 1992/3222, art 5; VAT Notice 700/65). **Except**
  entertainment of an *overseas customer* — someone neither ordinarily resident nor carrying on
  a business in the UK or the Isle of Man — of a kind and on a scale that is reasonable (art 5 as
  amended from 1 May 2011; Revenue & Customs Briefs 44/10 and 09/11). The books say who was
  entertained by where the cost is kept: a cost in `clients/<client>/expenses.yaml` of a client
  whose `country` is outside the UK and the Isle of Man is overseas-customer entertainment and
  its VAT is reclaimed; every other entertainment cost (a UK client's, the practice's own) is
  blocked. Entertaining staff is not business entertainment: record it under another category.
* **Motor cars**: the VAT on buying a car is blocked unless it is used only for the business
  (Input Tax Order art 7; VAT Notice 700/64). The books cannot tell a car from a van (whose VAT
  is reclaimed): a capital cost in `carVanTravelExpenses` carrying VAT is reclaimed and the
  return's working says to record a car with `vat: 0`.
* **Private use**: only the business part of a cost is input tax (VATA 1994 s.24(5)). The books
  hold business costs only; record the business share of a mixed cost (amount and VAT).

A blocked purchase still counts in box 7 at its value excluding the VAT (the box's own words:
"excluding any VAT"), and its VAT is not in box 4.
"""

from __future__ import annotations

from decimal import Decimal

from consult.core.records import Books, Expense

ENTERTAINMENT = "businessEntertainmentCosts"
# the Flat Rate Scheme's capital expenditure goods: £2,000 or more, VAT included (VAT Regulations
# 1995 reg 55A(1); VAT Notice 733) — the one input VAT reclaimed on the scheme
CAPITAL_GOODS_MINIMUM = Decimal(2000)
VEHICLES = "carVanTravelExpenses"
# one VAT territory for this rule: the United Kingdom and the Isle of Man (SI 1992/3222 art 5(4))
UK_AND_ISLE_OF_MAN = frozenset({"GB", "IM"})


def overseas_customer(books: Books, x: Expense) -> str | None:
    """The client whose cost `x` is, when that client is outside the UK and the Isle of Man."""
    if x.practice_cost:
        return None
    client = books.clients.get(x.client)
    if client is None or not client.country or client.country.upper() in UK_AND_ISLE_OF_MAN:
        return None
    return client.name


def blocked(books: Books, x: Expense) -> str | None:
    """Why the UK VAT paid on `x` is not input tax, or None when it is reclaimed."""
    if x.category != ENTERTAINMENT:
        return None
    if overseas_customer(books, x) is not None:
        return None
    return ("business entertainment: its VAT is not reclaimed (VAT Notice 700/65; Input Tax Order 1992 art 5); "
            "in box 7 without the VAT")


def note(books: Books, x: Expense) -> str | None:
    """What the return's working says about a purchase whose VAT is reclaimed on a condition."""
    if x.category == ENTERTAINMENT and (who := overseas_customer(books, x)) is not None:
        return (f"entertaining an overseas customer ({who}): VAT reclaimed if of a kind and on a scale that is "
                "reasonable (Input Tax Order 1992 art 5, from 1 May 2011)")
    if x.capital and x.category == VEHICLES and x.vat is not None and x.vat.amount:
        return ("a vehicle bought as a capital item: VAT reclaimed as for a van; if it is a car used privately "
                "too, its VAT is blocked (VAT Notice 700/64): record it with vat: 0")
    return None


def reclaimed_vat(books: Books, x: Expense) -> Decimal:
    """The UK input VAT the practice's VAT return reclaims on `x` (0 when none) — what a cost
    rebilled "at cost" leaves out, since the practice gets it back (consult.invoices.build).

    Reclaimed only by a VAT-registered practice; on the Flat Rate Scheme from its start only for
    capital expenditure goods of £2,000 or more that the practice keeps (VAT Notice 733: the flat
    rate replaces input tax; a rebilled item is goods for resale); only UK VAT (an expense in sterling: VAT written on one in another currency is
    foreign VAT, part of the cost, consult.vat.documents), and not when it is blocked (above).
    """
    p = books.practice
    if x.vat is None or not x.vat.amount or not p.vat_registered or x.reverse_charge:
        return Decimal(0)
    if x.amount.currency != "GBP" or blocked(books, x) is not None:
        return Decimal(0)
    if p.vat.scheme == "flat_rate" and (p.vat.flat_rate_start is None or x.date >= p.vat.flat_rate_start):
        # only capital expenditure goods of £2,000 or more, VAT included, kept by the practice
        # (reg 55A(1); consult.vat.flat_rate.purchase_entries puts them in box 4)
        keeps = x.capital and not x.rebill and x.amount.amount >= CAPITAL_GOODS_MINIMUM
        return x.vat.amount if keeps else Decimal(0)
    return x.vat.amount
