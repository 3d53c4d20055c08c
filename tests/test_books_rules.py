"""Rules of the books reader that keep money from being lost and say what to write.

Each test runs `consult check` (today is 2026-11-22, tests/conftest.py `run_cli`) on books
written inline and pins the line a user reads — file, line, column, field and what to write —
and the exit code: 1 for an error, 0 when only warnings remain.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consult.books.loader import load_books
from tests.conftest import PRACTICE

REPO = Path(__file__).resolve().parent.parent


def check(run_cli, root: Path) -> tuple[int, list[str]]:
    code, out, err = run_cli("check", books=root)
    assert "Traceback" not in out + err
    return code, out.splitlines()


def engagement(body: str) -> dict[str, str]:
    return {"clients/acme/engagements/build.yaml": body}


# --- 1. milestones are billed by name ----------------------------------------------------------
class TestMilestoneNames:
    FIXED = "title: LLM harness\nbilling: fixed\nmilestones:\n  - {name: Discovery, amount: 12000, due: 2026-09-30}\n"

    def test_a_second_milestone_with_the_same_name_is_an_error_at_its_line(self, make_books, run_cli):
        """What is billed remembers milestones by name: a second 'Discovery' would share the first's
        billed mark, and its £18,000 would never be invoiced."""
        root = make_books(engagement(self.FIXED + "  - {name: Discovery, amount: 18000, due: 2026-10-30}\n"))
        code, lines = check(run_cli, root)
        assert code == 1
        assert ("clients/acme/engagements/build.yaml:5:12: milestones[1].name: milestones[0] on line 4 is already "
                "named 'Discovery'; a milestone is billed by its name (in any case), so this one would never be "
                "billed — give each its own name") in lines

    def test_names_that_differ_only_in_case_or_spacing_are_the_same_name(self, make_books, run_cli):
        root = make_books(engagement(self.FIXED + "  - {name: '  discovery ', amount: 18000, due: 2026-10-30}\n"))
        code, lines = check(run_cli, root)
        assert code == 1 and any("milestones[1].name: milestones[0] on line 4 is already named 'Discovery'" in ln
                                 for ln in lines)

    def test_distinct_names_are_both_read(self, make_books):
        root = make_books(engagement(self.FIXED + "  - {name: Harness, amount: 18000, due: 2026-10-30}\n"))
        e = load_books(root).books.engagement("acme", "build")
        assert [m.name for m in e.milestones] == ["Discovery", "Harness"]


# --- 2. tax_year_start ---------------------------------------------------------------------------
class TestTaxYearStart:
    @pytest.mark.parametrize(("text", "why"), [
        ("02-30", "'02-30' is not a day of the year: month 02 has no day 30"),
        ("13-01", "'13-01' is not a month and day"),
        ("04-31", "'04-31' is not a day of the year: month 04 has no day 31"),
        ("02-29", "'02-29' is not a day every year has (29 February is in leap years only)"),
        ("4-6", "'4-6' is not a month and day"),
    ])
    def test_a_day_the_calendar_does_not_have_is_an_error(self, make_books, run_cli, text, why):
        root = make_books({"practice.yaml": PRACTICE + f"tax_year_start: {text}\n"})
        code, lines = check(run_cli, root)
        assert code == 1
        assert (f"practice.yaml:15:17: tax_year_start: {why} — write MM-DD with a day the month always has, "
                "e.g. 04-06 (the UK tax year) or 01-01") in lines

    def test_a_real_day_is_the_start_of_the_tax_year(self, make_books):
        root = make_books({"practice.yaml": PRACTICE + "tax_year_start: 01-31\n"})
        assert load_books(root).books.practice.tax_year_start == (1, 31)


# --- 3. subdivision ------------------------------------------------------------------------------
class TestSubdivision:
    def test_an_unknown_code_is_an_error_naming_the_codes(self, make_books, run_cli):
        root = make_books({"practice.yaml": PRACTICE + "subdivision: XYZ\n"})
        code, lines = check(run_cli, root)
        assert code == 1
        assert ("practice.yaml:15:14: subdivision: 'XYZ' is not a subdivision of GB — write one of ENG, NIR, SCT, "
                "WLS (an ISO 3166-2 code without 'GB-', e.g. SCT for Scotland)") in lines

    def test_a_name_is_told_its_code(self, make_books, run_cli):
        root = make_books({"practice.yaml": PRACTICE + "subdivision: Scotland\n"})
        code, lines = check(run_cli, root)
        assert code == 1
        assert ("practice.yaml:15:14: subdivision: 'Scotland' is a name, not a subdivision code — write SCT "
                "(Scotland's ISO 3166-2 code, GB-SCT, without 'GB-')") in lines

    @pytest.mark.parametrize("text", ["SCT", "sct", "GB-SCT", "gb-sct"])
    def test_the_code_is_read_in_any_case_with_or_without_the_country(self, make_books, text):
        """Read as the holidays package spells it, which is what Scottish tax bands and where a
        company is registered compare with (`sct` once made an English company of a Scottish one)."""
        root = make_books({"practice.yaml": PRACTICE + f"subdivision: {text}\n"})
        result = load_books(root)
        assert result.problems == [] and result.books.practice.subdivision == "SCT"

    def test_another_countrys_codes_come_from_the_holidays_package(self, make_books, run_cli):
        practice = PRACTICE.replace("country: GB", "country: DE")
        assert load_books(make_books({"practice.yaml": practice + "subdivision: DE-BY\n"})).books.practice \
            .subdivision == "BY"
        code, lines = check(run_cli, make_books({"practice.yaml": practice + "subdivision: Bayern\n"}))
        assert code == 1 and "practice.yaml:15:14: subdivision: 'Bayern' is a name, not a subdivision code — " \
                             "write BY (Bayern's ISO 3166-2 code, DE-BY, without 'DE-')" in lines

    def test_a_country_with_no_subdivisions_refuses_one(self, make_books, run_cli):
        practice = PRACTICE.replace("country: GB", "country: IE")
        code, lines = check(run_cli, make_books({"practice.yaml": practice + "subdivision: D\n"}))
        assert code == 1
        assert ("practice.yaml:15:14: subdivision: consult knows no subdivisions of IE (its bank holidays are "
                "national); remove the line") in lines

    def test_the_gb_table_is_the_holidays_packages(self):
        """GB's codes are known without importing `holidays` (a tenth of a second on every
        command); they must be the package's."""
        import holidays

        from consult.books.fields import GB_SUBDIVISIONS

        assert sorted(GB_SUBDIVISIONS) == sorted(holidays.list_supported_countries()["GB"])
        names = holidays.country_holidays("GB").subdivisions_aliases
        assert {code: name for name, code in names.items()} == GB_SUBDIVISIONS


