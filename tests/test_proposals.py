"""Proposals as a library: figures worked by hand, validity, numbering, status, accepting, checks."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from consult.books.loader import load_books, open_books
from consult.core.money import Money
from consult.errors import BooksError, ConflictError, UsageError
from consult.proposals.proposal import (
    accept,
    check_proposals,
    issue_proposal,
    load_proposal,
    new_proposal,
    price,
    proposal_status,
    quote,
    set_top_level,
    slug,
)

NOV22 = date(2026, 11, 22)

MLOPS = """\
# A proposal written by hand; this comment must survive numbering.
title: MLOps platform
summary: |
  Acme's churn model is retrained by hand.

  This proposal puts it on a pipeline.
rate: 650
start: 2027-01-11
end: 2027-02-19
valid_days: 30
phases:
  - name: Discovery
    days: 3
    deliverables: [Findings report]
  - name: Build
    days: 15
    description: Pipeline, registry and monitoring.
  - name: Training
    days: 2
    optional: true
assumptions:
  - Access to the data from day one.
"""

REVERSE_CLIENT = """\
name: Hafen GmbH
address: |
  Kai 1
  Hamburg
country: DE
currency: EUR
locale: de_DE
vat_number: DE136695976
tax: reverse_charge
"""


def gbp(text: str) -> Money:
    return Money.of(text, "GBP")


@pytest.fixture
def books(make_books) -> Path:
    return make_books({"clients/acme/proposals/mlops.yaml": MLOPS})


def opened(root: Path):
    return open_books(root, timesheets=False)


class TestFigures:
    def test_quote_of_20_days_at_650_is_13000_net_2600_vat_15600_total(self, books):
        """20 days x £650 = £13,000.00; VAT at 20% = £2,600.00; total £15,600.00; valid 30 days."""
        done = quote(opened(books), "acme", title="Churn review", days=Decimal(20), rate=Decimal(650), day=NOV22)
        f = done.document.fees
        assert (f.days, f.net, f.vat_rate, f.vat, f.total) == (Decimal(20), gbp("13000.00"), Decimal(20),
                                                                gbp("2600.00"), gbp("15600.00"))
        assert done.document.proposal.valid_until == date(2026, 12, 22)

    def test_quote_yaml_holds_the_number_date_rate_and_days(self, books):
        """The written file says what was quoted, in the form a person would type it."""
        done = quote(opened(books), "acme", title="Churn review", days=Decimal(20), rate=Decimal(650), day=NOV22)
        text = done.record.read_text()
        assert done.record.name == "churn-review.yaml"
        for line in ("number: P-2026-0001", "date: 2026-11-22", "rate: 650", "valid_days: 30",
                     "  - name: Churn review", "    days: 20"):
            assert line in text.splitlines() or any(ln.startswith(line + " ") for ln in text.splitlines()), line

    def test_optional_phases_are_priced_but_left_out_of_the_total(self, books):
        """3 + 15 days = 18 x £650 = £11,700.00 + £2,340.00 VAT = £14,040.00; optional 2 days = £1,300.00 apart."""
        b = opened(books)
        p = load_proposal(b, "acme", "mlops")
        f = price(p, b.client("acme"), b.practice)
        assert (f.days, f.net, f.vat, f.total) == (Decimal(18), gbp("11700.00"), gbp("2340.00"), gbp("14040.00"))
        assert (f.optional_days, f.optional_net) == (Decimal(2), gbp("1300.00"))
        assert [ph.fee for ph in p.phases] == [gbp("1950.00"), gbp("9750.00"), gbp("1300.00")]

    def test_a_phase_fee_rounds_half_up_once(self, make_books):
        """2.5 days x £525.55 = £1,313.875, which rounds half up to £1,313.88."""
        root = make_books({"clients/acme/proposals/p.yaml": "title: T\nrate: 525.55\nphases:\n"
                                                            "  - {name: A, days: 2.5}\n"})
        b = opened(root)
        p = load_proposal(b, "acme", "p")
        assert p.phases[0].fee == gbp("1313.88")
        assert price(p, b.client("acme"), b.practice).vat == gbp("262.78")  # 262.776 half up

    def test_reverse_charge_client_gets_no_vat_and_the_words(self, make_books):
        """An EU business customer is quoted net only, with the reverse-charge words instead of VAT."""
        root = make_books({"clients/hafen/client.yaml": REVERSE_CLIENT,
                           "clients/hafen/proposals/p.yaml": "title: T\nrate: 800\nphases: [{name: A, days: 10}]\n"})
        b = opened(root)
        f = price(load_proposal(b, "hafen", "p"), b.client("hafen"), b.practice)
        assert (f.net, f.vat_rate, f.vat, f.total) == (Money.of("8000.00", "EUR"), None, Money.of("0.00", "EUR"),
                                                       Money.of("8000.00", "EUR"))
        assert f.tax_note.startswith("Reverse charge")

    def test_explicit_valid_until_wins_over_valid_days(self, make_books):
        """valid_until: 2027-01-15 is the last day, whatever the date."""
        root = make_books({"clients/acme/proposals/p.yaml": "title: T\ndate: 2026-11-01\nrate: 650\n"
                                                            "valid_until: 2027-01-15\nphases: [{name: A, days: 1}]\n"})
        assert load_proposal(opened(root), "acme", "p").valid_until == date(2027, 1, 15)


class TestReading:
    def test_a_bad_phase_is_reported_with_file_line_and_field(self, make_books):
        """`days: five` in the second phase names proposals/p.yaml, its line and phases[1].days."""
        root = make_books({"clients/acme/proposals/p.yaml": "title: T\nrate: 650\nphases:\n"
                                                            "  - {name: A, days: 1}\n  - name: B\n    days: five\n"})
        with pytest.raises(BooksError) as e:
            load_proposal(opened(root), "acme", "p")
        assert [str(p) for p in e.value.problems] == [
            "clients/acme/proposals/p.yaml:6:11: phases[1].days: 'five' is not a number — working days, e.g. days: 5"]

    def test_valid_days_and_valid_until_together_is_an_error(self, make_books):
        """Two ways of saying the same date cannot both be given."""
        root = make_books({"clients/acme/proposals/p.yaml": "title: T\nrate: 650\nvalid_days: 30\n"
                                                            "valid_until: 2027-01-15\nphases: [{name: A, days: 1}]\n"})
        with pytest.raises(BooksError) as e:
            load_proposal(opened(root), "acme", "p")
        assert [str(p) for p in e.value.problems] == [
            "clients/acme/proposals/p.yaml:4:14: valid_until: give valid_days or valid_until, not both"]

    def test_a_currency_other_than_the_clients_is_refused(self, make_books):
        """A GBP client is quoted in GBP."""
        root = make_books({"clients/acme/proposals/p.yaml": "title: T\ncurrency: EUR\nrate: 650\n"
                                                            "phases: [{name: A, days: 1}]\n"})
        with pytest.raises(BooksError) as e:
            load_proposal(opened(root), "acme", "p")
        assert str(e.value.problems[0]) == ("clients/acme/proposals/p.yaml:2:11: currency: EUR differs from the "
                                            "client's currency GBP; a proposal is priced in its client's currency")

    def test_all_optional_phases_leave_no_total_and_are_an_error(self, make_books):
        """At least one phase must be in the total."""
        root = make_books({"clients/acme/proposals/p.yaml": "title: T\nrate: 650\n"
                                                            "phases: [{name: A, days: 1, optional: true}]\n"})
        with pytest.raises(BooksError) as e:
            load_proposal(opened(root), "acme", "p")
        assert "every phase is optional" in str(e.value)

    def test_missing_proposal_names_the_ones_there(self, books):
        """A typo in the id lists the proposals the client has."""
        with pytest.raises(UsageError, match=r"no proposal 'mlop' for client 'acme' \(proposals: mlops\)"):
            load_proposal(opened(books), "acme", "mlop")


class TestNumbering:
    def test_first_render_writes_number_and_date_and_keeps_comments(self, books):
        """The number and date lines go in above the first field; every other line stays as written."""
        before = (books / "clients/acme/proposals/mlops.yaml").read_text()
        done = issue_proposal(opened(books), "acme", "mlops", today=NOV22)
        after = done.record.read_text()
        assert done.numbered and done.document.proposal.number == "P-2026-0001"
        assert after == before.replace("title: MLOps platform\n",
                                       "number: P-2026-0001\ndate: 2026-11-22\ntitle: MLOps platform\n")

    def test_the_number_is_allocated_once(self, books):
        """Rendering again keeps P-2026-0001 and leaves the YAML byte for byte."""
        issue_proposal(opened(books), "acme", "mlops", today=NOV22)
        text = (books / "clients/acme/proposals/mlops.yaml").read_text()
        again = issue_proposal(opened(books), "acme", "mlops", today=date(2026, 12, 1))
        assert (again.numbered, again.document.proposal.number) == (False, "P-2026-0001")
        assert (books / "clients/acme/proposals/mlops.yaml").read_text() == text

    def test_numbers_run_across_clients_by_year_of_the_proposal_date(self, make_books):
        """Two 2026 proposals take 0001 and 0002; one dated 2027 starts 2027's sequence."""
        simple = "title: T\nrate: 650\nphases: [{name: A, days: 1}]\n"
        root = make_books({"clients/acme/proposals/a.yaml": simple, "clients/acme/proposals/b.yaml": simple,
                           "clients/acme/proposals/c.yaml": "date: 2027-01-04\n" + simple})
        b = opened(root)
        got = [issue_proposal(b, "acme", pid, today=NOV22).document.proposal.number for pid in ("a", "c", "b")]
        assert got == ["P-2026-0001", "P-2027-0001", "P-2026-0002"]

    def test_concurrent_renders_get_distinct_gapless_numbers(self, make_books):
        """Six threads numbering six proposals at once take 0001 to 0006, each once."""
        simple = "title: T\nrate: 650\nphases: [{name: A, days: 1}]\n"
        root = make_books({f"clients/acme/proposals/p{i}.yaml": simple for i in range(6)})
        b = opened(root)
        got: list[str] = []

        def run(i: int) -> None:
            got.append(issue_proposal(b, "acme", f"p{i}", today=NOV22).document.proposal.number)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(got) == [f"P-2026-{n:04d}" for n in range(1, 7)]

    def test_set_top_level_replaces_an_empty_number_line_in_place(self):
        """`number:` left empty by hand is filled where it stands, comment lines untouched."""
        text = "# keep me\ntitle: T\nnumber:\nrate: 650\n"
        assert set_top_level(text, {"number": "P-2026-0007"}) == "# keep me\ntitle: T\nnumber: P-2026-0007\nrate: 650\n"

    def test_slug_makes_an_id_from_a_title(self):
        """Accents and punctuation fold into a lower-case id."""
        assert slug("Modèle de churn: revue & plan!") == "modele-de-churn-revue-plan"


