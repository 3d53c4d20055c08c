"""`consult rate …` as a user runs it: the printed breakdown, JSON, defaults and refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

GERMAN_PRACTICE = """\
name: Beispiel GmbH
address: |
  1 Teststraße
  Berlin
country: DE
base_currency: EUR
locale: de_DE
hours_per_day: 8
"""


@pytest.fixture
def no_books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with no practice.yaml in it or above it."""
    here = tmp_path / "nowhere"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


class TestConvert:
    def test_650_a_day_prints_its_breakdown_and_86_67(self, run_cli, no_books) -> None:
        """Without books the UK defaults apply: 650 ÷ 7.5 = 86.67, every line shown."""
        code, out, err = run_cli("rate", "convert", "650/day")
        assert (code, err) == (0, "")
        assert out == (
            "Day rate to hourly rate\n"
            "\n"
            "  day rate       £650.00 /day\n"
            "÷ hours per day      7.5 hours\n"
            "= hourly rate     £86.67 /hour  rounded half up to the minor unit\n"
            "\n"
            "£650.00 a day = £86.67 an hour at 7.5 hours a day (rounded half up to the minor unit).\n")

    def test_90_an_hour_is_675_a_day_in_json(self, run_cli, no_books) -> None:
        """JSON carries the same lines, amounts as exact strings."""
        code, out, _ = run_cli("rate", "convert", "90/hour", "--format", "json")
        data = json.loads(out)
        assert code == 0
        assert (data["day_rate"], data["hour_rate"], data["currency"]) == ("675.00", "90.00", "GBP")
        assert [(s["op"], s["item"], s["value"]) for s in data["steps"]] == [
            ("", "hourly rate", "90.00"), ("×", "hours per day", "7.5"), ("=", "day rate", "675.00")]

    def test_525_a_day_is_70_an_hour_with_the_sample_books(self, run_cli) -> None:
        """The sample practice works a 7.5 h day in GBP."""
        code, out, _ = run_cli("rate", "convert", "525/day", books=REPO)
        assert code == 0 and out.splitlines()[-1].startswith("£525.00 a day = £70.00 an hour")

    def test_practice_defaults_hours_currency_and_locale(self, run_cli, make_books) -> None:
        """A German practice on 8 h days in EUR: 640/day = 80,00 € an hour."""
        books = make_books({"practice.yaml": GERMAN_PRACTICE}, defaults=False)
        code, out, _ = run_cli("rate", "convert", "640/day", books=books)
        assert code == 0
        assert out.splitlines()[-1] == ("640,00\xa0€ a day = 80,00\xa0€ an hour at 8 hours a day "
                                        "(rounded half up to the minor unit).")

    def test_options_override_the_practice(self, run_cli) -> None:
        """--hours-per-day 8 --currency usd: 640 ÷ 8 = US$80.00."""
        code, out, _ = run_cli("rate", "convert", "640/day", "--hours-per-day", "8", "--currency", "usd", books=REPO)
        assert code == 0 and "US$80.00 an hour at 8 hours a day" in out