# --- 4. market_rates -----------------------------------------------------------------------------
class TestMarketRates:
    POINT = "{label: UK ML contract day rate, kind: day_rate, amount: 600, currency: GBP, source: IT Jobs Watch, as_of: 2026-06}"

    def test_practice_market_rates_are_checked_like_every_field(self, make_books, run_cli):
        root = make_books({"practice.yaml": PRACTICE + "market_rates:\n  - " + self.POINT.replace("day_rate", "day_rat")
                           .replace("2026-06", "2026-13") + "\n"})
        code, lines = check(run_cli, root)
        assert code == 1
        assert ("practice.yaml:16:44: market_rates[0].kind: 'day_rat' is not one of day_rate, hour_rate, salary — "
                "did you mean 'day_rate'?") in lines
        assert ("practice.yaml:16:111: market_rates[0].as_of: '2026-13' is not a year, month or date — e.g. 2020, "
                "2020-04 or 2020-04-03") in lines

    def test_market_rates_yaml_is_checked_too(self, make_books, run_cli):
        root = make_books({"market_rates.yaml": "points:\n  - " + self.POINT.replace("amount: 600", "amount: -600")
                           + "\n"})
        code, lines = check(run_cli, root)
        assert code == 1
        assert "market_rates.yaml:2:62: points[0].amount: must be more than zero, got -600" in lines

    def test_good_points_pass(self, make_books, run_cli):
        root = make_books({"practice.yaml": PRACTICE + "market_rates:\n  - " + self.POINT + "\n"})
        assert check(run_cli, root)[0] == 0


