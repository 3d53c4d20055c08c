"""The one clock: today's date, or `CONSULT_TODAY` (YYYY-MM-DD) for reproducible runs.

Library functions take `today` as an argument wherever they can (no hidden clock); this is
read by the CLI and, for the few library entry points that must default it (`consult check`
run from Python without a date), here and nowhere else.
"""

from __future__ import annotations

import os
from datetime import date

from consult.errors import UsageError

ENV = "CONSULT_TODAY"


def today() -> date:
    """Today, or the date in $CONSULT_TODAY (a usage error if it is not YYYY-MM-DD)."""
    fixed = os.environ.get(ENV)
    if fixed:
        from consult.core.periods import iso_day

        try:
            return iso_day(fixed, ENV)
        except UsageError as e:
            raise UsageError(str(e)) from None
    return date.today()