class TestTarget:
    def test_126000_over_240_days_is_525_and_70(self, run_cli, no_books) -> None:
        """126,000 ÷ 240 = 525.00 a day, 70.00 an hour."""
        code, out, _ = run_cli("rate", "target", "126000", "--billable-days", "240")
        assert code == 0
        assert out.splitlines()[-1] == "Charge at least £525.00 a day or £70.00 an hour."

    def test_england_2026_breakdown_line_by_line(self, run_cli) -> None:
        """(100,000 + 6,000) ÷ (253 − 25 − 5 − 10) ÷ 0.9 = 552.95 a day, 73.73 an hour."""
        code, out, _ = run_cli("rate", "target", "100000", "--year", "2026", "--expenses", "6000",
                               "--platform-fee", "10", books=REPO)
        assert code == 0
        assert out == (
            "Day rate for a target income\n"
            "\n"
            "  working days                               253 days   2026: 261 weekdays − 8 bank holidays (GB/ENG, holidays library)\n"
            "− annual leave                                25 days\n"
            "− sickness                                     5 days\n"
            "− non-billable days                           10 days   admin, sales, training, gaps\n"
            "= billable days                              213 days\n"
            "  target income                      £100,000.00        before tax\n"
            "+ business expenses                    £6,000.00\n"
            "= revenue needed                     £106,000.00\n"
            "÷ billable days                              213 days\n"
            "= day rate before the fee                £497.65 /day\n"
            "÷ share kept after the platform fee          0.9        1 − 10%: the rate × 0.9 still meets the need\n"
            "= day rate                               £552.95 /day   rounded up to the minor unit, so the rate never falls short\n"
            "÷ hours per day                              7.5 hours\n"
            "= hourly rate                             £73.73 /hour  rounded up to the minor unit, so the rate never falls short\n"
            "\n"
            "Charge at least £552.95 a day or £73.73 an hour.\n")

    def test_the_year_defaults_to_today(self, run_cli, no_books) -> None:
        """CONSULT_TODAY=2026-11-22 counts 2026's working days."""
        code, out, _ = run_cli("rate", "target", "100000")
        assert code == 0 and "2026: 261 weekdays − 8 bank holidays (GB/ENG" in out

    def test_utilisation_in_json(self, run_cli, no_books) -> None:
        """(253 − 25 − 5) × 0.85 = 189.55 days; 100,000 ÷ 189.55 = 527.565… → 527.57."""
        code, out, _ = run_cli("rate", "target", "100000", "--year", "2026", "--utilisation", "0.85",
                               "--format", "json")
        data = json.loads(out)
        assert code == 0
        assert (data["billable_days"], data["day_rate"], data["hour_rate"]) == ("189.55", "527.57", "70.35")
        day = next(s for s in data["steps"] if s["item"] == "day rate")
        assert day["exact"].startswith("527.5652")

    def test_scotland_from_the_options(self, run_cli, no_books) -> None:
        """--subdiv SCT counts Scotland's own bank holidays."""
        code, out, _ = run_cli("rate", "target", "100000", "--year", "2026", "--subdiv", "SCT")
        assert code == 0 and "(GB/SCT, holidays library)" in out

    def test_a_country_given_drops_the_practice_subdivision(self, run_cli) -> None:
        """The sample practice says ENG; --country DE must not look for a German 'ENG'."""
        code, out, _ = run_cli("rate", "target", "100000", "--year", "2026", "--country", "DE", books=REPO)
        assert code == 0 and "2026: 261 weekdays − 7 bank holidays (DE, holidays library)" in out


class TestSalary:
    def test_salary_pension_and_benefits(self, run_cli, no_books) -> None:
        """60,000 + 5% pension + 2,000 benefits = 65,000 over 200 days = 325.00 a day, 43.34 an hour."""
        code, out, _ = run_cli("rate", "salary", "60000", "--pension", "5", "--benefits", "2000",
                               "--billable-days", "200")
        assert code == 0
        lines = out.splitlines()
        assert "+ employer pension    £3,000.00        5% of salary" in lines
        assert "= employee package   £65,000.00        employer's NI and tax differences not included" in lines
        assert lines[-1] == "Charge at least £325.00 a day or £43.34 an hour."


class TestMarket:
    def test_650_against_the_shipped_points(self, run_cli, no_books) -> None:
        """650 is 23.8% over the 2020 median of 525 and 7.1% under the 90th percentile of 700."""
        code, out, _ = run_cli("rate", "market", "650", "--format", "json")
        data = json.loads(out)
        assert code == 0
        day_rates = {(p["statistic"], p["day_rate"], p["difference_percent"], p["source"], p["as_of"])
                     for p in data["points"] if p["kind"] == "day_rate"}
        assert day_rates == {("median", "525.00", "23.8", "IT Jobs Watch", "2020"),
                             ("90th percentile", "700.00", "-7.1", "IT Jobs Watch", "2020")}
        salary = next(p for p in data["points"] if p["amount"] == "68750.00")
        assert (salary["day_rate"], salary["how"]) == ("312.50", "÷ 220 billable days")

    def test_foreign_salaries_convert_at_the_ecb_rate_of_their_date(self, run_cli, no_books) -> None:
        """The US point (2020) converts at the ECB rate of 30 June 2020, named in the row."""
        code, out, _ = run_cli("rate", "market", "650", "--format", "json")
        us = next(p for p in json.loads(out)["points"] if p["currency"] == "USD")
        assert code == 0 and "(ECB 2020-06-30)" in us["how"] and us["how"].endswith("÷ 220 billable days")

    def test_the_table_names_source_and_date(self, run_cli, no_books) -> None:
        """The printed table shows each point's source and date and a one-line summary."""
        code, out, _ = run_cli("rate", "market", "650/day")
        assert code == 0
        assert "IT Jobs Watch, 2020" in out and "+23.8%" in out
        assert "650.00 GBP/day is above 5 of 6 reference points." in out

    def test_user_points_in_the_books_are_added(self, run_cli, make_books) -> None:
        """A point in market_rates.yaml at the books root joins the comparison with its origin."""
        books = make_books({"market_rates.yaml": """\
            points:
              - label: My last contract
                kind: day_rate
                amount: 600
                currency: GBP
                source: my invoices
                as_of: 2026-06
            """})
        code, out, _ = run_cli("rate", "market", "650", "--format", "json", books=books)
        mine = [p for p in json.loads(out)["points"] if p["source"] == "my invoices"]
        assert code == 0
        assert [(p["day_rate"], p["difference_percent"], p["origin"]) for p in mine] == [
            ("600.00", "8.3", "market_rates.yaml:2")]

    def test_a_bad_user_point_is_a_books_error_with_file_and_line(self, run_cli, make_books) -> None:
        """A point without a source is refused (exit 1) naming the file, line and field."""
        books = make_books({"market_rates.yaml": """\
            - label: Rumour
              kind: day_rate
              amount: 900
              currency: GBP
              as_of: 2026
            """})
        code, _, err = run_cli("rate", "market", "650", books=books)
        assert code == 1
        assert err == ("error: the market reference points have errors:\n"
                       "  market_rates.yaml:1:3: points[0].source: missing — who published the figure, "
                       "e.g. IT Jobs Watch\n")