# --- 5. empty required text ----------------------------------------------------------------------
class TestEmptyText:
    @pytest.mark.parametrize(("files", "expected"), [
        ({"clients/acme/client.yaml": 'name: ""\ncountry: GB\n'},
         "clients/acme/client.yaml:1:7: name: is empty — write the client's legal name, e.g. name: Acme Analytics Ltd"),
        (engagement("title: '   '\nbilling: daily\nrate: 650\n"),
         "clients/acme/engagements/build.yaml:1:8: title: is empty — write what the work is, e.g. title: Churn model"),
        ({"practice.yaml": PRACTICE.replace("address: |\n  1 Test Street\n  London\n", 'address: ""\n')},
         "practice.yaml:2:10: address: is empty — write your postal address as a `|` block"),
        (engagement("title: x\nbilling: fixed\nmilestones:\n  - {name: '', amount: 1, due: 2026-09-30}\n"),
         "clients/acme/engagements/build.yaml:4:12: milestones[0].name: is empty — write what the milestone "
         "delivers, e.g. name: Discovery report"),
        ({"clients/acme/payments.yaml": '- {date: 2026-02-01, invoice: " ", amount: 10}\n'},
         "clients/acme/payments.yaml:1:31: [0].invoice: is empty — write the invoice number paid, e.g. INV-2026-0001"),
    ], ids=["client name", "engagement title", "practice address", "milestone name", "payment invoice"])
    def test_a_quoted_empty_value_does_not_fill_a_required_field(self, make_books, run_cli, files, expected):
        code, lines = check(run_cli, make_books(files))
        assert code == 1 and expected in lines, lines


# --- 6. one boolean rule -------------------------------------------------------------------------
class TestBooleans:
    @staticmethod
    def files(word: str) -> dict[str, str]:
        """Every boolean field of the books written as `word`."""
        return {
            "clients/acme/engagements/build.yaml": f"title: x\nbilling: daily\nrate: 650\novertime: {word}\n",
            "clients/acme/timesheets/2026-01.yaml": f"- {{date: 2026-01-05, engagement: build, hours: 1, billable: {word}}}\n",
            "clients/acme/timesheets/2026-02.csv": f"date,engagement,hours,billable\n2026-02-02,build,1,{word}\n",
            "clients/acme/expenses.yaml": f"- {{date: 2026-01-05, amount: 5, rebill: {word}, capital: {word}, "
                                          f"goods: {word}, reverse_charge: {word}}}\n",
        }

    def read(self, make_books, word: str) -> tuple[list[str], dict[str, bool]]:
        """Problems, and what each boolean field read as."""
        result = load_books(make_books(self.files(word)))
        got: dict[str, bool] = {}
        if result.books is not None:
            b = result.books
            if ("acme", "build") in b.engagements:
                got["overtime"] = b.engagement("acme", "build").overtime
            got.update({f"billable {e.source.path[-4:]}": e.billable for e in b.entries})
            for x in b.expenses:
                got.update(rebill=x.rebill, capital=x.capital, goods=x.goods, reverse_charge=x.reverse_charge)
        return [str(p) for p in result.problems], got

    @pytest.mark.parametrize(("word", "value"), [("true", True), ("True", True), ("YES", True), ("yes", True),
                                                 ("false", False), ("FALSE", False), ("No", False), ("no", False)])
    def test_every_boolean_field_reads_the_same_words(self, make_books, word, value):
        problems, got = self.read(make_books, word)
        # true in every field makes a rebilled capital item, which is warned (and nothing else is)
        assert [p for p in problems if "capital item that is also rebilled" not in p] == []
        assert got == dict.fromkeys(("overtime", "billable yaml", "billable .csv", "rebill", "capital", "goods",
                                     "reverse_charge"), value)

    @pytest.mark.parametrize(("word", "tip"), [("on", " — write true"), ("off", " — write false"),
                                               ("y", " — write true"), ("n", " — write false"),
                                               ("1", " — write true"), ("0", " — write false"), ("maybe", "")])
    def test_every_boolean_field_refuses_the_same_words(self, make_books, word, tip):
        """`billable: on` was an error while `overtime: on` was true, and `rebill: n` an error
        while `billable: n` was false: one word, one meaning, in every field."""
        problems, _ = self.read(make_books, word)
        why = f"expected true or false, got '{word}'{tip} (yes and no also work, in any case)"
        line = self.files(word)["clients/acme/expenses.yaml"]

        def at(field: str) -> int:  # the 1-based column of the field's value on the expense line
            return line.index(f" {field}: ") + len(field) + 4

        assert problems == [
            f"clients/acme/engagements/build.yaml:4:11: overtime: {why}",
            *(f"clients/acme/expenses.yaml:1:{at(f)}: [0].{f}: {why}" for f in ("rebill", "capital", "goods",
                                                                              "reverse_charge")),
            f"clients/acme/timesheets/2026-01.yaml:1:61: [0].billable: {why}",
            f"clients/acme/timesheets/2026-02.csv:2:4: billable: {why}",
        ]

    def test_the_rule_is_written_in_the_books_format(self):
        doc = (REPO / "docs" / "books-format.md").read_text(encoding="utf-8")
        assert "| **boolean** | `true` or `yes`; `false` or `no` — in any case" in doc


