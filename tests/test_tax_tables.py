"""The dated tax tables: every figure sourced, a missing year refused by name, the books may add one."""

from __future__ import annotations

import re
import textwrap
from dataclasses import fields
from decimal import Decimal
from pathlib import Path

import pytest

from consult.errors import BooksError
from consult.tax.tables import Band, Figure, NoTaxTable, available, shipped_tables, table_for

SHIPPED = Path(__file__).resolve().parent.parent / "consult" / "data" / "tax" / "2026-27.yaml"


def _figures(table: object) -> list[Figure]:
    out: list[Figure] = []
    for f in fields(table):  # type: ignore[arg-type]  # a TaxTable dataclass, typed as object here
        v = getattr(table, f.name)
        items = v if isinstance(v, tuple) else (v,)
        for x in items:
            if isinstance(x, Figure):
                out.append(x)
            elif isinstance(x, Band):
                out += [x.rate] + ([x.to] if x.to is not None else [])
    return out


class TestShipped:
    def test_three_years_ship_2024_25_to_2026_27(self):
        assert sorted(t.label for t in shipped_tables().values()) == ["2024/25", "2025/26", "2026/27"]

    def test_each_file_holds_the_year_it_is_named_for(self):
        """An estimate reads only its years' files (`2026-27.yaml`), so each must hold that year
        and nothing else."""
        from consult.tax.tables import SHIPPED, shipped_table

        for path in sorted(SHIPPED.glob("*.yaml")):
            year = int(path.stem[:4])
            assert path.stem == f"{year}-{(year + 1) % 100:02d}"
            assert shipped_table(year) == shipped_tables()[year]
            assert shipped_table(year).origin == f"consult/data/tax/{path.name}"

    @pytest.mark.parametrize("year", [2024, 2025, 2026])
    def test_every_figure_names_a_statute_or_an_hmrc_or_government_page(self, year):
        """No figure without a source, and every source is an address a reader can open."""
        figures = _figures(table_for(year))
        assert len(figures) > 40
        for f in figures:
            assert f.source and re.search(r"https://www\.(legislation\.gov\.uk|gov\.uk|gov\.scot|parliament\.scot)/",
                                          f.source), f
            assert re.match(r"consult/data/tax/\d{4}-\d{2}\.yaml:\d+$", f.origin), f.origin

    def test_2026_27_has_the_figures_of_domain_rules_10_4(self):
        t = table_for(2026)
        assert (t.personal_allowance.value, t.taper_threshold.value) == (12570, 100000)
        assert [(b.rate.value, b.to and b.to.value) for b in t.bands] == [(20, 37700), (40, 125140), (45, None)]
        assert [(b.rate.value, b.to and b.to.value) for b in t.scottish_bands] == [
            (19, 3967), (20, 16956), (21, 31092), (42, 62430), (45, 125140), (48, None)]
        assert [r.value for r in t.dividend_rates] == [Decimal("10.75"), Decimal("35.75"), Decimal("39.35")]
        assert (t.class_1_secondary_threshold.value, t.class_1_employer_rate.value) == (5000, 15)
        assert (t.ct_lower_limit.value, t.ct_upper_limit.value, t.ct_marginal_fraction.value) == \
            (50000, 250000, Decimal("0.015"))

    def test_the_years_differ_where_the_law_changed(self):
        """Employer NI 13.8% over £9,100 became 15% over £5,000 in 2025/26; dividend rates rose
        2 points in 2026/27; Scotland's starter band widened each year."""
        y24, y25, y26 = (table_for(y) for y in (2024, 2025, 2026))
        assert (y24.class_1_employer_rate.value, y24.class_1_secondary_threshold.value) == (Decimal("13.8"), 9100)
        assert (y25.class_1_employer_rate.value, y25.class_1_secondary_threshold.value) == (15, 5000)
        assert y25.dividend_rates[0].value == Decimal("8.75") and y26.dividend_rates[0].value == Decimal("10.75")
        assert [t.scottish_bands[0].to.value for t in (y24, y25, y26)] == [2306, 2827, 3967]  # type: ignore[union-attr]  # every starter band has an end


