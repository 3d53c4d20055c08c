"""HMRC's VAT (MTD) API, played on 127.0.0.1 by the `vat-test-service` that ships in the
`gnucash-uk-vat` package (the `test` extra): obligations, returns, the OAuth token exchange
and a record of the fraud-prevention headers it was sent. Nothing here touches the network.

What the service does (read from its source, gnucash_uk_vat/test_service.py, 1.9):
* client credentials `test-client-id` / `test-client-secret`; the access token it issues is
  its `--secret`, the refresh token `67890`, `expires_in` 1440 seconds;
* `/oauth/authorize` shows a form whose submit goes to `/oauth/login`, which redirects to the
  `redirect_uri` with `code` and `state`;
* each VRN gets its own copy of the `TEMPLATE` data (so each test uses its own VRN);
* `/captured-headers` answers the `Gov-*` headers of the last API request.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
import types
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCESS = "1KGHk9KDMCjAu0Sr"   # the service's default secret = the access token it issues
REFRESH = "67890"
CLIENT_ID, CLIENT_SECRET = "test-client-id", "test-client-secret"

# Quarters on HMRC's stagger 1 (Mar/Jun/Sep/Dec), as HMRC lists them: due one month and seven
# days after the period ends. Two fulfilled, two open; one key carries a '#' (HMRC's docs: it
# must be URL-encoded in the path).
OBLIGATIONS = [
    {"status": "F", "periodKey": "26A1", "start": "2026-01-01", "end": "2026-03-31", "due": "2026-05-07",
     "received": "2026-05-02"},
    {"status": "F", "periodKey": "26A2", "start": "2026-04-01", "end": "2026-06-30", "due": "2026-08-07",
     "received": "2026-08-05"},
    {"status": "O", "periodKey": "26A3", "start": "2026-07-01", "end": "2026-09-30", "due": "2026-11-07"},
    {"status": "O", "periodKey": "#004", "start": "2026-10-01", "end": "2026-12-31", "due": "2027-02-07"},
]
_FILED = {"vatDueSales": 100, "vatDueAcquisitions": 0, "totalVatDue": 100, "vatReclaimedCurrPeriod": 20,
          "netVatDue": 80, "totalValueSalesExVAT": 500, "totalValuePurchasesExVAT": 100,
          "totalValueGoodsSuppliedExVAT": 0, "totalAcquisitionsExVAT": 0}
TEMPLATE = {"TEMPLATE": {"obligations": OBLIGATIONS, "liabilities": [], "payments": [],
                         "returns": [{"periodKey": "26A1", **_FILED}, {"periodKey": "26A2", **_FILED}]}}


def available() -> bool:
    return importlib.util.find_spec("gnucash_uk_vat") is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    url: str
    proc: subprocess.Popen[bytes]

    def captured_headers(self) -> dict[str, str]:
        with urllib.request.urlopen(f"{self.url}/captured-headers", timeout=5) as r:
            return {k.lower(): v for k, v in json.loads(r.read()).items()}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.proc.kill()


def start(folder: Path) -> Service:
    """Start the service on a free port of 127.0.0.1 and wait until it answers."""
    data = folder / "vat-data.json"
    data.write_text(json.dumps(TEMPLATE), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from gnucash_uk_vat.test_service import main; main()",
         "--listen", f"127.0.0.1:{port}", "--data", str(data)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"vat-test-service stopped: {err[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return Service(f"http://127.0.0.1:{port}", proc)
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("vat-test-service did not start listening within 20 s")


def sign_in(url: str) -> None:
    """What a person does in the browser: open HMRC's sign-in page, then press Submit on its
    form — the test service's `/oauth/login` then redirects to consult's loopback address."""
    with urllib.request.urlopen(url, timeout=10) as r:
        r.read()
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    form = {"username": "", "password": "", "client_id": q["client_id"], "state": q.get("state", ""),
            "scope": q["scope"], "redirect_uri": q["redirect_uri"]}
    base = url.split("/oauth/authorize")[0]
    with urllib.request.urlopen(f"{base}/oauth/login?{urllib.parse.urlencode(form)}", timeout=10) as r:
        r.read()


# A return worked by hand for 1 July – 30 September 2026 (standard scheme):
#   sales £12,167.60 net at 20%         -> box 1 = 12,167.60 × 0.20 = 2,433.52; box 6 = £12,167
#   a laptop, £1,200.00 + £240.00 VAT    -> box 4 = 240.00;                      box 7 = £1,200
#   box 3 = 2,433.52 + 0 = 2,433.52;  box 5 = |2,433.52 − 240.00| = 2,193.52;  boxes 2, 8, 9 = 0
BOXES = {1: "2433.52", 2: "0.00", 3: "2433.52", 4: "240.00", 5: "2193.52", 6: "12167", 7: "1200", 8: "0", 9: "0"}


def returns_module() -> types.ModuleType:
    """A stand-in for `consult.vat.returns` (built in parallel by the VAT-return work) whose
    `vat_return` answers the hand-worked return above for any period."""
    from datetime import date, timedelta
    from decimal import Decimal

    from dateutil.relativedelta import relativedelta

    from consult.vat.boxes import VatReturn

    mod = types.ModuleType("consult.vat.returns")

    def vat_return(books: Any, invoices: Any, start: date, end: date, **_: Any) -> VatReturn:
        due = end + timedelta(days=1) + relativedelta(months=1, days=6)
        return VatReturn(start, end, "standard", {n: Decimal(v) for n, v in BOXES.items()}, due)

    def load_return_records(root: Any, books: Any, start: date, end: date) -> list[Any]:
        return []

    setattr(mod, "vat_return", vat_return)  # noqa: B010 - a module made at run time has no declared attribute
    setattr(mod, "load_return_records", load_return_records)  # noqa: B010 - as above
    return mod


if __name__ == "__main__":
    if sys.argv[1] == "sign-in":  # the "browser" for BROWSER="python vat_service.py sign-in"
        sign_in(sys.argv[2])
    else:  # "consult": run consult with the stand-in return, as its own process
        sys.modules["consult.vat.returns"] = returns_module()
        from consult.cli import main

        main(sys.argv[2:])
