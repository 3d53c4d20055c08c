"""Typed reading of one YAML mapping, collecting a `Problem` for everything wrong in it.

Each method reads one field, interprets the scalar's text as the field's type, and on failure
records where (file, line, column), which field (a dotted path such as `bank.iban` or
`milestones[1].due`), what was expected and an example of a valid value. It returns None so
that reading goes on and every problem in a file is reported, not only the first.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TypeVar, overload

from consult.books.yamlsource import Scalar, Value, YMap, YSeq
from consult.core.money import Money, is_currency, minor_unit, parse_decimal, quantum
from consult.core.periods import parse_iso_day
from consult.errors import Problem, Severity, Source

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# One rule for every boolean in the books (docs/books-format.md §2.4): true or yes, false or no,
# in any case. YAML 1.1's other words (on/off, y/n) and 1/0 are refused with the word to write,
# so no field reads `on` as true while another calls it an error.
_BOOLEAN_WORDS = {"true": True, "yes": True, "false": False, "no": False}
_BOOLEAN_NEAR = {"on": "true", "y": "true", "1": "true", "t": "true",
                 "off": "false", "n": "false", "0": "false", "f": "false"}
S = TypeVar("S", bound=str)


def describe(v: Value) -> str:
    if isinstance(v, Scalar):
        return f"'{v.text}'"
    return "a list" if isinstance(v, YSeq) else "a mapping"


def id_problem(value: str) -> str | None:
    """Why `value` cannot be an id (folder or file name), or None when it can."""
    if ID_RE.fullmatch(value):
        return None
    return (f"'{value}' is not a valid id: use lower-case letters, digits and '-', "
            "starting with a letter or digit (e.g. acme-analytics)")


def parse_boolean(text: str) -> bool | None:
    """A boolean field's value (`true`/`yes`, `false`/`no`, any case, spaces around ignored), or
    None when the text is not one of those words. The one reading of a boolean in the books."""
    return _BOOLEAN_WORDS.get(text.strip().lower())


def boolean_problem(text: str) -> str:
    """What to say about `text` that is not a boolean: the words to write, and which one it
    probably meant (`on` → true)."""
    near = _BOOLEAN_NEAR.get(text.strip().lower())
    tip = f" — write {near}" if near else ""
    return f"expected true or false, got '{text}'{tip} (yes and no also work, in any case)"


def month_day_problem(text: str) -> str | None:
    """Why `text` is not a month and day every year has (`MM-DD`, 29 February refused), or None."""
    from consult.core.periods import month_end

    m = re.fullmatch(r"(\d{2})-(\d{2})", text)
    if m and 1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= month_end(2027, int(m[1])).day:
        return None
    if m and (m[1], m[2]) == ("02", "29"):
        return f"'{text}' is not a day every year has (29 February is in leap years only)"
    if m and 1 <= int(m[1]) <= 12:
        return f"'{text}' is not a day of the year: month {m[1]} has no day {m[2]}"
    return f"'{text}' is not a month and day"


def parse_date(text: str) -> date:
    """A YYYY-MM-DD date; ValueError says whether the form or the calendar is wrong."""
    return parse_iso_day(text)


class Fields:
    """Reads fields of one mapping; problems go to the shared list."""

    def __init__(self, path: str, mapping: YMap, problems: list[Problem], prefix: str = ""):
        self.path = path
        self.map = mapping
        self.problems = problems
        self.prefix = prefix

    # --- positions and problems -------------------------------------------------------
    def where(self, name: str | None = None) -> Source:
        if name is not None and name in self.map:
            v = self.map[name]
            return Source(self.path, v.line, v.column)
        return Source(self.path, self.map.line, self.map.column)

    def name(self, field: str) -> str:
        return f"{self.prefix}{field}"

    def error(self, field: str | None, message: str, severity: Severity = "error") -> None:
        self.problems.append(
            Problem(self.where(field), self.name(field) if field else (self.prefix.rstrip(".") or None),
                    message, severity)
        )

    def warn(self, field: str | None, message: str) -> None:
        self.error(field, message, "warning")

    def missing(self, field: str, hint: str = "") -> None:
        """Report a required field that is not given. Absent, it is reported at the start of the
        mapping that lacks it (the record's first line); present with no value (`title:`,
        `title: ~`), at its key — never at a value an alias borrowed from elsewhere."""
        line, col = self.map.key_pos.get(field, (self.map.line, self.map.column)) \
            if field in self.map else (self.map.line, self.map.column)
        self.problems.append(Problem(Source(self.path, line, col), self.name(field),
                                     f"missing — {hint}" if hint else "missing"))

    def has(self, field: str) -> bool:
        v = self.map.get(field)
        return v is not None and not (isinstance(v, Scalar) and v.is_null)

    # --- scalars ------------------------------------------------------------------------
    def scalar(self, field: str, required: bool = False, hint: str = "") -> Scalar | None:
        v = self.map.get(field)
        if v is None or (isinstance(v, Scalar) and v.is_null):
            if required:
                self.missing(field, hint)
            return None
        if not isinstance(v, Scalar):
            self.error(field, f"expected a single value, got {describe(v)}" + (f" — {hint}" if hint else ""))
            return None
        return v

    def text(self, field: str, required: bool = False, hint: str = "") -> str | None:
        """The text, spaces around it dropped. A required field written as `""` or spaces is an
        error (it would print nothing where the field must say something), like a missing one."""
        s = self.scalar(field, required, hint)
        if s is None:
            return None
        text = s.text.strip()
        if required and not text:
            self.error(field, empty_problem(hint))
            return None
        return text

    def decimal(self, field: str, required: bool = False, *, minimum: Decimal | None = None,
                positive: bool = False, maximum: Decimal | None = None, hint: str = "") -> Decimal | None:
        s = self.scalar(field, required, hint)
        if s is None:
            return None
        try:
            d = parse_decimal(s.text)
        except ValueError as e:
            self.error(field, f"{e}" + (f" — {hint}" if hint else ""))
            return None
        if positive and d <= 0:
            self.error(field, f"must be more than zero, got {s.text}" + (f" — {hint}" if hint else ""))
            return None
        if minimum is not None and d < minimum:
            self.error(field, f"must be at least {minimum}, got {s.text}")
            return None
        if maximum is not None and d > maximum:
            self.error(field, f"must be at most {maximum}, got {s.text}")
            return None
        return d

    def integer(self, field: str, required: bool = False, *, minimum: int | None = None,
                maximum: int | None = None, hint: str = "") -> int | None:
        s = self.scalar(field, required, hint)
        if s is None:
            return None
        if not re.fullmatch(r"[+-]?\d{1,9}", s.text.strip()):
            self.error(field, f"expected a whole number, got '{s.text}'" + (f" — {hint}" if hint else ""))
            return None
        n = int(s.text)
        if minimum is not None and n < minimum or maximum is not None and n > maximum:
            rng = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            self.error(field, f"must be {rng}, got {n}")
            return None
        return n

    def money(self, field: str, currency: str | None, required: bool = False, *,
              positive: bool = False, allow_negative: bool = False, hint: str = "") -> Money | None:
        d = self.decimal(field, required, positive=positive, hint=hint)
        if d is None or currency is None:
            return None
        if d < 0 and not allow_negative:
            self.error(field, f"must not be negative, got {d}")
            return None
        if d != d.quantize(quantum(currency)):
            self.error(field, f"{d} has more decimal places than {currency} allows ({minor_unit(currency)})")
            return None
        return Money(d, currency)

    def boolean(self, field: str, default: bool) -> bool:
        """`true`/`yes` or `false`/`no` in any case (`parse_boolean`), else `default` with a problem."""
        s = self.scalar(field)
        if s is None:
            return default
        got = parse_boolean(s.text)
        if got is None:
            self.error(field, boolean_problem(s.text))
            return default
        return got

    def month_day(self, field: str, hint: str) -> tuple[int, int] | None:
        """`MM-DD`, a day every year has (29 February is refused: most years lack it)."""
        text = self.text(field)
        if text is None:
            return None
        if why := month_day_problem(text):
            self.error(field, f"{why} — write MM-DD with a day the month always has, {hint}")
            return None
        return int(text[:2]), int(text[3:])

    def day(self, field: str, required: bool = False, hint: str = "") -> date | None:
        s = self.scalar(field, required, hint or "a date like 2026-10-31")
        if s is None:
            return None
        try:
            return parse_date(s.text)
        except ValueError as e:
            self.error(field, str(e))
            return None

    @overload
    def choice(self, field: str, options: Sequence[S], default: S, required: bool = False) -> S: ...

    @overload
    def choice(self, field: str, options: Sequence[S], default: None = None,
               required: bool = False) -> S | None: ...

    def choice(self, field: str, options: Sequence[S], default: S | None = None,
               required: bool = False) -> S | None:
        """One of `options` (returned as the option itself, so a tuple of Literal strings gives
        a value of that Literal type), else `default` with a problem."""
        s = self.scalar(field, required, "one of " + ", ".join(options))
        if s is None:
            return default
        for option in options:
            if option == s.text:
                return option
        near = difflib.get_close_matches(s.text, options, n=1)
        tip = f" — did you mean '{near[0]}'?" if near else ""
        self.error(field, f"'{s.text}' is not one of {', '.join(options)}{tip}")
        return default

    def currency(self, field: str, default: str | None = None, required: bool = False) -> str | None:
        s = self.scalar(field, required, "an ISO 4217 code such as GBP, EUR, USD or INR")
        if s is None:
            return default
        if not is_currency(s.text):
            tip = f" — did you mean {s.text.upper()}?" if is_currency(s.text.upper()) else ""
            self.error(field, f"'{s.text}' is not an ISO 4217 currency code (e.g. GBP, EUR, USD, INR){tip}")
            return None
        return s.text

    def country(self, field: str, required: bool = False) -> str | None:
        s = self.scalar(field, required, "an ISO 3166 two-letter code such as GB, DE, US or IN")
        if s is None:
            return None
        from consult.core.countries import is_country

        if not is_country(s.text):
            tip = " (the UK is GB)" if s.text.upper() in ("UK", "EN") else ""
            self.error(field, f"'{s.text}' is not an ISO 3166 two-letter country code{tip} — e.g. GB, DE, US, IN")
            return None
        return s.text

    def subdivision(self, field: str, country: str | None) -> str | None:
        """A region of `country` whose bank holidays apply: its ISO 3166-2 code with or without
        the country (`SCT`, `GB-SCT`), any case, returned as the holidays package spells it
        (`SCT`), which is what working days, Scottish tax bands and `registered_in` compare
        with. Unknown, malformed, or for a country with no regions known: a problem."""
        text = self.text(field)
        if text is None or country is None:
            return None  # a wrong country is reported on its own field
        known = known_subdivisions(country)
        if not known:
            self.error(field, f"consult knows no subdivisions of {country} (its bank holidays are national); "
                              "remove the line")
            return None
        wanted = text.upper()
        if wanted.startswith(f"{country}-"):
            wanted = wanted[len(country) + 1:]
        for code in known:
            if code.upper() == wanted:
                return code
        named = [code for code, name in known.items() if name and name.upper() == text.upper()]
        if named:
            code = named[0]
            self.error(field, f"'{text}' is a name, not a subdivision code — write {code} ({known[code]}'s "
                              f"ISO 3166-2 code, {country}-{code}, without '{country}-')")
            return None
        codes = list(known)
        shown = ", ".join(codes[:20]) + (", …" if len(codes) > 20 else "")
        example = "SCT for Scotland" if country == "GB" else codes[0]
        self.error(field, f"'{text}' is not a subdivision of {country} — write one of {shown} (an ISO 3166-2 "
                          f"code without '{country}-', e.g. {example})")
        return None

    def locale(self, field: str, default: str | None = None) -> str | None:
        s = self.scalar(field)
        if s is None:
            return default
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(s.text)
        except (UnknownLocaleError, ValueError, TypeError):
            self.error(field, f"'{s.text}' is not a locale babel knows — e.g. en_GB, de_DE, fr_FR, en_US, en_IN")
            return default
        return s.text

    def email(self, field: str) -> str | None:
        v = self.text(field)
        if v is not None and not _EMAIL_RE.fullmatch(v):
            self.error(field, f"'{v}' does not look like an email address")
            return None
        return v

    def lines(self, field: str, required: bool = False, hint: str = "") -> tuple[str, ...]:
        """A multi-line block (`|`) or a list of lines: an address."""
        v = self.map.get(field)
        if v is None or (isinstance(v, Scalar) and v.is_null):
            if required:
                self.missing(field, hint)
            return ()
        out: tuple[str, ...]
        if isinstance(v, Scalar):
            out = tuple(x.strip() for x in v.text.strip().splitlines() if x.strip())
        elif isinstance(v, YSeq) and all(isinstance(x, Scalar) for x in v):
            out = tuple(x.text.strip() for x in v if isinstance(x, Scalar) and x.text.strip())
        else:
            self.error(field, "expected lines of text (a `|` block or a list)")
            return ()
        if (long := next((ln for ln in out if len(ln) > MAX_LINE), None)) is not None:
            self.error(field, f"a line of {len(long):,} characters; a line of an address holds at most {MAX_LINE} "
                              "(it is printed in a column of the document) — break it into lines")
            return ()
        if required and not out:
            self.error(field, empty_problem(hint))
        return out

    # --- containers ---------------------------------------------------------------------
    def sub(self, field: str, required: bool = False) -> Fields | None:
        v = self.map.get(field)
        if v is None or (isinstance(v, Scalar) and v.is_null):
            if required:
                self.missing(field)
            return None
        if not isinstance(v, YMap):
            self.error(field, f"expected a mapping of fields, got {describe(v)}")
            return None
        return Fields(self.path, v, self.problems, f"{self.name(field)}.")

    def items(self, field: str) -> list[Fields]:
        v = self.map.get(field)
        if v is None or (isinstance(v, Scalar) and v.is_null):
            return []
        if not isinstance(v, YSeq):
            self.error(field, f"expected a list, got {describe(v)}")
            return []
        out = []
        for i, item in enumerate(v):
            if isinstance(item, YMap):
                out.append(Fields(self.path, item, self.problems, f"{self.name(field)}[{i}]."))
            else:
                self.problems.append(Problem(Source(self.path, item.line, item.column),
                                             f"{self.name(field)}[{i}]",
                                             f"expected a mapping of fields, got {describe(item)}"))
        return out

    def done(self, known: Iterable[str], refused: dict[str, str] | None = None) -> None:
        """Report every field not in `known`, with the nearest known name as a hint; a field in
        `refused` (a name that once meant something, or that people write) with its own message."""
        known = list(known)
        for k in self.map:
            if refused and k in refused:
                line, col = self.map.key_pos.get(k, (self.map.line, self.map.column))
                self.problems.append(Problem(Source(self.path, line, col), self.name(k), refused[k]))
            elif k not in known:
                near = difflib.get_close_matches(k, known, n=1, cutoff=0.6)
                tip = f" — did you mean '{near[0]}'?" if near else f" (known fields: {', '.join(known)})"
                line, col = self.map.key_pos.get(k, (self.map.line, self.map.column))
                self.problems.append(Problem(Source(self.path, line, col), self.name(k),
                                             f"unknown field{tip}"))


# The regions of GB as the holidays package names them (ISO 3166-2:GB's four countries), here
# so that reading practice.yaml does not import that package (a tenth of a second on every
# command) for the usual case; tests/test_books_rules.py holds this table equal to the package's.
GB_SUBDIVISIONS = {"ENG": "England", "NIR": "Northern Ireland", "SCT": "Scotland", "WLS": "Wales"}


def known_subdivisions(country: str) -> dict[str, str]:
    """`country`'s regions the holidays package has bank holidays for: code -> name (the name
    empty where the package gives none); empty when it has none or does not know the country."""
    if country == "GB":
        return GB_SUBDIVISIONS
    import holidays

    codes = holidays.list_supported_countries().get(country)
    if not codes:
        return {}
    aliases = getattr(holidays.country_holidays(country), "subdivisions_aliases", {}) or {}
    names: dict[str, str] = {}
    for alias, code in aliases.items():
        names.setdefault(str(code), str(alias))
    return {str(c): names.get(str(c), "") for c in codes}


MAX_LINE = 200  # characters in one printed line of an address: a column of a page holds ~60


def empty_problem(hint: str) -> str:
    """A required text given as `""` or spaces: what to write instead."""
    return f"is empty — write {hint}" if hint else "is empty — write its value, it is required"