class TestMissingYears:
    def test_a_year_with_no_table_is_refused_by_name(self):
        with pytest.raises(NoTaxTable) as e:
            table_for(2027)
        assert str(e.value).startswith("no tax table for 2027/28: consult has 2024/25, 2025/26, 2026/27. "
                                       "Rates are never guessed; add the year's figures")
        assert e.value.exit_code == 2

    def test_an_earlier_year_is_refused_too(self):
        with pytest.raises(NoTaxTable, match="no tax table for 2023/24"):
            table_for(2023)


def _books_table(tmp_path: Path, text: str) -> Path:
    (tmp_path / "practice.yaml").write_text("name: x\n")
    (tmp_path / "tax_tables.yaml").write_text(textwrap.dedent(text))
    return tmp_path


class TestBooksTables:
    def test_the_books_add_a_year_in_the_shipped_form(self, tmp_path):
        """A copy of 2026/27 relabelled 2027/28 (with its financial year) is read from the books."""
        text = SHIPPED.read_text().replace("tax_year: 2026/27", "tax_year: 2027/28") \
            .replace("financial_year: 2026", "financial_year: 2027")
        root = _books_table(tmp_path, text)
        t = table_for(2027, root)
        assert (t.label, t.origin, t.personal_allowance.value) == ("2027/28", "tax_tables.yaml", 12570)
        assert sorted(available(root)) == [2024, 2025, 2026, 2027]

    def test_a_books_table_replaces_the_shipped_year(self, tmp_path):
        text = SHIPPED.read_text().replace("class_4_main_rate: {value: 6,", "class_4_main_rate: {value: 7,")
        t = table_for(2026, _books_table(tmp_path, text))
        assert (t.origin, t.class_4_main_rate.value) == ("tax_tables.yaml", 7)

    def test_a_figure_without_a_known_source_is_an_error_with_its_line(self, tmp_path):
        text = SHIPPED.read_text().replace("tax_year: 2026/27", "tax_year: 2027/28") \
            .replace("financial_year: 2026", "financial_year: 2027") \
            .replace("personal_allowance: {value: 12570, source: fa2021-s5}",
                     "personal_allowance: {value: 12570, source: my-guess}") \
            .replace("taper_threshold: {value: 100000, source: ita2007-s35}", "taper_threshold: {value: 100000}")
        with pytest.raises(BooksError) as e:
            table_for(2027, _books_table(tmp_path, text))
        msgs = [str(p) for p in e.value.problems]
        assert any(re.match(r"tax_tables.yaml:\d+:\d+: income_tax.personal_allowance.source: 'my-guess' is not in "
                            r"`sources:`", m) for m in msgs), msgs
        assert any(re.match(r"tax_tables.yaml:\d+:\d+: income_tax.taper_threshold.source: missing — name an entry "
                            r"of `sources:`", m) for m in msgs), msgs

    def test_bands_must_rise_and_the_top_band_has_no_end(self, tmp_path):
        text = SHIPPED.read_text().replace("to: 125140, source: [fa2022-s2", "to: 30000, source: [fa2022-s2") \
            .replace("{name: additional rate, rate: 45, source: fa2022-s2}",
                     "{name: additional rate, rate: 45, to: 999999, source: fa2022-s2}")
        with pytest.raises(BooksError) as e:
            table_for(2026, _books_table(tmp_path, text))
        msgs = " | ".join(str(p) for p in e.value.problems)
        assert "income_tax.bands[1].to: 30000 is not above the band before (37700); bands run upwards" in msgs
        assert "income_tax.bands[2].to: the last band runs without limit; remove `to`" in msgs

    def test_consult_check_reports_a_bad_books_table(self, make_books, run_cli):
        root = make_books({"tax_tables.yaml": "tax_year: 2027-28\n"})
        code, out, _ = run_cli("check", books=root)
        assert code == 1
        assert "tax_tables.yaml:1:11: tax_year: '2027-28' is not a tax year — write it as 2027/28" in out
        assert "tax_tables.yaml:1:1: sources: missing" in out

    def test_a_financial_year_that_does_not_start_in_the_tax_year_is_an_error(self, tmp_path):
        text = SHIPPED.read_text().replace("financial_year: 2026", "financial_year: 2025")
        with pytest.raises(BooksError, match="financial_year: 2025 does not start in the tax year 2026/27"):
            table_for(2026, _books_table(tmp_path, text))
