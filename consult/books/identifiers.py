"""VAT numbers, IBANs and BICs judged by python-stdnum, each answer kept between runs.

The books name a handful of such numbers (the practice's VAT number and bank accounts, each
client's VAT number) and every command that reads the books checks them, so a typo is caught
where it was typed. python-stdnum is the one judge (check digits, lengths and formats per
country), but importing it — with the `ssl`, `socket` and `pydoc` modules it imports — took
35 ms of every such command (measured 30 November 2026 on the 0.69 s `consult invoice create`),
for answers that cannot change: whether a text is a valid IBAN depends only on the text and on
the python-stdnum release.

So each answer is kept in `.consult-cache/stdnum.json` (consult.books.kept), keyed by the kind
and the exact text, under a version naming the installed python-stdnum: another release judges
every number again. Only stdnum's verdict is kept — valid (with its standard form), invalid
(with its reason) or a VAT scheme it does not know — and the messages a user reads are written by the callers from it, so changing a message never needs
the cache thrown away. Books without a root (a record read on its own) are judged afresh.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal, cast

Kind = Literal["vat", "iban", "bic"]
Verdict = tuple[Literal["valid", "invalid", "unknown"], str]  # (status, standard form or reason)


def stdnum_reason(e: Exception) -> str:
    """python-stdnum's reason ("The number has an invalid check digit.") as a clause."""
    return str(getattr(e, "message", None) or e).rstrip(".").lower()


def check_vat_number(number: str, root: Path | None = None) -> str | None:
    """Why a VAT number is invalid, or None. Numbers of countries stdnum does not know pass.

    `root`: the books whose kept verdicts to use."""
    compact = re.sub(r"[\s.-]", "", number).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9A-Z]+", compact):
        return f"'{number}' is not a VAT number: it starts with the country prefix, e.g. GB123456789 or DE123456789"
    status, reason = verdict("vat", compact, root)
    if status == "invalid":
        return f"'{number}' is not a valid VAT number ({reason}) — check for a typo"
    return None


def verdict(kind: Kind, text: str, root: Path | None = None) -> Verdict:
    """stdnum's verdict on `text` as a `kind`: ("valid", its standard form), ("invalid", the
    reason as a clause) or, for a VAT number of a country stdnum has no scheme for, ("unknown", "").

    `text` is given as the caller checks it (a VAT number already compacted and upper-case)."""
    return kept(f"{kind}:{text}", lambda: _judge(kind, text), root)


def kept(key: str, judge: Callable[[], Verdict], root: Path | None) -> Verdict:
    """The verdict kept under `key` in the books at `root`, else `judge()`'s, then kept.

    For every caller whose answer depends only on the text it judges and on python-stdnum
    (the e-invoice Peppol ids as well as the numbers above); `key` names what was judged."""
    from consult.books.kept import kept as keep

    got = keep(root, "stdnum", key, lambda: list(judge()), _is_verdict)
    return cast(Verdict, (got[0], got[1]))


def _is_verdict(v: object) -> bool:
    return isinstance(v, list) and len(v) == 2 and v[0] in ("valid", "invalid", "unknown") and isinstance(v[1], str)


def _judge(kind: Kind, text: str) -> Verdict:
    from stdnum import bic, iban, vatin
    from stdnum.exceptions import InvalidComponent, ValidationError

    try:
        if kind == "vat":
            try:
                return "valid", str(vatin.validate(text))
            except InvalidComponent:
                return "unknown", ""  # a country stdnum cannot check (e.g. no VAT scheme it knows)
        if kind == "iban":
            return "valid", str(iban.format(iban.validate(text)))
        return "valid", str(bic.validate(text))
    except ValidationError as e:
        return "invalid", stdnum_reason(e)
