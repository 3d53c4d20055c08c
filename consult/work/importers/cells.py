"""Reading the cells of a spreadsheet export: text encodings, dates, times of day, hours, yes/no.

Exports are written by people's spreadsheets and trackers in their own language and habits,
so each reader here takes the forms those tools write and refuses anything else with the
forms it takes:

* **Encodings.** UTF-8 (with or without a byte-order mark), UTF-16 (Excel's "Unicode text",
  found by its byte-order mark or by its zero bytes) and Windows-1252 (Excel's "CSV" on a
  Western European Windows). Anything but UTF-8 is named in the import's summary.
* **Dates.** `2026-10-13` (and `2026/10/13`), and day/month forms with `/`, `.` or `-` and a
  four- or two-digit year (`13/10/2026`, `10/13/26`, `13.10.26`, `13-10-2026`). Which of day
  and month comes first is proved by the file (a first number over 12 is a day; a second
  over 12 is a day) or, when every date reads both ways, asked for with `--dates`: guessing
  would move a day's work into another month and onto another invoice. A two-digit year is
  in 2000–2099.
* **Yes/no.** The `Billable` column in the exporting user's language (Toggl writes it so),
  for the common European and Asian languages; `--billable-values YES,NO` adds another pair.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from consult.core.durations import hours_to_minutes
from consult.errors import UsageError
from consult.work.importers.common import Bad

# --- encodings ---------------------------------------------------------------------------------
ENCODING_NAMES = {"utf-16": "UTF-16", "utf-16-le": "UTF-16 (little-endian, no byte-order mark)",
                  "utf-16-be": "UTF-16 (big-endian, no byte-order mark)", "cp1252": "Windows-1252"}


def decode(data: bytes) -> tuple[str, str | None]:
    """The text of an export and the encoding it was in (None for UTF-8); ValueError when it
    is none of UTF-8, UTF-16 or Windows-1252."""
    from consult.books.files import binary_kind

    if binary_kind(data) not in (None, "UTF-16 text"):  # an image, a PDF, an .xlsx: not an export
        raise ValueError(_not_an_export(data))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), None
    if b"\x00" in data[:4096]:
        head = data[:4096]
        odd, even = head[1::2].count(0), head[0::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        if max(odd, even) * 3 >= len(head) // 2:  # ASCII-heavy UTF-16: every other byte is zero
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass
        raise ValueError(_not_an_export(data))
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as e:
        at = e.start
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise ValueError(f"is not text in UTF-8, UTF-16 or Windows-1252 (byte {at}); export it again as "
                         "CSV in UTF-8") from None


def _not_an_export(data: bytes) -> str:
    """A file that is not a text export at all, named as what it is (a PNG image, an .xlsx)."""
    from consult.books.files import binary_kind

    kind = binary_kind(data) or "binary data"
    what = "" if kind == "binary data" else f" ({kind})"
    return (f"is a binary file, not text{what}; export the time entries from the tool again as CSV (or, from "
            "Watson and Timewarrior, JSON) and import that file")


def sniff_delimiter(first_line: str) -> str:
    """`,`, `;` or a tab: whichever separates more cells of the header (quoted text aside).

    Excel writes `;` where the decimal mark is a comma (most of Europe), and a tab for
    "Unicode text"."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda c: (counts[c], c == ","))
    return best if counts[best] else ","


DELIMITER_NAMES = {";": "semicolon-separated", "\t": "tab-separated"}

# --- dates ------------------------------------------------------------------------------------
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")


def date_order(texts: Iterable[str], given: str | None, where: str) -> str:
    """`dmy` or `mdy` for dates written day and month first (01/10/2026): given, or told apart
    by a day over 12.

    A file whose every such date reads both ways is refused with the question put to the user:
    guessing would move a day's work into another month (and onto another invoice)."""
    if given:
        return given
    day_first = month_first = ambiguous = False
    sample = ""
    for t in texts:
        m = _DMY.fullmatch(t.strip())
        if not m:
            continue
        a, b = int(m[1]), int(m[3])
        if a > 12:
            day_first = True
        elif b > 12:
            month_first = True
        elif a != b:
            ambiguous, sample = True, sample or t.strip()
    if day_first and month_first:
        raise UsageError(f"{where}: dates are written both day-first and month-first; "
                         "export again with one date format (YYYY-MM-DD is safest)")
    if day_first:
        return "dmy"
    if month_first:
        return "mdy"
    if ambiguous:
        raise UsageError(f"{where}: a date like {sample} could be day-first or month-first; "
                         "say --dates dmy (1 October) or --dates mdy (January 10)")
    return "dmy"


