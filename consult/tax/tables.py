"""Dated UK tax tables: one per tax year, every figure with its source, never a guess.

The shipped tables are `consult/data/tax/YYYY-YY.yaml` (2024/25 onwards); a books folder may
add years, or replace a shipped one, in `tax_tables.yaml` at its root (one table, or a list of
them, in the same form). A year with no table is refused by name (`NoTaxTable`): a rate is
never carried over from another year.

Each figure is written `{value, source}`, `source` naming one or more entries of the table's
`sources:` (title and address), so every line `consult tax` prints can be traced to an Act, a
statutory instrument or an HMRC page. Amounts are pounds a year; rates are percentages.
Income tax bands are on taxable income (after the personal allowance), each up to `to`.
docs/tax.md describes the format and the rules the figures feed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from pathlib import Path

from consult.books.fields import Fields
from consult.books.files import read_yaml, rel
from consult.books.yamlsource import Scalar, YMap, YSeq
from consult.core.money import parse_decimal
from consult.core.record import record
from consult.core.records import Books
from consult.errors import BooksError, Problem, Source, UsageError

BOOKS_FILE = "tax_tables.yaml"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # problems name consult/data/tax/…
SHIPPED = PACKAGE_ROOT / "consult" / "data" / "tax"
TAX_YEAR_RE = re.compile(r"(\d{4})/(\d{2})")


class NoTaxTable(UsageError):
    """The tax year asked for has no table (shipped or in the books)."""


@record
class Figure:
    """One number of a table and where it comes from (`source`: the sources' text, joined)."""

    value: Decimal
    source: str
    origin: str = ""  # file:line it was read from

    @property
    def fraction(self) -> Decimal:
        """A percentage as a fraction: 20 -> 0.2 (exact)."""
        return self.value / 100


@record
class Band:
    """An income tax band: `rate` percent on taxable income up to `to` (None: no upper end)."""

    name: str
    rate: Figure
    to: Figure | None


@record
class TaxTable:
    """The rates and thresholds of one tax year (and the financial year starting in it)."""

    tax_year: int  # the year it starts in: 2026 for 2026/27
    origin: str  # the file it was read from
    personal_allowance: Figure
    taper_threshold: Figure
    taper_rate: Figure
    bands: tuple[Band, ...]
    scottish_bands: tuple[Band, ...]
    dividend_allowance: Figure
    dividend_rates: tuple[Figure, Figure, Figure]  # ordinary, upper, additional
    class_4_lower: Figure
    class_4_upper: Figure
    class_4_main_rate: Figure
    class_4_upper_rate: Figure
    class_2_threshold: Figure
    class_2_voluntary_weekly: Figure
    class_2_compulsory_weekly: Figure | None
    class_1_primary_threshold: Figure
    class_1_upper_earnings_limit: Figure
    class_1_main_rate: Figure
    class_1_upper_rate: Figure
    class_1_secondary_threshold: Figure
    class_1_employer_rate: Figure
    employment_allowance: Figure
    levy_rate: Figure
    levy_allowance: Figure
    holiday_accrual_rate: Figure
    financial_year: int
    ct_small_profits_rate: Figure
    ct_main_rate: Figure
    ct_lower_limit: Figure
    ct_upper_limit: Figure
    ct_marginal_fraction: Figure
    poa_below: Figure
    poa_at_source_share: Figure
    sources: tuple[tuple[str, str], ...] = ()
    aia_limit: Figure | None = None  # the Annual Investment Allowance a year (optional in a books table)

    @property
    def label(self) -> str:
        return tax_year_label(self.tax_year)


def tax_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def parse_tax_year(text: str) -> int | None:
    """`2026/27` -> 2026; None when it is not a tax year written that way."""
    m = TAX_YEAR_RE.fullmatch(text.strip())
    if not m or int(m[2]) != (int(m[1]) + 1) % 100:
        return None
    return int(m[1])


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------
class _Reader:
    """Reads one table mapping; every problem names file, line and field."""

    def __init__(self, f: Fields):
        self.f = f
        self.sources: dict[str, str] = {}
        src = f.sub("sources", required=True)
        if src is not None:
            for key, v in src.map.items():
                if isinstance(v, Scalar) and v.text.strip():
                    self.sources[key] = v.text.strip()
                else:
                    src.error(key, "expected the source's title and address as one line of text")

    def _source(self, g: Fields, field: str = "source") -> str | None:
        v = g.map.get(field)
        keys: list[str] = []
        if isinstance(v, Scalar) and not v.is_null:
            keys = [v.text.strip()]
        elif isinstance(v, YSeq) and all(isinstance(x, Scalar) for x in v):
            keys = [x.text.strip() for x in v if isinstance(x, Scalar)]
        if not keys:
            g.error(field, "missing — name an entry of `sources:` (every figure says where it comes from)")
            return None
        unknown = [k for k in keys if k not in self.sources]
        if unknown:
            known = ", ".join(sorted(self.sources)) or "none"
            g.error(field, f"'{unknown[0]}' is not in `sources:` (known: {known})")
            return None
        return "; ".join(self.sources[k] for k in keys)

    def _number(self, g: Fields, field: str, *, fraction_ok: bool = False) -> Decimal | None:
        s = g.scalar(field, True, "a number, e.g. 12570 or 20")
        if s is None:
            return None
        text = s.text.strip()
        if fraction_ok and (m := re.fullmatch(r"(\d+)\s*/\s*(\d+)", text)):
            if int(m[2]) == 0:
                g.error(field, f"'{text}' divides by zero")
                return None
            return Decimal(int(m[1])) / Decimal(int(m[2]))
        try:
            d = parse_decimal(text)
        except ValueError as e:
            g.error(field, str(e))
            return None
        if d < 0:
            g.error(field, f"must not be negative, got {text}")
            return None
        return d

    def figure(self, parent: Fields, name: str, *, fraction_ok: bool = False,
               required: bool = True) -> Figure | None:
        if not required and name not in parent.map:
            return None
        g = parent.sub(name, required=True)
        if g is None:
            return None
        value = self._number(g, "value", fraction_ok=fraction_ok)
        source = self._source(g)
        g.done(("value", "source"))
        if value is None or source is None:
            return None
        return Figure(value, source, f"{g.path}:{g.map.line}")

    def bands(self, parent: Fields, name: str) -> tuple[Band, ...]:
        out: list[Band] = []
        items = parent.items(name)
        if not items and name not in parent.map:
            parent.error(name, "missing — a list of {name, rate, to, source}; the last band has no `to`")
        last = Decimal(0)
        for i, g in enumerate(items):
            label = g.text("name", True, "e.g. basic rate")
            rate = self._number(g, "rate")
            top = i == len(items) - 1
            to = None
            if "to" in g.map:
                to = self._number(g, "to")
                if top:
                    g.error("to", "the last band runs without limit; remove `to`")
                elif to is not None and to <= last:
                    g.error("to", f"{to} is not above the band before ({last}); bands run upwards")
                last = to if to is not None else last
            elif not top:
                g.error("to", "missing — where this band ends (taxable income), e.g. 37700")
            source = self._source(g)
            g.done(("name", "rate", "to", "source"))
            if label is None or rate is None or source is None or (not top and to is None):
                continue
            where = f"{g.path}:{g.map.line}"
            out.append(Band(label, Figure(rate, source, where), None if to is None else Figure(to, source, where)))
        return tuple(out)


TOP_FIELDS = ("tax_year", "sources", "income_tax", "national_insurance", "employment", "corporation_tax",
              "self_assessment", "capital_allowances")
IT_FIELDS = ("personal_allowance", "taper_threshold", "taper_rate", "bands", "scottish_bands",
             "dividend_allowance", "dividend_ordinary_rate", "dividend_upper_rate", "dividend_additional_rate")
NI_FIELDS = ("class_4_lower_profits_limit", "class_4_upper_profits_limit", "class_4_main_rate", "class_4_upper_rate",
             "class_2_small_profits_threshold", "class_2_voluntary_weekly", "class_2_compulsory_weekly",
             "class_1_primary_threshold", "class_1_upper_earnings_limit", "class_1_main_rate", "class_1_upper_rate",
             "class_1_secondary_threshold", "class_1_employer_rate", "employment_allowance")
EMP_FIELDS = ("apprenticeship_levy_rate", "apprenticeship_levy_allowance", "holiday_accrual_rate")
CT_FIELDS = ("financial_year", "small_profits_rate", "main_rate", "lower_limit", "upper_limit",
             "marginal_relief_fraction")
SA_FIELDS = ("payments_on_account_below", "deducted_at_source_share")
CA_FIELDS = ("annual_investment_allowance",)


def read_table(f: Fields) -> TaxTable | None:
    """One table from its mapping; None (with problems recorded) when anything is missing."""
    before = len(f.problems)
    text = f.text("tax_year", True, "the tax year, e.g. tax_year: 2027/28")
    year = parse_tax_year(text) if text is not None else None
    if text is not None and year is None:
        f.error("tax_year", f"'{text}' is not a tax year — write it as 2027/28")
    r = _Reader(f)
    it, ni, emp, ct, sa = (f.sub(n, required=True) for n in
                           ("income_tax", "national_insurance", "employment", "corporation_tax", "self_assessment"))
    ca = f.sub("capital_allowances")  # optional: needed only when the books hold capital items
    f.done(TOP_FIELDS)
    if it is None or ni is None or emp is None or ct is None or sa is None or year is None:
        return None
    fig = r.figure
    values = dict(
        personal_allowance=fig(it, "personal_allowance"), taper_threshold=fig(it, "taper_threshold"),
        taper_rate=fig(it, "taper_rate"), bands=r.bands(it, "bands"), scottish_bands=r.bands(it, "scottish_bands"),
        dividend_allowance=fig(it, "dividend_allowance"),
        dividend_rates=(fig(it, "dividend_ordinary_rate"), fig(it, "dividend_upper_rate"),
                        fig(it, "dividend_additional_rate")),
        class_4_lower=fig(ni, "class_4_lower_profits_limit"), class_4_upper=fig(ni, "class_4_upper_profits_limit"),
        class_4_main_rate=fig(ni, "class_4_main_rate"), class_4_upper_rate=fig(ni, "class_4_upper_rate"),
        class_2_threshold=fig(ni, "class_2_small_profits_threshold"),
        class_2_voluntary_weekly=fig(ni, "class_2_voluntary_weekly"),
        class_2_compulsory_weekly=fig(ni, "class_2_compulsory_weekly", required=False),
        class_1_primary_threshold=fig(ni, "class_1_primary_threshold"),
        class_1_upper_earnings_limit=fig(ni, "class_1_upper_earnings_limit"),
        class_1_main_rate=fig(ni, "class_1_main_rate"), class_1_upper_rate=fig(ni, "class_1_upper_rate"),
        class_1_secondary_threshold=fig(ni, "class_1_secondary_threshold"),
        class_1_employer_rate=fig(ni, "class_1_employer_rate"), employment_allowance=fig(ni, "employment_allowance"),
        levy_rate=fig(emp, "apprenticeship_levy_rate"), levy_allowance=fig(emp, "apprenticeship_levy_allowance"),
        holiday_accrual_rate=fig(emp, "holiday_accrual_rate"),
        ct_small_profits_rate=fig(ct, "small_profits_rate"), ct_main_rate=fig(ct, "main_rate"),
        ct_lower_limit=fig(ct, "lower_limit"), ct_upper_limit=fig(ct, "upper_limit"),
        ct_marginal_fraction=fig(ct, "marginal_relief_fraction", fraction_ok=True),
        poa_below=fig(sa, "payments_on_account_below"), poa_at_source_share=fig(sa, "deducted_at_source_share"),
        aia_limit=fig(ca, "annual_investment_allowance") if ca is not None else None,
    )
    fy = ct.integer("financial_year", True, minimum=1900, maximum=2200, hint="the year it starts in, e.g. 2027")
    if fy is not None and fy != year:
        ct.error("financial_year", f"{fy} does not start in the tax year {tax_year_label(year)}; "
                                   f"the table for {tax_year_label(year)} holds financial year {year}")
    bands = values["bands"]
    if isinstance(bands, tuple) and bands and len(bands) != 3:
        it.error("bands", f"the rest of the UK has three bands (basic, higher, additional), got {len(bands)}: "
                          "dividends are taxed in the same three")
    for sub, names in ((it, IT_FIELDS), (ni, NI_FIELDS), (emp, EMP_FIELDS), (ct, CT_FIELDS), (sa, SA_FIELDS)):
        sub.done(names)
    if ca is not None:
        ca.done(CA_FIELDS)
    if len(f.problems) > before or fy is None:
        return None
    return TaxTable(tax_year=year, origin=f.path, financial_year=fy, sources=tuple(r.sources.items()),
                    **values)  # type: ignore[arg-type]  # every value was checked above (no new problem)


def _tables_in(root: Path, path: Path, problems: list[Problem]) -> list[TaxTable]:
    value = read_yaml(root, path, problems)
    r = rel(root, path)
    if isinstance(value, YMap):
        items = [Fields(r, value, problems)]
    elif isinstance(value, YSeq):
        items = Fields(r, YMap({"tables": value}), problems).items("tables")
    else:
        if value is not None:
            problems.append(Problem(Source(r, getattr(value, "line", 1)), None,
                                    "expected a tax table (tax_year: …, sources: …) or a list of them"))
        return []
    out = []
    for f in items:
        t = read_table(f)
        if t is not None:
            out.append(t)
    return out


@cache
def shipped_tables() -> dict[int, TaxTable]:
    """The tables in consult/data/tax, by the year each starts in."""
    problems: list[Problem] = []
    out: dict[int, TaxTable] = {}
    for p in sorted(SHIPPED.glob("*.yaml")):
        for t in _tables_in(PACKAGE_ROOT, p, problems):
            out[t.tax_year] = t
    if problems:  # pragma: no cover - the shipped data is tested
        raise BooksError(problems, "the shipped tax tables have errors (a bug in consult)")
    return out


@cache
def shipped_table(year: int) -> TaxTable | None:
    """The shipped table of the tax year starting in `year`, reading only its own file
    (`2026-27.yaml`; tests/test_tax_tables.py checks every file holds the year it is named
    for): an estimate needs two years' tables, not every year's."""
    path = SHIPPED / f"{year}-{(year + 1) % 100:02d}.yaml"
    if not path.is_file():
        return shipped_tables().get(year)
    problems: list[Problem] = []
    found = {t.tax_year: t for t in _tables_in(PACKAGE_ROOT, path, problems)}
    if problems or year not in found:  # pragma: no cover - the shipped data is tested
        return shipped_tables().get(year)
    return found[year]


def books_tables(books: Path | None) -> dict[int, TaxTable]:
    """The books' own tables (tax_tables.yaml), refusing the command while any has an error."""
    if books is None or not (books / BOOKS_FILE).exists():
        return {}
    problems: list[Problem] = []
    tables = _tables_in(books, books / BOOKS_FILE, problems)
    if any(p.severity == "error" for p in problems):
        raise BooksError(problems, f"{BOOKS_FILE} has errors")
    out: dict[int, TaxTable] = {}
    for t in tables:
        out[t.tax_year] = t
    return out


def check_tax_tables(books: Books) -> list[Problem]:
    """`consult check`: every problem in the books' tax_tables.yaml, with file and line."""
    if not (books.root / BOOKS_FILE).exists():
        return []
    problems: list[Problem] = []
    _tables_in(books.root, books.root / BOOKS_FILE, problems)
    return problems


def available(books: Path | None = None) -> dict[int, TaxTable]:
    """Every table: the shipped ones, then the books' (which win for the same year)."""
    return {**shipped_tables(), **books_tables(books)}


def table_for(year: int, books: Path | None = None) -> TaxTable:
    """The table of the tax year starting in `year`, or `NoTaxTable` naming the year."""
    own = books_tables(books)
    if year in own:
        return own[year]
    if (shipped := shipped_table(year)) is not None:
        return shipped
    tables = available(books)
    have = ", ".join(tax_year_label(y) for y in sorted(tables))
    raise NoTaxTable(f"no tax table for {tax_year_label(year)}: consult has {have}. Rates are never guessed; "
                     f"add the year's figures, each with its source, to {BOOKS_FILE} at the books root "
                     "(the form is in docs/tax.md)")