# --- 7. files in a client folder consult does not read -------------------------------------------
class TestUnreadFiles:
    TS = "- {date: 2026-01-05, engagement: build, hours: 1}\n"

    @pytest.mark.parametrize(("name", "expected"), [
        ("clients/acme/timesheets/2026-10.CSV",
         "clients/acme/timesheets/2026-10.CSV: consult does not read this file, so its records are on no invoice "
         "and in no report: it reads .yaml, .yml and .csv in lower case only — rename it 2026-10.csv"),
        ("clients/acme/payment.yaml",
         "clients/acme/payment.yaml: consult does not read this file, so its records are on no invoice and in no "
         "report; it reads payments.yaml (YAML, that exact name) — move the items there"),
        ("clients/acme/engagement/next.yaml",
         "clients/acme/engagement: consult does not read this folder, so nothing in it is on an invoice or in a "
         "report; it reads engagements/ (that exact name) — rename it"),
        ("clients/acme/2026-10.yaml",
         "clients/acme/2026-10.yaml: consult does not read this file, so its records are on no invoice and in no "
         "report; it reads the folder timesheets/ here — move the file into it"),
        ("clients/acme/Expenses.yml",
         "clients/acme/Expenses.yml: consult does not read this file, so its records are on no invoice and in no "
         "report; it reads expenses.yaml (YAML, that exact name) — move the items there"),
        ("clients/acme/engagements/next.YAML",
         "clients/acme/engagements/next.YAML: consult does not read this file, so its records are on no invoice "
         "and in no report: it reads .yaml and .yml in lower case only — rename it next.yaml"),
    ])
    def test_a_near_miss_of_a_name_consult_reads_is_an_error_naming_it(self, make_books, run_cli, name, expected):
        """Like a near miss at the top of the books: its time or payments would be missing from every
        invoice and report while each command went on without them."""
        code, lines = check(run_cli, make_books({name: self.TS}))
        assert code == 1 and expected in lines, lines

    @pytest.mark.parametrize(("name", "expected"), [
        ("clients/acme/notes.yaml",
         "clients/acme/notes.yaml: warning: consult does not read this file (a client folder holds client.yaml, "
         "expenses.yaml, income.yaml, payments.yaml, allocations.yaml, refunds.yaml, writeoffs.yaml and the folders "
         "engagements/, timesheets/, proposals/, invoices/); move or remove it if it holds records"),
        ("clients/acme/timesheets/toggl.json",
         "clients/acme/timesheets/toggl.json: warning: consult does not read this file: timesheets/ holds time "
         "entries in .yaml, .yml or .csv files; import a tracker's export with `consult time import FILE`, or move "
         "the file out of the books"),
        ("clients/acme/timesheets/2025/2025-01.yaml",
         "clients/acme/timesheets/2025: warning: consult does not read folders inside timesheets/ (timesheets/ "
         "holds time entries in .yaml, .yml or .csv files); move the files up, or out of the books"),
    ])
    def test_another_data_file_is_a_warning(self, make_books, run_cli, name, expected):
        code, lines = check(run_cli, make_books({name: self.TS}))
        assert code == 0 and expected in lines, lines

    def test_documents_kept_with_the_client_are_left_alone(self, make_books, run_cli):
        root = make_books({"clients/acme/contract.pdf": "%PDF-1.4", "clients/acme/sow/terms.docx": "x",
                           "clients/acme/.notes.yaml": "x", "clients/acme/timesheets/.~lock.2026-01.csv#": "x"})
        assert check(run_cli, root) == (0, ["ok: 0 errors, 0 warnings in " + str(root) + " (1 clients, 0 time entries)"])

    def test_the_sample_books_have_no_unread_files(self, sample_books):
        assert [p for p in load_books(sample_books, timesheets=False).problems if "does not read" in p.message] == []


