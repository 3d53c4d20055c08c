"""Countries: which two-letter codes are countries, and the names an address may give one.

One home for both rules (the books reader, the e-invoice address splitter and the renderer ask
here). Why a data file and not babel at run time: asking babel for the territory names of eleven
languages loads eleven locale files, about 0.1 s on every `consult check`, for a table that
changes only when CLDR does. `consult/data/countries.json` is that table, written by `table()`
from the babel the project pins; tests/test_countries.py fails when the file and babel disagree
(run `python -m consult.core.countries > consult/data/countries.json` to refresh it).

* **Codes** are ISO 3166-1 alpha-2: the 249 officially assigned codes. CLDR's territory list
  also holds codes that are not countries — regions and groupings (EU, EZ, UN, QO, ZZ), the
  exceptionally reserved AC, CP, CQ, DG, EA, IC and TA, the private-use XA/XB and the
  user-assigned XK — and an invoice's country (EN 16931 BT-40/BT-55, ISO 3166-1) cannot be
  one of those, so they are refused.
* **Names** are each country's name, case-folded, in English and the main EU languages (de, fr,
  nl, it, es, pt, pl, sv, da, fi) and its own language, plus the usual short forms for the UK
  and the US: what a last address line may say instead of the code.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "countries.json"  # as the other data files are found
NOT_COUNTRIES = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"})
NAME_LANGUAGES = ("en", "de", "fr", "nl", "it", "es", "pt", "pl", "sv", "da", "fi")
SHORT_FORMS = {
    "GB": ("uk", "u.k.", "great britain", "england", "scotland", "wales", "northern ireland"),
    "US": ("usa", "u.s.a.", "us", "u.s.", "united states of america"),
}


@cache
def _data() -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return data


def is_country(code: str) -> bool:
    """Whether `code` is an ISO 3166-1 alpha-2 country code as written (upper case)."""
    return len(code) == 2 and code.isupper() and code in _data()


def address_names(code: str) -> frozenset[str]:
    """The names (case-folded) an address's last line may give the country of `code`."""
    return frozenset(_data().get(code, ())) | {code.casefold()} | set(SHORT_FORMS.get(code, ()))


def table() -> dict[str, list[str]]:
    """The data file's contents, worked out from babel (CLDR): code → sorted names."""
    from babel import Locale, UnknownLocaleError

    territories = {lang: Locale.parse(lang).territories for lang in NAME_LANGUAGES}
    out: dict[str, list[str]] = {}
    for code in sorted(territories["en"]):
        if not (len(code) == 2 and code.isupper()) or code in NOT_COUNTRIES:
            continue
        names = {t[code].casefold() for t in territories.values() if code in t}
        try:  # the country's own language: und_DE is German, und_IN Hindi
            own = Locale.parse(str(Locale.parse(f"und_{code}").language))
            if (name := own.territories.get(code)) is not None:
                names.add(name.casefold())
        except (UnknownLocaleError, ValueError, LookupError):  # no likely language (AQ, Antarctica)
            pass
        out[code] = sorted(names)
    return out


if __name__ == "__main__":  # pragma: no cover - refreshes the data file
    print(json.dumps(table(), ensure_ascii=False, indent=0, sort_keys=True))
