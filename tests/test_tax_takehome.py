"""Take-home from a day rate: the seed's £525 and £700 a day over 240 days, by hand, to the penny."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from consult.errors import UsageError
from consult.tax.tables import table_for
from consult.tax.takehome import take_home, umbrella_pay

REPO = Path(__file__).resolve().parent.parent
Y26 = table_for(2026)


def home(rate: int, structure: str, **kw: object) -> str:
    return take_home(D(rate), D(240), Y26, structure, **kw).take_home.plain()  # type: ignore[arg-type]  # keyword options as the CLI passes them


class TestSoleTrader:
    def test_525_a_day_keeps_79320_40(self):
        """126,000 profit, no allowance (26,000 over £100,000): 7,540 + 87,440 × 40% (34,976) + 860 ×
        45% (387) = 42,903.00 income tax; Class 4 2,262.00 + 75,730 × 2% (1,514.60) = 3,776.60."""
        assert home(525, "sole") == "79320.40"

    def test_700_a_day_keeps_101580_40(self):
        """168,000: 7,540 + 34,976 + 42,860 × 45% (19,287) = 61,803.00; Class 4 2,262 + 2,354.60."""
        assert home(700, "sole") == "101580.40"

    def test_expenses_and_a_platform_fee_come_off_first(self):
        """126,000 − 10% fee = 113,400 − 3,400 = 110,000 profit: income tax 33,432.00, Class 4 3,456.60."""
        r = take_home(D(525), D(240), Y26, "sole", expenses=D(3400), platform_fee=D(10))
        assert (r.take_home.plain(), r.costs.plain()) == ("73111.40", "16000.00")


class TestLimitedCompany:
    def test_525_a_day_with_the_common_split_keeps_77487_80(self):
        """Taxable 126,000 − 12,570 − 1,135.50 = 112,294.50; corporation tax 28,073.63 − 2,065.59 =
        26,008.04; dividends 86,286.46: 3,999.00 + 48,586.46 × 35.75% (17,369.66) = 21,368.66."""
        r = take_home(D(525), D(240), Y26, "ltd")
        assert (r.take_home.plain(), r.taxes.plain()) == ("77487.80", "48512.20")

    def test_700_a_day_paying_everything_out_keeps_91500_16(self):
        """Taxable 154,294.50, corporation tax 37,138.04, dividends 117,156.46; no allowance (income
        129,726.46): salary 12,570 × 20% = 2,514.00; dividends 24,630 × 10.75% = 2,647.73, 87,440 ×
        35.75% = 31,259.80, 4,586.46 × 39.35% = 1,804.77; income tax 38,226.30."""
        assert home(700, "ltd") == "91500.16"

    def test_dividends_can_be_set_and_cannot_pass_the_profit(self):
        r = take_home(D(525), D(240), Y26, "ltd", dividends=D(37000))
        take = next(s for s in r.sections if s.title == "Take-home")
        assert {s.label: s.money.plain() for s in take.steps if s.money}["left in the company"] == "49286.46"
        with pytest.raises(UsageError, match="more than the company's profit after tax"):
            take_home(D(525), D(240), Y26, "ltd", dividends=D(90000))


class TestUmbrella:
    def test_525_a_day_keeps_71831_14(self):
        """126,000 − margin 25 × 52 = 124,700 for pay and costs. Pay = (124,700 + 15% × 5,000) ÷ 1.155
        = 108,614.71 (down); employer NI 103,614.71 × 15% = 15,542.21; levy 543.07; 1p left over.
        Income tax 32,600.68 (allowance 8,263); employee NI 3,016.00 + 1,166.89."""
        r = take_home(D(525), D(240), Y26, "umbrella")
        assert (r.take_home.plain(), r.costs.plain()) == ("71831.14", "1843.08")

    def test_700_a_day_keeps_88624_92(self):
        assert home(700, "umbrella") == "88624.92"

    def test_pay_and_costs_never_spend_more_than_the_funds(self):
        for funds in (D("5000.00"), D("5025.13"), D("124700.00"), D("99999.99")):
            pay, ni, levy = umbrella_pay(Y26, funds)
            assert pay + ni + levy <= funds < pay + ni + levy + D("0.05")

    def test_expenses_are_not_an_umbrella_employees(self):
        with pytest.raises(UsageError, match="an umbrella employee's costs are not deducted"):
            take_home(D(525), D(240), Y26, "umbrella", expenses=D(100))


class TestCommand:
    def test_one_structure_prints_its_working(self, run_cli):
        code, out, err = run_cli("rate", "takehome", "525", "--billable-days", "240", "--structure", "sole",
                                 "--tax-year", "2026/27", books=REPO)
        assert (code, err) == (0, "")
        assert out.startswith("Sole trader: take-home at £525.00 a day, 2026/27\n\nProfit\n  day rate ")
        assert "= take-home" in out and "£79,320.40" in out
        assert "Side by side" not in out

    def test_all_three_then_side_by_side(self, run_cli):
        code, out, _ = run_cli("rate", "takehome", "700/day", "--billable-days", "240", "--tax-year", "2026",
                               books=REPO)
        assert code == 0
        table = out.split("Side by side", 1)[1]
        assert "£101,580.40" in table and "£91,500.16" in table and "£88,624.92" in table

    def test_json_has_each_structure_and_its_lines(self, run_cli):
        code, out, _ = run_cli("rate", "takehome", "525", "--billable-days", "240", "--tax-year", "2026/27",
                               "--format", "json", books=REPO)
        data = json.loads(out)
        assert code == 0
        assert [(r["structure"], r["take_home"]) for r in data["results"]] == [
            ("sole", "79320.40"), ("ltd", "77487.80"), ("umbrella", "71831.14")]

    def test_a_scottish_taxpayer_pays_scotlands_bands(self, run_cli):
        """126,000, no allowance: 753.73 + 2,597.80 + 2,968.56 + 13,161.96 + 62,710 × 45% (28,219.50)
        + 860 × 48% (412.80) = 48,114.35; take-home 126,000 − 48,114.35 − 3,776.60 = 74,109.05."""
        code, out, _ = run_cli("rate", "takehome", "525", "--billable-days", "240", "--structure", "sole",
                               "--tax-year", "2026/27", "--scottish", books=REPO)
        assert code == 0 and "Scottish top rate 48% on £860.00" in out and "£74,109.05" in out

    def test_days_are_counted_from_the_calendar_when_not_given(self, run_cli):
        """2026 in England: 253 working days − 25 − 5 − 10 = 213 billable days, shown first."""
        code, out, _ = run_cli("rate", "takehome", "525", "--structure", "umbrella", "--tax-year", "2026/27",
                               "--year", "2026", books=REPO)
        assert code == 0 and "= billable days" in out and "213 days" in out

    @pytest.mark.parametrize(("args", "message"), [
        (("--structure", "sole", "--salary", "12570"), "--salary and --dividends are for --structure ltd"),
        (("--currency", "EUR"), "--currency EUR: take-home is worked in pounds under UK tax; use GBP"),
        (("--tax-year", "2030/31"), "no tax table for 2030/31"),
        (("--structure", "ltd", "--dividends", "1000000"), "more than the company's profit after tax"),
    ])
    def test_refusals_exit_2_with_one_line(self, run_cli, args, message):
        code, out, err = run_cli("rate", "takehome", "525", "--billable-days", "240", *args, books=REPO)
        assert (code, out) == (2, "")
        assert message in err and "Traceback" not in err
