"""Conversion to the base currency: recorded rate first, else the ECB reference rate of the day."""

from __future__ import annotations

import zipfile
from datetime import date
from decimal import Context, Decimal

import pytest

from consult.core import fx
from consult.core.money import Money


def ecb_row(day: str) -> dict[str, str]:
    """The ECB history row for `day`, read straight from the pinned data file (tests/fixtures/ecb)."""
    with zipfile.ZipFile(fx.data_path()) as z:
        lines = z.read(z.namelist()[0]).decode().splitlines()
    header = lines[0].split(",")
    row = next(line.split(",") for line in lines if line.startswith(day))
    return dict(zip(header, row, strict=False))


def test_usd_to_gbp_is_the_cross_rate_of_the_days_ecb_figures():
    """388.15 USD on 28 Aug 2026 = 388.15 × (GBP per EUR ÷ USD per EUR) of that day, half up."""
    row = ecb_row("2026-08-28")
    assert (row["GBP"], row["USD"]) == ("0.8572", "1.1643")
    expected_rate = Context(prec=8).divide(Decimal(row["GBP"]), Decimal(row["USD"]))
    c = fx.convert(Money.of("388.15", "USD"), "GBP", date(2026, 8, 28))
    assert c.rate == expected_rate == Decimal("0.73623637")
    assert c.converted == Money.of("285.77", "GBP")  # 388.15 × 0.73623637 = 285.7702…
    assert c.source == "ECB 2026-08-28"


def test_euro_rate_is_the_published_figure_itself():
    """EUR -> GBP needs no division: the ECB's own text, exactly."""
    r = fx.ecb_rate("EUR", "GBP", date(2026, 10, 30))
    assert r.rate == Decimal("0.8338") and r.source == "ECB 2026-10-30"


def test_a_weekend_takes_the_latest_earlier_ecb_day():
    """Saturday 29 August 2026 converts at Friday's rate, and the source says so."""
    r = fx.ecb_rate("USD", "GBP", date(2026, 8, 29))
    assert r.rate == Decimal("0.73623637")
    assert r.source == "ECB 2026-08-28 (latest ECB day before 2026-08-29)"


def test_a_date_after_the_data_ends_uses_the_last_rate_and_says_so():
    """The shipped history ends 30 Oct 2026; 20 Nov 2026 uses that day's rate, labelled."""
    r = fx.ecb_rate("USD", "GBP", date(2026, 11, 20))
    assert r.rate == Context(prec=8).divide(Decimal("0.8338"), Decimal("1.1172"))
    assert r.source == "ECB 2026-10-30 (last in data; none yet for 2026-11-20)"


def test_a_recorded_rate_wins_over_the_ecb():
    """512.40 USD at a recorded 0.7642 is £391.58 (391.5761 half up)."""
    c = fx.convert(Money.of("512.40", "USD"), "GBP", date(2026, 7, 31), Decimal("0.7642"),
                   "clients/inkwell-press/income.yaml:3", base_currency="GBP")
    assert c.converted == Money.of("391.58", "GBP") and c.rate == Decimal("0.7642")
    assert c.source == "recorded fx_rate (clients/inkwell-press/income.yaml:3)"


def test_a_recorded_sterling_rate_is_not_used_for_another_report_currency():
    """fx_rate is GBP per unit: a report in EUR uses the ECB instead."""
    r = fx.rate_for("USD", "EUR", date(2026, 8, 28), Decimal("0.7642"), "x", base_currency="GBP")
    assert r.source == "ECB 2026-08-28"
    assert r.rate == Context(prec=8).divide(Decimal(1), Decimal("1.1643"))


def test_conversion_rounds_half_up_once():
    """1.00 USD at 0.125 is £0.13, not the banker's £0.12."""
    c = fx.convert(Money.of("1.00", "USD"), "GBP", date(2026, 1, 5), Decimal("0.125"))
    assert c.converted == Money.of("0.13", "GBP")


def test_same_currency_is_not_converted():
    c = fx.convert(Money.of("650.00", "GBP"), "GBP", date(2026, 1, 5))
    assert c.converted == Money.of("650.00", "GBP") and c.rate == 1 and c.source == "same currency"


def test_a_currency_the_ecb_does_not_publish_asks_for_a_recorded_rate():
    """No silent guess: NoRate names the currency."""
    with pytest.raises(fx.NoRate, match="ECB publishes no reference rate for NGN"):
        fx.ecb_rate("NGN", "GBP", date(2026, 8, 28))


def test_the_history_is_read_once():
    """Two conversions share one parsed history."""
    assert fx.history() is fx.history()
