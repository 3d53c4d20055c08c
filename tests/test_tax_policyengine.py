"""Personal tax cross-checked with PolicyEngine UK, an independent open-source model of UK taxes.

PolicyEngine UK (`policyengine-uk` on PyPI) models income tax and National Insurance by year
and region from its own parameter files (each citing legislation). It is large (about 450 MB
with its dependencies) and slow to start (about 15 s), so it is not in the `test` extra: it is
the `crosscheck` extra (`pip install '.[crosscheck]'`), and this test is skipped, saying why,
where it is absent. It runs offline: a situation built by hand needs no survey data.

Every case is one person with one kind of income in one region, for 2024/25, 2025/26 and
2026/27: self-employment (income tax, Class 4), employment (income tax, employee's Class 1),
and a director's 12,570 salary with dividends — 1,296 figures. They agree to the penny, except
income tax on dividends, which may differ by a penny for each dividend band: consult rounds each
band's tax half up to the penny (docs/tax.md, "Rounding"), PolicyEngine rounds nothing (it
computes in float32). PolicyEngine keeps the Class 1 thresholds as weekly amounts (£241.73 × 52
= £12,569.96), which moves employee's Class 1 by a fraction of a penny.
"""

from __future__ import annotations

import os
from decimal import Decimal as D
from typing import Any

import pytest

from consult.tax.personal import Income, class_1_employee, class_4, income_tax
from consult.tax.tables import table_for

YEARS = (2024, 2025, 2026)
REGIONS = {"LONDON": False, "WALES": False, "NORTHERN_IRELAND": False, "SCOTLAND": True}
AMOUNTS = (8000, 15000, 30000, 45000, 50270, 60000, 80000, 100001, 110000, 125140, 150000, 250000)
KINDS = ("self_employment_income", "employment_income", "dividend_income")
PENNY = D("0.01")


def _cases() -> list[tuple[str, str, int]]:
    return [(region, kind, amount) for region in REGIONS for kind in KINDS for amount in AMOUNTS]


@pytest.fixture(scope="module")
def policyengine() -> dict[tuple[int, str], list[float]]:
    """One simulation holding every case; PolicyEngine's figures by (year, variable)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a hand-built situation needs no downloaded data
    pe = pytest.importorskip("policyengine_uk", reason="PolicyEngine UK is not installed: it is the "
                             "`crosscheck` extra (pip install '.[crosscheck]'), too large for `test`")
    people: dict[str, Any] = {}
    benunits: dict[str, Any] = {}
    households: dict[str, Any] = {}
    for i, (region, kind, amount) in enumerate(_cases()):
        person: dict[str, Any] = {"age": {str(y): 40 for y in YEARS}}
        if kind == "dividend_income":
            person["employment_income"] = {str(y): 12570 for y in YEARS}
        person[kind] = {str(y): amount for y in YEARS}
        people[f"p{i}"] = person
        benunits[f"b{i}"] = {"members": [f"p{i}"]}
        households[f"h{i}"] = {"members": [f"p{i}"], "region": {str(y): region for y in YEARS}}
    sim = pe.Simulation(situation={"people": people, "benunits": benunits, "households": households})
    out: dict[tuple[int, str], list[float]] = {}
    for y in YEARS:
        for var in ("income_tax", "ni_class_4", "ni_class_1_employee"):
            out[(y, var)] = [float(x) for x in sim.calculate(var, y)]
    return out


def _ours(year: int, region: str, kind: str, amount: int) -> dict[str, D]:
    t = table_for(year)
    a = D(amount)
    scottish = REGIONS[region]
    if kind == "self_employment_income":
        return {"income_tax": income_tax(t, Income(trading=a, scottish=scottish)).amount,
                "ni_class_4": class_4(t, a).amount, "ni_class_1_employee": D(0)}
    if kind == "employment_income":
        return {"income_tax": income_tax(t, Income(employment=a, scottish=scottish)).amount,
                "ni_class_4": D(0), "ni_class_1_employee": class_1_employee(t, a).amount}
    return {"income_tax": income_tax(t, Income(employment=D(12570), dividends=a, scottish=scottish)).amount,
            "ni_class_4": D(0), "ni_class_1_employee": class_1_employee(t, D(12570)).amount}


@pytest.mark.parametrize("year", YEARS)
def test_income_tax_and_national_insurance_agree_with_policyengine_uk(policyengine, year):
    """144 people a year (4 regions × 3 kinds of income × 12 amounts, across the taper and every
    band): income tax, Class 4 and employee's Class 1 agree with PolicyEngine UK to the penny
    (dividend income tax within a penny a dividend band: 3p)."""
    off = []
    for i, (region, kind, amount) in enumerate(_cases()):
        for var, ours in _ours(year, region, kind, amount).items():
            theirs = D(repr(policyengine[(year, var)][i])).quantize(PENNY)
            allowed = 3 * PENNY if kind == "dividend_income" and var == "income_tax" else D(0)
            if abs(theirs - ours) > allowed:
                off.append(f"{year} {region} {kind} {amount}: {var} ours {ours}, PolicyEngine {theirs}")
    assert off == []