class TestStatusAndAccept:
    def test_status_goes_draft_sent_expired(self, books):
        """No number is a draft; numbered is sent until valid_until, expired the day after."""
        b = opened(books)
        assert proposal_status(load_proposal(b, "acme", "mlops"), b, NOV22) == "draft"
        issue_proposal(b, "acme", "mlops", today=NOV22)
        p = load_proposal(b, "acme", "mlops")
        assert proposal_status(p, b, date(2026, 12, 22)) == "sent"
        assert proposal_status(p, b, date(2026, 12, 23)) == "expired"

    def test_accept_writes_a_daily_engagement_with_the_quoted_numbers(self, books):
        """Rate £650, budget 18 days (optional training left out), the proposal's dates, read by the loader."""
        b = opened(books)
        issue_proposal(b, "acme", "mlops", today=NOV22)
        done = accept(b, "acme", "mlops", today=date(2026, 11, 30))
        assert (done.days, done.net) == (Decimal(18), gbp("11700.00"))
        e = opened(books).engagement("acme", "mlops")
        assert (e.billing, e.rate, e.budget.days, e.start, e.end, e.status, e.day_rounding) == (
            "daily", gbp("650.00"), Decimal(18), date(2027, 1, 11), date(2027, 2, 19), "active", "half")
        assert proposal_status(load_proposal(opened(books), "acme", "mlops"), opened(books), NOV22) == "accepted"

    def test_accept_with_an_optional_phase_adds_its_days(self, books):
        """--include Training makes the budget 20 days."""
        b = opened(books)
        issue_proposal(b, "acme", "mlops", today=NOV22)
        assert accept(b, "acme", "mlops", today=NOV22, include=["training"]).days == Decimal(20)

    def test_accept_names_the_optional_phases_when_one_is_unknown(self, books):
        """A misspelt phase is refused with the choices."""
        b = opened(books)
        issue_proposal(b, "acme", "mlops", today=NOV22)
        with pytest.raises(UsageError, match=r"--include train: not an optional phase of acme/mlops "
                                             r"\(optional phases: Training\)"):
            accept(b, "acme", "mlops", today=NOV22, include=["train"])

    def test_an_expired_proposal_needs_force(self, books):
        """Valid until 22 December; on the 23rd accepting is refused, with --force it goes through."""
        b = opened(books)
        issue_proposal(b, "acme", "mlops", today=NOV22)
        with pytest.raises(ConflictError, match=r"P-2026-0001 \(acme/mlops\) expired on 2026-12-22"):
            accept(b, "acme", "mlops", today=date(2026, 12, 23))
        assert not (books / "clients/acme/engagements/mlops.yaml").exists()
        accept(b, "acme", "mlops", today=date(2026, 12, 23), force=True)
        assert (books / "clients/acme/engagements/mlops.yaml").exists()

    def test_accept_never_overwrites_an_engagement(self, books):
        """An engagement file with the proposal's id stays byte for byte."""
        target = books / "clients/acme/engagements/mlops.yaml"
        target.write_text("title: Mine\nbilling: daily\nrate: 700\n")
        b = opened(books)
        issue_proposal(b, "acme", "mlops", today=NOV22)
        with pytest.raises(ConflictError, match="already exists"):
            accept(b, "acme", "mlops", today=NOV22, force=True)
        assert target.read_text() == "title: Mine\nbilling: daily\nrate: 700\n"

    def test_new_proposal_template_reads_back_and_takes_the_clients_day_rate(self, books):
        """The template is a valid proposal at the client's latest daily rate (£650)."""
        b = opened(books)
        path = new_proposal(b, "acme", "next-phase")
        p = load_proposal(b, "acme", "next-phase")
        assert (p.rate, p.number, len(p.phases)) == (gbp("650.00"), None, 3)
        assert "# `consult proposal new`" in path.read_text()