class TestRefusals:
    @pytest.mark.parametrize(("args", "message"), [
        (("convert", "0/day"), "rate '0/day': must be more than zero — e.g. 650/day or 90/hour"),
        (("convert", "abc/day"), "rate 'abc/day': 'abc' is not a number — e.g. 650/day or 90/hour"),
        (("target", "100000", "--utilisation", "1.5"),
         "--utilisation 1.5: must be more than 0 and at most 1 (0.85 bills 85% of the days left after leave and sickness)"),
        (("target", "100000", "--country", "XX"),
         "country 'XX': the holidays library does not know it — use an ISO 3166 alpha-2 code such as GB, IE, DE, US, IN"),
        (("target", "100000", "--non-billable-days", "250"),
         "no billable days left (253 − 25 − 5 − 250 = -27); lower the deductions or give --billable-days"),
        (("target", "lots"), "income 'lots': 'lots' is not a number — e.g. 126000 or 126,000.00"),
        (("target", "100000", "--platform-fee", "100"),
         "--platform-fee 100: must be at least 0 and below 100 (a percentage, e.g. 10)"),
        (("convert", "650/day", "--hours-per-day", "0"),
         "--hours-per-day 0: must be more than 0 and at most 24 (7.5 is usual in the UK)"),
        (("salary", "60000", "--billable-days", "200", "--leave-days", "20"),
         "--billable-days replaces the whole count; drop --leave-days"),
    ])
    def test_bad_input_exits_2_with_one_line(self, run_cli, no_books, args: tuple[str, ...], message: str) -> None:
        """Each refusal is one line on stderr, exit 2, nothing on stdout, no traceback."""
        code, out, err = run_cli("rate", *args)
        assert (code, out, err) == (2, "", f"error: {message}\n")

    def test_books_named_but_missing_is_a_usage_error(self, run_cli, tmp_path: Path) -> None:
        """--books pointing at a folder with no practice.yaml is refused, not silently ignored."""
        code, _, err = run_cli("rate", "convert", "650/day", books=tmp_path)
        assert code == 2 and err.startswith(f"error: {tmp_path} is not a books folder")

    def test_a_broken_practice_file_stops_with_exit_1(self, run_cli, make_books) -> None:
        """The defaults would be guesses, so a bad hours_per_day is reported with file and line."""
        books = make_books({"practice.yaml": GERMAN_PRACTICE.replace("hours_per_day: 8", "hours_per_day: eight")},
                           defaults=False)
        code, _, err = run_cli("rate", "convert", "650/day", books=books)
        assert code == 1
        assert err == ("error: practice.yaml has errors (the rate defaults come from it):\n"
                       "  practice.yaml:8:16: hours_per_day: 'eight' is not a number\n")


def test_rate_commands_import_neither_pandas_nor_reportlab() -> None:
    """Every `consult rate` command runs without loading pandas or ReportLab."""
    code = ("import sys\n"
            "from consult.cli import run\n"
            "b = ['--books', sys.argv[1], 'rate']\n"
            "for args in (['convert', '650/day'], ['target', '100000', '--year', '2026'],\n"
            "             ['salary', '68750', '--pension', '5'], ['market', '650']):\n"
            "    assert run(b + args) == 0, args\n"
            "print(' '.join(m for m in ('pandas', 'reportlab') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == ""
