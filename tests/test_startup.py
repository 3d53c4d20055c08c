"""consult.startup: PyYAML's and ReportLab's costly, unused-by-consult regexes are compiled on
first use, and babel finds the local time zone through zoneinfo rather than pytz.

Together ~100 ms of every PDF command and ~30 ms of every command that prints an amount; these
tests pin that the saving is real (in a fresh process) and that nothing a user sees changes:
the patterns match what the libraries' own do, every other regex of those modules is a real
compiled pattern, babel formats as before and pytz stays importable.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent("""
    import re, sys
    import consult.render.text  # the renderer imports ReportLab
    from reportlab.platypus import paragraph
    from reportlab.lib import textsplit, rl_safe_eval
    import yaml.reader, yaml.constructor
    from consult.startup import LazyPattern
    lazy = [yaml.reader.Reader.NON_PRINTABLE, yaml.constructor.SafeConstructor.timestamp_regexp,
            rl_safe_eval.__rl_unsafe_re__]
    print([type(p).__name__ for p in lazy])
    print(bool(lazy[0].search("ok\x07")), lazy[0].search("all printable é") is None,
          lazy[1].match("2026-11-30").group("day"), bool(lazy[2].search("x = eval(y)")))
    print(type(paragraph.uri_pat).__name__, type(textsplit.rx).__name__,
          isinstance(paragraph._hy_pfx_pat, re.Pattern), paragraph.uri_pat._pattern is None)
    urls = ["https://example.com/path?q=1", "ftp://10.0.0.1:21/x", "http://localhost", "not a url",
            "https://bücher.example/straße", "mailto:x@y.z"]
    print([bool(paragraph.uri_pat.match(u)) for u in urls])
    print(textsplit.rx.sub(r"[\\1]", "ab中文c"))
""")


def test_importing_consult_leaves_the_costly_patterns_uncompiled_and_they_still_match() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    others, checks, first, matches, cjk = out.splitlines()
    assert others == "['LazyPattern', 'LazyPattern', 'LazyPattern']"
    assert checks == "True True 30 True"
    assert first == "LazyPattern LazyPattern True True"  # not compiled by the import; others real
    assert matches == "[True, True, True, False, True, False]"
    assert cjk == "ab[中][文]c"


def test_a_lazy_pattern_behaves_as_the_compiled_one() -> None:
    from consult.startup import LazyPattern

    lazy = LazyPattern(r"(\d+)-(\d+)", re.I)
    assert lazy.match("12-34").groups() == ("12", "34")
    assert lazy.sub(r"\2-\1", "12-34") == "34-12"
    assert lazy.flags & re.I and lazy.pattern == r"(\d+)-(\d+)"


BABEL = textwrap.dedent("""
    from datetime import date
    import consult
    from consult.core.money import Money
    from decimal import Decimal
    print(Money(Decimal("691892.50"), "EUR").format("de_DE"), Money(Decimal("691892.50"), "INR").format("en_IN"))
    import babel.localtime, babel.dates
    print(type(babel.localtime.LOCALTZ).__module__)
    print(babel.dates.format_date(date(2026, 11, 30), "long", locale="fr_FR"))
    import pytz
    print(pytz.timezone("Europe/London").zone)
""")


def test_babel_takes_the_local_zone_from_zoneinfo_and_formats_as_before() -> None:
    out = subprocess.run([sys.executable, "-c", BABEL], capture_output=True, text=True, check=True,
                         env={**os.environ, "TZ": "Europe/London"}).stdout.splitlines()
    assert out[0] == "691.892,50\xa0€ ₹6,91,892.50"
    assert out[1] == "zoneinfo"  # not pytz's: its first lookup checks 598 zone files
    assert out[2] == "30 novembre 2026"
    assert out[3] == "Europe/London"  # pytz still works for anyone who imports it


PILLOW = textwrap.dedent("""
    import sys
    import consult.render.document
    from reportlab.lib import utils
    print("PIL.ExifTags" in sys.modules, utils.haveImages)
    from consult.render.document import logo
    print(utils.Image.Image.__name__, "PIL.ExifTags" in sys.modules)
""")


def test_pillow_runs_only_when_an_image_is_drawn() -> None:
    first, second = subprocess.run([sys.executable, "-c", PILLOW], capture_output=True, text=True,
                                   check=True).stdout.splitlines()
    assert first == "False True"  # ReportLab sees an image library, none of it executed yet
    assert second == "Image True"  # the first use runs it, whole