# --- 8. engagement fields nothing reads ----------------------------------------------------------
class TestProposalAndDescription:
    def test_proposal_is_refused_saying_how_an_engagement_is_tied_to_its_proposal(self, make_books, run_cli):
        root = make_books(engagement("title: x\nbilling: daily\nrate: 650\nproposal: P-2026-0001\n"))
        code, lines = check(run_cli, root)
        assert code == 1
        assert ("clients/acme/engagements/build.yaml:4:1: proposal: unknown field — consult ties an engagement to its "
                "proposal by id (proposals/<id>.yaml is accepted as engagements/<id>.yaml) and never read this one; "
                "remove it, or keep the note as a comment (# from proposal P-2026-0001)") in lines

    def test_description_is_refused_saying_the_title_is_what_prints(self, make_books, run_cli):
        root = make_books(engagement("title: x\ndescription: Build the model\nbilling: daily\nrate: 650\n"))
        code, lines = check(run_cli, root)
        assert code == 1
        assert ("clients/acme/engagements/build.yaml:2:1: description: unknown field — nothing prints an "
                "engagement's description (invoice lines print its title) and consult never read this one; remove "
                "it, or keep the text as a comment (# …)") in lines

    def test_a_typo_is_not_told_to_write_a_refused_field(self, make_books, run_cli):
        root = make_books(engagement("title: x\nbilling: daily\nrate: 650\ndescripton: x\n"))
        _, lines = check(run_cli, root)
        assert not any("did you mean 'description'" in ln for ln in lines)


# --- 9. expenses dated in the future -------------------------------------------------------------
class TestFutureExpenses:
    def test_an_expense_after_today_is_a_warning(self, make_books, run_cli):
        root = make_books({"clients/acme/expenses.yaml": "- {date: 2026-12-01, amount: 50, note: Train}\n"})
        code, lines = check(run_cli, root)
        assert code == 0
        assert ("clients/acme/expenses.yaml:1:3: warning: date: 2026-12-01 is after today (2026-11-22); an expense "
                "is dated the day it was paid — record it once it is paid") in lines

    def test_an_expense_more_than_a_year_ahead_is_an_error(self, make_books, run_cli):
        """2062 for 2026: the cost would sit in a tax year decades away and be missing from this one."""
        root = make_books({"expenses.yaml": "- {date: 2026-11-22, amount: 9, category: adminCosts}\n"
                                            "- {date: 2062-10-14, amount: 90, category: adminCosts}\n"})
        code, lines = check(run_cli, root)
        assert code == 1
        assert ("expenses.yaml:2:3: date: 2062-10-14 is more than a year after today (2026-11-22); an expense is "
                "dated the day it was paid — check the year") in lines
        assert not any(ln.startswith("expenses.yaml:1:") for ln in lines)

    def test_a_year_ahead_to_the_day_is_still_only_a_warning(self, make_books, run_cli):
        root = make_books({"mileage.yaml": "- {date: 2027-11-22, miles: 10, note: Leeds}\n"})
        code, lines = check(run_cli, root)
        assert code == 0
        assert ("mileage.yaml:1:3: warning: date: 2027-11-22 is after today (2026-11-22); a trip is dated the day "
                "it was made — record it once it is made") in lines


    def test_money_received_refunded_or_written_off_ahead_of_today_is_reported_the_same_way(self, sample_books,
                                                                                             run_cli):
        """A payment typed 2062 for 2026 would leave the invoice overdue and its money out of this
        year; income, refunds and write-offs follow the one rule (consult.core.periods.future_date)."""
        with open(sample_books / "clients/hafen-logistik/payments.yaml", "a", encoding="utf-8") as f:
            f.write("- {date: 2062-11-01, invoice: INV-2026-0002, amount: 1322.50, currency: EUR}\n")
        (sample_books / "clients/brightpath-ai/income.yaml").write_text(
            "- {date: 2026-12-02, amount: 120.00, currency: USD, stream: writing, note: Article}\n", encoding="utf-8")
        code, lines = check(run_cli, sample_books)
        assert code == 1
        assert any(ln.startswith("clients/hafen-logistik/payments.yaml:") and ln.endswith(
            "date: 2062-11-01 is more than a year after today (2026-11-22); a payment is dated the day it was "
            "received — check the year") for ln in lines), lines
        assert any(ln.startswith("clients/brightpath-ai/income.yaml:1:3: warning: date: 2026-12-02 is after today")
                   and "income is dated the day it was received" in ln for ln in lines), lines

    def test_the_commands_that_record_money_refuse_a_year_typo_and_write_nothing(self, sample_books, run_cli):
        payments = sample_books / "clients/hafen-logistik/payments.yaml"
        before = payments.read_bytes() if payments.exists() else None
        code, _, err = run_cli("invoice", "pay", "INV-2026-0002", "1322.50", "--date", "2062-11-01", books=sample_books)
        assert code == 2 and "--date: 2062-11-01 is more than a year after today (2026-11-22); a payment" in err
        assert (payments.read_bytes() if payments.exists() else None) == before
        code, _, err = run_cli("expense", "add", "12.00", "--date", "2062-01-01", "--category", "adminCosts",
                               "--note", "pens", books=sample_books)
        assert code == 2 and "an expense is dated the day it was paid — check the year" in err
        assert not (sample_books / "expenses.yaml").exists() or "2062" not in (sample_books / "expenses.yaml").read_text()
        code, out, err = run_cli("invoice", "pay", "INV-2026-0002", "1322.50", "--date", "2026-11-23",
                                 books=sample_books)
        assert code == 0 and "recorded 1322.50 EUR against INV-2026-0002 on 2026-11-23" in out
        assert "note: --date: 2026-11-23 is after today (2026-11-22); a payment is dated the day it was received" in err


