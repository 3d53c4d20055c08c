"""`consult client add` / `consult engagement add`: records written as a person would, checked first."""

from __future__ import annotations

from consult.books.loader import load_books


def test_client_add_writes_a_record_that_checks_clean(sample_books, run_cli):
    """A German client gets EUR, de_DE and reverse charge from its country alone."""
    code, out, err = run_cli("client", "add", "berlin-vision", "--name", "Berlin Vision GmbH",
                             "--country", "DE", "--vat-number", "DE136695976",
                             "--address", "Torstraße 1", "--address", "10119 Berlin", books=sample_books)
    assert (code, err) == (0, "")
    assert out.strip().endswith("clients/berlin-vision/client.yaml")
    books = load_books(sample_books)
    assert [p for p in books.problems if p.severity == "error"] == []
    c = books.books.clients["berlin-vision"]
    assert (c.currency, c.locale, c.tax, c.address) == ("EUR", "de_DE", "reverse_charge",
                                                        ("Torstraße 1", "10119 Berlin"))


def test_client_add_defaults_india_to_en_in_and_outside_scope(sample_books, run_cli):
    """An Indian business customer with evidence is outside the scope of UK VAT, billed in INR."""
    code, _, err = run_cli("client", "add", "pune-ml", "--name", "Pune ML Pvt Ltd", "--country", "IN",
                           "--business-evidence", "GSTIN 27AAPFU0939F1ZV", books=sample_books)
    assert (code, err) == (0, "")
    c = load_books(sample_books).books.clients["pune-ml"]
    assert (c.currency, c.locale, c.tax) == ("INR", "en_IN", "outside_scope")


def test_client_add_refuses_what_check_would_reject_and_writes_nothing(sample_books, run_cli):
    """Reverse charge without a VAT number is refused with the loader's own message."""
    code, _, err = run_cli("client", "add", "paris-ai", "--name", "Paris AI SAS", "--country", "FR",
                           books=sample_books)
    assert code == 2
    assert err.strip() == ("error: --tax: reverse_charge needs the customer's VAT number (vat_number:) — "
                           "it must be printed on the invoice")
    assert not (sample_books / "clients" / "paris-ai").exists()


def test_client_add_never_overwrites(sample_books, run_cli):
    """Adding an id that exists is refused and the existing record is untouched."""
    before = (sample_books / "clients/acme-analytics/client.yaml").read_bytes()
    code, _, err = run_cli("client", "add", "acme-analytics", "--name", "Other", "--country", "GB",
                           books=sample_books)
    assert code == 1 and "already exists" in err
    assert (sample_books / "clients/acme-analytics/client.yaml").read_bytes() == before


def test_client_add_quotes_names_yaml_would_misread(sample_books, run_cli):
    """A name with a colon and a leading zero-like token survives the round trip exactly."""
    code, _, err = run_cli("client", "add", "odd-name", "--name", "R&D: Labs <UK> 007", "--country", "GB",
                           books=sample_books)
    assert (code, err) == (0, "")
    assert load_books(sample_books).books.clients["odd-name"].name == "R&D: Labs <UK> 007"


def test_engagement_add_daily_reads_back_with_its_rate(sample_books, run_cli):
    """A daily engagement at £700 with a 20-day budget is written and read back exactly."""
    code, out, err = run_cli("engagement", "add", "acme-analytics/forecasting", "--title", "Demand forecasting",
                             "--billing", "daily", "--rate", "700", "--start", "2026-12-01",
                             "--budget-days", "20", "--po", "PO-9001", books=sample_books)
    assert (code, err) == (0, "")
    e = load_books(sample_books).books.engagements[("acme-analytics", "forecasting")]
    assert (str(e.rate), e.day_rounding, e.budget.days, e.po_number) == ("700.00 GBP", "half", 20, "PO-9001")


def test_engagement_add_needs_a_rate_for_time_billing(sample_books, run_cli):
    """Hourly billing without --rate is bad usage (exit 2) and writes nothing."""
    code, _, err = run_cli("engagement", "add", "acme-analytics/support", "--title", "Support",
                           "--billing", "hourly", books=sample_books)
    assert code == 2 and "--rate is needed for hourly billing" in err
    assert not (sample_books / "clients/acme-analytics/engagements/support.yaml").exists()


def test_engagement_add_refuses_an_existing_engagement(sample_books, run_cli):
    """An engagement that exists is never overwritten."""
    path = sample_books / "clients/acme-analytics/engagements/churn-model.yaml"
    before = path.read_bytes()
    code, _, err = run_cli("engagement", "add", "acme-analytics/churn-model", "--title", "X",
                           "--billing", "daily", "--rate", "1", books=sample_books)
    assert code == 1 and "already exists" in err
    assert path.read_bytes() == before


def test_engagement_add_unknown_client_is_usage_error(sample_books, run_cli):
    """An engagement for a client that does not exist names the known clients."""
    code, _, err = run_cli("engagement", "add", "nobody/x", "--title", "X", "--billing", "daily",
                           "--rate", "500", books=sample_books)
    assert code == 2 and "no client 'nobody'" in err and "acme-analytics" in err