class TestCheck:
    def test_check_reports_duplicate_numbers(self, make_books):
        """Two files claiming P-2026-0001: the second is an error naming the first."""
        text = "number: P-2026-0001\ndate: 2026-11-01\ntitle: T\nrate: 650\nphases: [{name: A, days: 1}]\n"
        root = make_books({"clients/acme/proposals/a.yaml": text, "clients/acme/proposals/b.yaml": text})
        problems = check_proposals(load_books(root).books, today=NOV22)
        assert [str(p) for p in problems] == [
            "clients/acme/proposals/b.yaml:1:9: number: P-2026-0001 is also the number of acme/a; each proposal "
            "has its own — remove this `number:` line and render it again to get a new one"]

    def test_check_passes_clean_proposals(self, books):
        """A good proposal adds no problem to `consult check`."""
        assert check_proposals(load_books(books).books, today=NOV22) == []


    def test_check_warns_before_and_just_after_a_sent_proposal_lapses(self, make_books):
        """Valid until 1 Dec: quiet on 22 Nov, a warning from 24 Nov, 'lapsed' until 31 Dec, then quiet."""
        text = "number: P-2026-0001\ndate: 2026-11-01\ntitle: T\nrate: 650\nphases: [{name: A, days: 1}]\n"
        b = load_books(make_books({"clients/acme/proposals/a.yaml": text})).books

        def msgs(day):
            return [p.message for p in check_proposals(b, today=day)]

        assert msgs(NOV22) == []
        assert msgs(date(2026, 11, 30)) == ["P-2026-0001 (acme/a) lapses in 1 day (2026-12-01) without an answer; "
                                            "chase the client or extend valid_until"]
        assert msgs(date(2026, 12, 2)) == ["P-2026-0001 (acme/a) lapsed on 2026-12-01 without an answer; "
                                           "requote it or let it go"]
        assert msgs(date(2027, 1, 1)) == []


