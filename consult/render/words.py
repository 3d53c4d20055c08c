"""Formatting shared by the documents: dates in the document's language, amounts in its
locale, and a party's country written out — all cached, since long documents repeat them."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_skeleton

from consult.core.money import Money
from consult.invoices.record import Party
from consult.render.theme import Theme


@lru_cache(maxsize=4096)
def money(m: Money, locale: str) -> str:
    """The one formatting rule for amounts (babel/CLDR): ₹6,91,892.00, 1.753,75 €."""
    return m.format(locale)


@lru_cache(maxsize=4096)
def long_date(d: date, pattern: str, locale: str) -> str:
    return str(format_date(d, format=pattern, locale=locale))


@lru_cache(maxsize=4096)
def short_date(d: date, locale: str) -> str:
    """Weekday, day and month (`Mon 5 Oct`, `Mo., 5. Okt.`): a timesheet's dates."""
    return str(format_skeleton("MMMEd", d, locale=locale))


@lru_cache(maxsize=64)
def language_of(locale: str) -> str:
    try:
        return str(Locale.parse(locale).language)
    except (ValueError, LookupError):
        return ""


def date_locale(locale: str, theme: Theme) -> str:
    """The locale of a document's dates: its own locale when that speaks the theme's language
    (en_IN, de_DE), else the language's (the theme's `locale`)."""
    return locale if language_of(locale) == theme.language else theme.locale


@lru_cache(maxsize=512)
def country_names(code: str, locale: str) -> tuple[str, frozenset[str]]:
    """The country's name in `locale`, and the names an address may already give it
    (consult.core.countries.address_names, and the name in `locale`), case-folded."""
    from consult.core.countries import address_names

    try:
        name = Locale.parse(locale).territories.get(code)
    except (ValueError, LookupError):
        name = None
    names = address_names(code) | ({name.casefold()} if name else set())
    return name or code, frozenset(names)


def country_line(p: Party, other: str | None, locale: str) -> str | None:
    """The party's country in the document's language, when it differs from the other party's
    and the address does not already end with it (`Deutschland`, `Maharashtra, India`)."""
    if not p.country or p.country == other:
        return None
    name, known = country_names(p.country, locale)
    if p.address:
        last = p.address[-1].strip().casefold()
        if last in known or last.rsplit(",", 1)[-1].strip() in known:
            return None
    return name