def parse_day(text: str, order: str, column: str) -> date:
    from consult.core.periods import MAX_YEAR, MIN_YEAR

    s = text.strip()
    try:
        d = None
        if m := _YMD.fullmatch(s):
            d = date(int(m[1]), int(m[3]), int(m[4]))
        elif m := _DMY.fullmatch(s):
            a, b, y = int(m[1]), int(m[3]), int(m[4])
            if len(m[4]) == 2:
                y += 2000
            d = date(y, b, a) if order == "dmy" else date(y, a, b)
    except ValueError:
        raise Bad(column, f"'{text}' is not a real date") from None
    if d is not None:
        if not MIN_YEAR <= d.year <= MAX_YEAR:  # the books' one date rule (consult.core.periods)
            raise Bad(column, f"'{text}' is outside the years {MIN_YEAR}–{MAX_YEAR}; check the year")
        return d
    raise Bad(column, f"'{text}' is not a date — expected YYYY-MM-DD (or DD/MM/YYYY, MM/DD/YYYY, DD.MM.YY)")


# --- times and durations -----------------------------------------------------------------------
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([AaPp])\.?\s*[Mm]\.?)?")
_HMS = re.compile(r"(\d+):(\d{2})(?::(\d{2}))?")


def parse_time_of_day(text: str, column: str) -> tuple[int, int, int]:
    """`09:00`, `09:00:12`, `9:00 AM`, `12:15:00 p.m.` -> (hour, minute, second)."""
    m = _CLOCK.fullmatch(text.strip())
    if m:
        h, mi, se = int(m[1]), int(m[2]), int(m[3] or 0)
        ok = True
        if m[4]:
            if not 1 <= h <= 12:
                ok = False
            else:
                h = h % 12 + (12 if m[4].lower() == "p" else 0)
        if ok and h <= 23 and mi <= 59 and se <= 59:
            return h, mi, se
    raise Bad(column, f"'{text}' is not a time of day — expected HH:MM:SS (e.g. 09:30:00 or 9:30 AM)")


def parse_hours(text: str, column: str) -> int:
    """Decimal hours (`1.5`, `0,25`) or `h:mm(:ss)` to whole minutes, half up."""
    s = text.strip()
    if m := _HMS.fullmatch(s):
        if int(m[2]) > 59 or int(m[3] or 0) > 59:
            raise Bad(column, f"'{text}' is not a duration — expected hours like 1.5 or 1:30:00")
        secs = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
        return (secs + 30) // 60
    try:
        hours = Decimal(s.replace(",", "."))
    except InvalidOperation:
        raise Bad(column, f"'{text}' is not a number of hours — expected e.g. 1.5 or 1:30:00") from None
    if not hours.is_finite() or hours < 0:
        raise Bad(column, f"'{text}' is not a number of hours — time worked is never below zero")
    return hours_to_minutes(hours)


def duration_seconds(text: str) -> int | None:
    """A duration cell (`03:30:00`, `3:30`, `3.5`) in seconds, or None when it is not one (it is
    only a witness here: start and end are what count)."""
    s = text.strip()
    if m := _HMS.fullmatch(s):
        return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
    try:
        hours = Decimal(s.replace(",", "."))
    except InvalidOperation:
        return None
    return int(hours * 3600) if hours.is_finite() and hours >= 0 else None


# --- yes and no -------------------------------------------------------------------------------
# The words for yes and no in the languages Toggl, Clockify and Harvest are used in most
# (English, German, Dutch, the Nordic languages, French, Spanish, Italian, Portuguese, Polish,
# Czech, Slovak, Hungarian, Romanian, Croatian/Serbian/Slovenian, Baltic, Greek, Russian,
# Ukrainian, Bulgarian, Turkish, Japanese, Chinese, Korean, Vietnamese, Indonesian/Malay, Thai,
# Hindi, Hebrew, Arabic). Compared case-folded; a blank cell is no.
YES = frozenset("""yes y true 1 billable ja oui sí si sì sim tak ano áno igen da jah jā taip kyllä
ναι да так evet はい 是 是的 예 네 có ya ใช่ हाँ हां כן نعم""".split())
NO = frozenset("""no n false 0 non-billable nein nee nej nei non não nao nie ne nem nu ei ne nē ei
όχι нет не ні hayır hayir いいえ 否 不是 아니요 아니오 không tidak ไม่ नहीं לא لا""".split()) | {""}


def billable_words(given: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """The yes and no words, with `--billable-values YES,NO` added."""
    if not given:
        return YES, NO
    parts = [p.strip() for p in given.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0].casefold() == parts[1].casefold():
        raise UsageError(f"--billable-values '{given}': expected the two words for yes and no, e.g. "
                         "--billable-values Kyllä,Ei")
    yes, no = parts[0].casefold(), parts[1].casefold()
    return (YES - {no}) | {yes}, (NO - {yes}) | {no}


def parse_billable(text: str, column: str, words: tuple[frozenset[str], frozenset[str]]) -> bool:
    s = text.strip().casefold()
    if s in words[0]:
        return True
    if s in words[1]:
        return False
    raise Bad(column, f"'{text}' is not Yes or No — if it is yes or no in your language, say "
              "--billable-values YES,NO (e.g. --billable-values Kyllä,Ei)")
