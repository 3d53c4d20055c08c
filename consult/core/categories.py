"""HMRC's self-employment expense categories: one table for the books, earnings and MTD.

Each category is HMRC's MTD Income Tax API field name (what `expenses.yaml` writes in
`category:`), the label of the matching box on the Self Assessment page SA103F
(Self-employment (full)) and that box's number on the 2020s editions of the form
(docs/vat.md and docs/money-rules.md §10; QuickBooks' SA103F guide gives the same boxes 17–30 [S]; box numbers
have moved between editions, so the label is what to match against the year's form).
`businessEntertainmentCosts` shares box 24 with advertising and is not an allowable expense
for tax (it is added back: SA103F "disallowable expenses").
"""

from __future__ import annotations

from consult.core.record import record


@record
class Category:
    name: str    # MTD API field name, as written in the books
    box: int     # SA103F box (allowable expenses), 2020s editions
    label: str   # the box's words on SA103F
    allowable: bool = True


CATEGORIES: tuple[Category, ...] = (
    Category("costOfGoods", 17, "Cost of goods bought for resale or goods used"),
    Category("paymentsToSubcontractors", 18, "Construction industry – payments to subcontractors"),
    Category("wagesAndStaffCosts", 19, "Wages, salaries and other staff costs"),
    Category("carVanTravelExpenses", 20, "Car, van and travel expenses"),
    Category("premisesRunningCosts", 21, "Rent, rates, power and insurance costs"),
    Category("maintenanceCosts", 22, "Repairs and maintenance of property and equipment"),
    Category("adminCosts", 23, "Phone, fax, stationery and other office costs"),
    Category("advertisingCosts", 24, "Advertising costs"),
    Category("businessEntertainmentCosts", 24, "Business entertainment costs (not allowable)", False),
    Category("interestOnBankOtherLoans", 25, "Interest on bank and other loans"),
    Category("financeCharges", 26, "Bank, credit card and other financial charges"),
    Category("irrecoverableDebts", 27, "Irrecoverable debts written off"),
    Category("professionalFees", 28, "Accountancy, legal and other professional fees"),
    Category("depreciation", 29, "Depreciation and loss or profit on sale of assets"),
    Category("otherExpenses", 30, "Other business expenses"),
)
BY_NAME: dict[str, Category] = {c.name: c for c in CATEGORIES}
EXPENSE_CATEGORIES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)

# What each category is for, in words a person searching for "where does my laptop go" uses:
# printed in the error for a missing or unknown category.
CATEGORY_HINT = ("e.g. adminCosts (phone, software, stationery), professionalFees (accountant, "
                 "legal), premisesRunningCosts (rent, power, insurance), carVanTravelExpenses (fares, "
                 "hotels, mileage), maintenanceCosts, advertisingCosts, financeCharges, otherExpenses; "
                 "an asset such as a laptop is `capital: true`")