# --- 10. files that are not text -----------------------------------------------------------------
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10"


class TestNotText:
    @pytest.mark.parametrize(("name", "data", "expected"), [
        ("clients/acme/client.yaml", PNG,
         "clients/acme/client.yaml: is a binary file, not text (a PNG image); it should hold the client's fields as "
         "YAML text (name:, country:, currency: …) — write that in a text editor, and keep receipts and scans in "
         "receipts/"),
        ("clients/acme/engagements/build.yaml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
         "clients/acme/engagements/build.yaml: is a binary file, not text (a PDF document); it should hold the "
         "engagement's fields as YAML text (title:, billing:, rate: …) — write that in a text editor, and keep "
         "receipts and scans in receipts/"),
        ("clients/acme/timesheets/2026-01.csv", "date,engagement,hours\n2026-01-05,build,1\n".encode("utf-16"),
         "clients/acme/timesheets/2026-01.csv: is a binary file, not text consult can read: it is UTF-16 (Excel's "
         "\"Unicode Text\"); save it as UTF-8 — it should hold time entries as CSV text, a header row first "
         "(date,engagement,hours,note)"),
        ("clients/acme/payments.yaml", b"\x00\x01\x02garbage\xff" * 20,
         "clients/acme/payments.yaml: is a binary file, not text; it should hold a list of YAML entries, each "
         "starting with `- ` (- {date: 2026-10-05, …}) — write that in a text editor, and keep receipts and scans "
         "in receipts/"),
    ], ids=["png client", "pdf engagement", "utf-16 csv", "nul bytes"])
    def test_a_file_that_is_not_text_says_so_and_what_it_should_hold(self, make_books, run_cli, name, data, expected):
        code, lines = check(run_cli, make_books({name: data}))
        assert code == 1 and expected in lines, lines

    def test_a_theme_that_is_an_image_says_so(self, make_books, run_cli):
        code, lines = check(run_cli, make_books({"templates/default.yaml": PNG}))
        assert code == 1
        assert ("templates/default.yaml: is a binary file, not text (a PNG image); it should hold a theme as YAML "
                "text (page:, colours:, labels: …) — write that in a text editor, and keep receipts and scans in "
                "receipts/") in lines

    def test_importing_an_image_says_what_it_is(self, make_books, run_cli, tmp_path):
        root = make_books()
        export = tmp_path / "toggl.csv"
        export.write_bytes(PNG)
        code, out, err = run_cli("time", "import", str(export), books=root)
        assert code == 1
        assert (f"{export}: is a binary file, not text (a PNG image); export the time entries from the tool again "
                "as CSV (or, from Watson and Timewarrior, JSON) and import that file") in err
        assert "zero bytes" not in err