class TestFailedWrites:
    def _fail_pdf(self, monkeypatch):
        from consult.books import store
        from consult.books.store import WriteError

        real = store.atomic_write

        def failing(path, data):
            if str(path).endswith(".pdf"):
                raise WriteError(f"could not write {path}: the disk is full; nothing was changed")
            real(path, data)

        monkeypatch.setattr(store, "atomic_write", failing)

    def test_a_failed_pdf_write_leaves_the_proposal_unnumbered(self, books, monkeypatch):
        """Disk full while writing the PDF: the YAML is restored byte for byte, no number is taken."""
        from consult.books.store import WriteError

        path = books / "clients/acme/proposals/mlops.yaml"
        before = path.read_bytes()
        self._fail_pdf(monkeypatch)
        with pytest.raises(WriteError, match="the disk is full"):
            issue_proposal(opened(books), "acme", "mlops", today=NOV22, render=lambda doc: b"%PDF-1.4")
        assert path.read_bytes() == before

    def test_a_failed_quote_writes_nothing(self, books, monkeypatch):
        """Disk full while writing a quote's PDF: its YAML is removed again."""
        from consult.books.store import WriteError

        self._fail_pdf(monkeypatch)
        with pytest.raises(WriteError):
            quote(opened(books), "acme", title="Review", days=Decimal(2), rate=Decimal(650), day=NOV22,
                  render=lambda doc: b"%PDF-1.4")
        assert sorted(p.name for p in (books / "clients/acme/proposals").iterdir()) == ["mlops.yaml"]

    def test_duplicate_number_points_at_the_number_line(self, make_books):
        """The problem names the line of the second file's `number:`."""
        text = "title: T\nnumber: P-2026-0001\ndate: 2026-11-01\nrate: 650\nphases: [{name: A, days: 1}]\n"
        root = make_books({"clients/acme/proposals/a.yaml": text, "clients/acme/proposals/b.yaml": text})
        assert [(p.source.path, p.source.line) for p in check_proposals(load_books(root).books, today=NOV22)] == [
            ("clients/acme/proposals/b.yaml", 2)]
