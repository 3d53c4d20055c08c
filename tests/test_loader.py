"""The loader: typed records from the books, and exact problems with file, line and field."""

from datetime import date, time
from decimal import Decimal as D

from consult.books.loader import load_books
from consult.core.money import Money


def problems_of(root):
    return [str(p) for p in load_books(root).problems]


class TestRecords:
    def test_sample_client_and_engagement_are_typed(self, make_books):
        books = load_books(make_books()).books
        e = books.engagement("acme", "build")
        assert e.rate == Money.of(650, "GBP")
        assert (e.billing, e.day_rounding, e.hours_per_day) == ("daily", "half", D("7.5"))
        assert books.client("acme").tax == "standard"
        assert books.practice.vat_registered

    def test_yaml_numbers_are_read_from_their_text(self, make_books):
        """rate: 525.50 is Decimal('525.50'), never the float 525.5."""
        root = make_books({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: 525.50\n"})
        assert str(load_books(root).books.engagement("acme", "build").rate.amount) == "525.50"

    def test_country_no_is_norway_not_false(self, make_books):
        """YAML 1.1 would read NO as false; the loader reads the text."""
        root = make_books({"clients/acme/client.yaml": "name: Nordic AS\ncountry: NO\ncurrency: NOK\n"
                                                      "vat_number: NO123456785MVA\ntax: outside_scope\n"})
        assert load_books(root).books.client("acme").country == "NO"

    def test_every_entry_form_becomes_minutes(self, make_books):
        root = make_books({"clients/acme/timesheets/2026-01.yaml": """\
            - {date: 2026-01-05, engagement: build, hours: 7.5}
            - {date: 2026-01-06, engagement: build, duration: 1h30m}
            - {date: 2026-01-07, engagement: build, days: 0.5}
            - {date: 2026-01-08, engagement: build, start: "09:00", end: "17:30", billable: false}
            - {date: 2026-01-09, hours: 2}
            """})
        entries = load_books(root).books.entries
        assert [e.minutes for e in entries] == [450, 90, 225, 510, 120]
        assert entries[3].billable is False and entries[3].start == time(9, 0)
        assert entries[4].engagement == "build"  # the client's one active engagement
        assert entries[0].date == date(2026, 1, 5)

    def test_csv_timesheets_read_like_yaml(self, make_books):
        root = make_books({"clients/acme/timesheets/2026-02.csv":
                           "date,engagement,hours,duration,note,billable\n"
                           "2026-02-02,build,7.5,,\"Long, quoted note\",\n"
                           "2026-02-03,build,,1h15m,Review,false\n"})
        entries = load_books(root).books.entries
        assert [(e.minutes, e.billable, e.note) for e in entries] == [
            (450, True, "Long, quoted note"), (75, False, "Review")]
        assert [e.source.line for e in entries] == [2, 3]

    def test_payments_income_and_expenses(self, make_books):
        root = make_books({
            "clients/acme/payments.yaml": "- {date: 2026-02-01, invoice: INV-2026-0001, amount: 780.00}\n",
            "clients/acme/expenses.yaml": "- {date: 2026-01-10, engagement: build, amount: 42.50, category: carVanTravelExpenses}\n",
            "clients/pay/client.yaml": "name: Platform\nkind: platform\ncurrency: USD\n",
            "clients/pay/income.yaml": "- {date: 2026-03-31, amount: 120.00, stream: writing, fx_rate: 0.79}\n",
        })
        books = load_books(root).books
        assert books.payments[0].amount == Money.of("780.00", "GBP")
        assert books.expenses[0].rebill is True
        assert books.income[0].amount == Money.of(120, "USD") and books.income[0].fx_rate == D("0.79")


class TestProblems:
    def test_unknown_field_suggests_the_nearest(self, make_books):
        root = make_books({"clients/acme/engagements/build.yaml": "title: x\nbilling: daily\nrate: 1\nrat: 650\n"})
        assert problems_of(root) == [
            "clients/acme/engagements/build.yaml:4:1: rat: unknown field — did you mean 'rate'?"]

    def test_all_problems_are_reported_not_only_the_first(self, make_books):
        root = make_books({"clients/acme/timesheets/2026-01.yaml": """\
            - {date: 2026-02-30, engagement: build, hours: 1}
            - {date: 2026-01-05, engagement: nope, hours: 1}
            - {date: 2026-01-06, engagement: build, hours: -3}
            """})
        probs = load_books(root).problems
        assert [(p.source.line, p.field) for p in probs] == [(1, "[0].date"), (2, "[1].engagement"), (3, "[2].hours")]

    def test_reverse_charge_needs_the_customers_vat_number(self, make_books):
        root = make_books({"clients/acme/client.yaml": "name: Kunde GmbH\ncountry: DE\ncurrency: EUR\ntax: reverse_charge\n"})
        assert problems_of(root) == [
            "clients/acme/client.yaml:4:6: tax: reverse_charge needs the customer's VAT number "
            "(vat_number:) — it must be printed on the invoice"]

    def test_uk_vat_is_not_dropped_without_evidence(self, make_books):
        root = make_books({"clients/acme/client.yaml": "name: US Inc\ncountry: US\ncurrency: USD\ntax: outside_scope\n"})
        assert "business_evidence" in problems_of(root)[0]

    def test_broken_engagement_does_not_cascade_into_timesheet_errors(self, make_books):
        root = make_books({"clients/acme/engagements/build.yaml": "title: [\n",
                           "clients/acme/timesheets/t.yaml": "- {date: 2026-01-05, engagement: build, hours: 1}\n"})
        probs = load_books(root).problems
        assert [p.source.path for p in probs] == ["clients/acme/engagements/build.yaml"]