# --- 11. where a missing field is reported -------------------------------------------------------
class TestMissingFieldPosition:
    def test_a_field_left_out_is_reported_at_the_start_of_its_record(self, make_books, run_cli):
        root = make_books({"clients/acme/payments.yaml": "# money in\n\n- date: 2026-02-01\n  amount: 10\n"})
        _, lines = check(run_cli, root)
        assert ("clients/acme/payments.yaml:3:3: [0].invoice: missing — the invoice number paid, e.g. "
                "INV-2026-0001") in lines

    def test_a_field_given_no_value_through_an_alias_is_reported_at_its_own_key(self, make_books, run_cli):
        """An alias shares its anchor's position: the problem once pointed at the first entry's line
        for the second entry's field."""
        root = make_books({"clients/acme/payments.yaml": "- {date: 2026-02-01, invoice: INV-1, amount: 10, note: &n ~}\n"
                                                         "- {date: 2026-02-02, amount: 10, invoice: *n}\n"})
        _, lines = check(run_cli, root)
        assert ("clients/acme/payments.yaml:2:34: [1].invoice: missing — the invoice number paid, e.g. "
                "INV-2026-0001") in lines

    def test_a_field_with_an_empty_value_is_reported_at_its_key(self, make_books, run_cli):
        root = make_books(engagement("billing: daily\nrate: 650\n\ntitle:\n# to do\n"))
        _, lines = check(run_cli, root)
        assert "clients/acme/engagements/build.yaml:4:1: title: missing — what the work is, e.g. title: Churn model" \
            in lines


# --- 12. pointers in what consult writes ---------------------------------------------------------
class TestWrittenPointers:
    def test_init_points_at_the_books_format(self, tmp_path):
        from consult.books.init import create_books

        create_books(tmp_path / "books")
        text = (tmp_path / "books" / "practice.yaml").read_text(encoding="utf-8")
        assert '# Field reference: docs/books-format.md ("The practice").' in text
        doc = (REPO / "docs" / "books-format.md").read_text(encoding="utf-8")
        assert re.search(r"^## \d+\. The practice", doc, flags=re.M)

    def test_every_readme_section_a_written_comment_names_exists(self):
        """Comments consult writes into the books (and the sample books' own, and the code's) name
        README sections by title; each must be a heading of the README (or a paragraph's bold lead)."""
        readme = (REPO / "README.md").read_text(encoding="utf-8")
        headings = {*re.findall(r"^#+ (.+)$", readme, flags=re.M), *re.findall(r"^\*\*(.+?)\*\*", readme, flags=re.M)}
        named: list[tuple[str, str]] = []
        files = [*sorted((REPO / "consult").rglob("*.py")), *(REPO / n for n in ("practice.yaml", "expenses.yaml",
                                                                                "mileage.yaml"))]
        for path in files:
            text = path.read_text(encoding="utf-8")
            named += [(path.name, t) for t in re.findall(r'README,? \\?"([^"\\]+)\\?"', text)]
        assert named, "the scan found no README reference"
        assert [(f, t) for f, t in named if t not in headings] == []


def test_a_client_expense_both_capital_and_rebilled_is_warned(make_books, run_cli):
    """capital: true with rebill left at its default (true) claims the item twice over: sold on to
    the client and kept as the practice's own. check warns at the capital field."""
    root = make_books({"clients/acme/expenses.yaml":
                       "- {date: 2026-10-05, engagement: build, amount: 2400.00, vat: 400.00, capital: true, "
                       "note: GPU workstation}\n"})
    code, out, err = run_cli("check", books=root)
    assert code == 0, out + err
    assert ("clients/acme/expenses.yaml:1:80: warning: [0].capital: a capital item that is also rebilled to the client"
            in out + err), out + err
    root2 = make_books({"clients/acme/expenses.yaml":
                        "- {date: 2026-10-05, engagement: build, amount: 2400.00, vat: 400.00, capital: true, "
                        "rebill: false, note: GPU workstation}\n"})
    code, out, err = run_cli("check", books=root2)
    assert "capital item that is also rebilled" not in out + err
