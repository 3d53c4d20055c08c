"""`consult vat obligations`, `consult vat login` and `consult vat submit` against HMRC's VAT API
as played by `vat-test-service` (the gnucash-uk-vat package, the `test` extra) on 127.0.0.1.

Each test has its own config folder (settings, grant, device id) and its own VRN, so the one
service started for the session holds a fresh set of obligations for every test.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import stat
import subprocess
import sys
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support import vat_service
from tests.support.vat_service import ACCESS, BOXES, CLIENT_ID, CLIENT_SECRET, REFRESH

pytestmark = pytest.mark.skipif(not vat_service.available(),
                                reason="the VAT API test service is not installed (pip install '.[test]': gnucash-uk-vat)")

SERVICE_SCRIPT = Path(vat_service.__file__)
TODAY = "2026-11-22"
_vrns = itertools.count(100000001)


@pytest.fixture(scope="session")
def service(tmp_path_factory):
    svc = vat_service.start(tmp_path_factory.mktemp("vat-service"))
    yield svc
    svc.stop()


class Mtd:
    """One user's config folder pointed at the test service, for one VRN."""

    def __init__(self, folder: Path, service: vat_service.Service, environment: str = "sandbox"):
        self.folder = folder
        self.service = service
        self.vrn = str(next(_vrns))
        self.environment = environment
        self.port = vat_service.free_port()
        self.settings(environment=environment)

    def settings(self, **changes: str | None) -> None:
        s = {"environment": self.environment, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
             "api_url": self.service.url, "auth_url": self.service.url, "sandbox_vrn": self.vrn,
             "redirect_uri": f"http://127.0.0.1:{self.port}/callback", **changes}
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "mtd.yaml").write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in s.items() if v is not None))

    @property
    def token_path(self) -> Path:
        vrn = self.vrn if self.environment == "sandbox" else "980780684"
        return self.folder / "mtd-tokens" / f"{self.environment}-{vrn}.json"

    def grant(self, access: str = ACCESS, refresh: str = REFRESH, expires_in: int = 3600) -> None:
        """A saved grant, as `consult vat login` leaves it."""
        self.token_path.parent.mkdir(parents=True, exist_ok=True)
        expires = datetime.now(timezone.utc) + timedelta(seconds=expires_in)
        self.token_path.write_text(json.dumps({"access_token": access, "refresh_token": refresh,
                                               "expires_at": expires.isoformat()}))
        self.token_path.chmod(0o600)

    def obligation(self, key: str, vrn: str | None = None) -> dict[str, str]:
        """The obligation as the service now lists it (status O or F)."""
        req = urllib.request.Request(
            f"{self.service.url}/organisations/vat/{vrn or self.vrn}/obligations?status=",
            headers={"Authorization": f"Bearer {ACCESS}"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return next(o for o in json.loads(r.read())["obligations"] if o["periodKey"] == key)

    def held_return(self, key: str, vrn: str | None = None) -> dict[str, Decimal]:
        """The return the service holds for `key`, numbers as exact Decimals."""
        req = urllib.request.Request(
            f"{self.service.url}/organisations/vat/{vrn or self.vrn}/returns/{urllib.parse.quote(key, safe='')}",
            headers={"Authorization": f"Bearer {ACCESS}"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read(), parse_float=Decimal)


@pytest.fixture
def mtd(tmp_path, monkeypatch, service) -> Mtd:
    monkeypatch.setenv("CONSULT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setitem(sys.modules, "consult.vat.returns", vat_service.returns_module())
    m = Mtd(tmp_path / "config", service)
    m.grant()
    return m


@pytest.fixture
def books(make_books) -> Path:
    return make_books()


def _receipt_in(record: Path) -> dict[str, str]:
    text = record.read_text()
    return dict(re.findall(r'^  (\w[\w-]*): "([^"]*)"$', text, flags=re.M))


# ------------------------------------------------------------------------------------------
# obligations
# ------------------------------------------------------------------------------------------
def test_obligations_lists_open_and_fulfilled_with_period_keys_and_due_dates(mtd, books, run_cli):
    """The four quarters of 2026 HMRC lists: keys, dates, due dates, open or fulfilled."""
    code, out, err = run_cli("vat", "obligations", "--format", "json", books=books)
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [(r["period_key"], r["start"], r["end"], r["due"], r["status"], r["received"]) for r in rows] == [
        ("26A1", "2026-01-01", "2026-03-31", "2026-05-07", "fulfilled", "2026-05-02"),
        ("26A2", "2026-04-01", "2026-06-30", "2026-08-07", "fulfilled", "2026-08-05"),
        ("26A3", "2026-07-01", "2026-09-30", "2026-11-07", "open", None),
        ("#004", "2026-10-01", "2026-12-31", "2027-02-07", "open", None),
    ]
    assert all(r["receipt"] is None for r in rows)


def test_obligations_table_names_the_environment_and_vrn(mtd, books, run_cli):
    code, out, _ = run_cli("vat", "obligations", books=books)
    assert code == 0
    assert out.startswith(f"VAT obligations — HMRC sandbox, VAT number {mtd.vrn}")
    assert re.search(r"26A3\s+2026-07-01\s+2026-09-30\s+2026-11-07\s+open", out)


# ------------------------------------------------------------------------------------------
# submitting
# ------------------------------------------------------------------------------------------
def test_submit_records_hmrcs_receipt_in_the_books(mtd, books, run_cli):
    """`vat submit 2026-Q3` sends the nine boxes for 26A3, HMRC marks it fulfilled, and the
    books keep HMRC's receipt next to the boxes as sent."""
    code, out, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert (code, err) == (0, "")
    record = books / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml"
    receipt = _receipt_in(record)
    assert receipt["paymentIndicator"] == "BANK"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+\+00:00", receipt["processingDate"])
    assert receipt["formBundleNumber"] and receipt["chargeRefNumber"]
    assert receipt["formBundleNumber"] in out and f"recorded in {record.relative_to(books)}" in out
    assert "Box 5  Net VAT to pay or reclaim |3 − 4|" in out and "2,193.52" in out
    assert "legal declaration" in out
    text = record.read_text()
    assert "period_key: \"26A3\"" in text and "vatDueSales: 2433.52\n" in text and "totalValueSalesExVAT: 12167\n" in text
    assert mtd.obligation("26A3")["status"] == "F"
    held = mtd.held_return("26A3")
    names = ["vatDueSales", "vatDueAcquisitions", "totalVatDue", "vatReclaimedCurrPeriod", "netVatDue",
             "totalValueSalesExVAT", "totalValuePurchasesExVAT", "totalValueGoodsSuppliedExVAT",
             "totalAcquisitionsExVAT"]
    assert [held[n] for n in names] == [Decimal(BOXES[i]) for i in range(1, 10)]
    assert not list((books / "vat" / "sandbox").glob("*.pending.yaml"))


def test_second_submit_refuses_naming_the_receipt(mtd, books, run_cli):
    """The books' record stops a second submission before anything is sent."""
    assert run_cli("vat", "submit", "2026-Q3", "--yes", books=books)[0] == 0
    record = books / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml"
    before = record.read_bytes()
    receipt = _receipt_in(record)
    for period in ("2026-Q3", "26A3", "2026-07-01..2026-09-30"):
        code, out, err = run_cli("vat", "submit", period, "--yes", books=books)
        assert code == 1 and out == ""
        assert err.startswith(f"error: {period} was already submitted to HMRC sandbox: "
                              "vat/sandbox/2026-07-01_2026-09-30.yaml: 26A3 submitted — ")
        assert f"formBundleNumber {receipt['formBundleNumber']}" in err
        assert "Traceback" not in err and len(err.splitlines()) == 1
    assert record.read_bytes() == before


def test_submit_by_hmrcs_period_key(mtd, books, run_cli):
    code, out, _ = run_cli("vat", "submit", "26A3", "--yes", "--format", "json", books=books)
    assert code == 0
    [row] = json.loads(out)
    assert (row["period_key"], row["start"], row["end"], row["environment"]) == ("26A3", "2026-07-01", "2026-09-30", "sandbox")
    assert row["record"] == "vat/sandbox/2026-07-01_2026-09-30.yaml" and row["formBundleNumber"]


def test_obligations_show_the_receipt_the_books_hold(mtd, books, run_cli):
    run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    code, out, _ = run_cli("vat", "obligations", "--format", "json", books=books)
    rows = {r["period_key"]: r for r in json.loads(out)}
    receipt = _receipt_in(books / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml")
    assert rows["26A3"]["status"] == "fulfilled" and rows["26A3"]["receipt"] == receipt["formBundleNumber"]


def test_a_period_hmrc_already_holds_is_refused(mtd, books, run_cli):
    """2026-Q1 is fulfilled at HMRC though the books hold no receipt: sent some other way."""
    for period in ("2026-Q1", "26A1"):
        code, out, err = run_cli("vat", "submit", period, "--yes", books=books)
        assert code == 1 and out == ""
        assert err == (f"error: HMRC sandbox already has the return for {period} (26A1, received 2026-05-02); the "
                       "books hold no receipt for it, so it was sent some other way. Nothing was sent.\n")


def test_a_period_that_is_no_obligation_lists_the_open_ones(mtd, books, run_cli):
    code, _, err = run_cli("vat", "submit", "2025-Q4", "--yes", books=books)
    assert code == 2
    assert err == ("error: PERIOD: '2025-Q4' is not an open VAT obligation; HMRC's open obligations: 26A3 "
                   "2026-07-01..2026-09-30 (due 2026-11-07); #004 2026-10-01..2026-12-31 (due 2027-02-07) "
                   "(`consult vat obligations` lists them)\n")


def test_a_period_that_has_not_ended_is_not_sent(mtd, books, run_cli):
    code, _, err = run_cli("vat", "submit", "#004", "--yes", books=books)
    assert code == 1
    assert "has not ended: HMRC takes its return from 2027-01-01" in err
    assert mtd.obligation("#004")["status"] == "O"


def test_declining_the_declaration_sends_nothing(mtd, books):
    from consult.books.loader import open_books
    from consult.vat.mtd import VatApi, vrn_for
    from consult.vat.oauth import load_settings
    from consult.vat.submission import submit

    settings = load_settings()
    api = VatApi(settings, vrn_for(settings, "GB980780684"))
    shown = []
    assert submit(open_books(books), "2026-Q3", api=api, today=date(2026, 11, 22),
                  confirm=lambda ret, ob: shown.append((ret.box(5), ob.period_key)) or False) is None
    assert shown == [(Decimal("2193.52"), "26A3")]
    assert not (books / "vat").exists()
    assert mtd.obligation("26A3")["status"] == "O"


def test_production_records_apart_from_the_sandbox(tmp_path, monkeypatch, service, books, run_cli):
    """`environment: production` uses the practice's own VRN and records under vat/submitted/;
    a sandbox run of the same period neither blocks it nor is blocked by it."""
    monkeypatch.setitem(sys.modules, "consult.vat.returns", vat_service.returns_module())
    sandbox = Mtd(tmp_path / "sandbox-config", service)
    sandbox.grant()
    monkeypatch.setenv("CONSULT_CONFIG_DIR", str(sandbox.folder))
    assert run_cli("vat", "submit", "2026-Q3", "--yes", books=books)[0] == 0
    live = Mtd(tmp_path / "live-config", service, environment="production")
    live.grant()
    monkeypatch.setenv("CONSULT_CONFIG_DIR", str(live.folder))
    code, out, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert (code, err) == (0, "")
    assert "to HMRC production (live)" in out and "VAT number 980780684" in out
    assert (books / "vat" / "submitted" / "2026-07-01_2026-09-30.yaml").exists()
    assert (books / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml").exists()
    assert live.obligation("26A3", vrn="980780684")["status"] == "F"
    assert run_cli("vat", "submit", "2026-Q3", "--yes", books=books)[0] == 1


def test_check_accepts_submission_records(mtd, books, run_cli):
    run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    code, out, err = run_cli("check", books=books)
    assert code == 0, out + err


# ------------------------------------------------------------------------------------------
# the crash window and a second process
# ------------------------------------------------------------------------------------------
def test_killed_after_hmrc_accepted_the_return_the_next_run_records_it(mtd, books, run_cli, monkeypatch):
    """consult dies after HMRC accepted the return but before the record is written: the pending
    note survives, `check` warns about it, and the next `submit` asks HMRC, finds the period
    fulfilled, records it (receipt lost, boxes as sent) and refuses to send it again."""
    from consult.vat import submission

    real = submission._record

    def die(*args, **kwargs):
        raise KeyboardInterrupt  # SIGINT or a kill at the worst moment

    monkeypatch.setattr(submission, "_record", die)
    code, _, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert (code, err.splitlines()[-1]) == (1, "aborted")
    pending = books / "vat" / "sandbox" / "2026-07-01_2026-09-30.pending.yaml"
    assert pending.exists() and mtd.obligation("26A3")["status"] == "F"
    code, out, _ = run_cli("check", books=books)
    assert "vat/sandbox/2026-07-01_2026-09-30.pending.yaml: warning: a submission to HMRC was interrupted" in out

    monkeypatch.setattr(submission, "_record", real)
    code, _, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert code == 1
    assert err.startswith("error: 2026-Q3 had already reached HMRC: vat/sandbox/2026-07-01_2026-09-30.yaml: 26A3 "
                          "reached HMRC (received ")
    record = (books / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml").read_text()
    assert "recovered: true" in record and "netVatDue: 2193.52\n" in record
    assert not pending.exists()
    code, _, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert code == 1 and "was already submitted" in err
    assert run_cli("check", books=books)[0] == 0


def test_interrupted_before_hmrc_got_the_return_it_is_sent_next_time(mtd, books, run_cli):
    """A pending note whose period HMRC still lists as open means the return never arrived:
    the next run sends it and records the receipt."""
    from consult.vat.mtd import Obligation
    from consult.vat.submission import record_text

    pending = books / "vat" / "sandbox" / "2026-07-01_2026-09-30.pending.yaml"
    pending.parent.mkdir(parents=True)
    ob = Obligation("26A3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 11, 7), "O")
    body = {**{n: Decimal(0) for n in ("vatDueSales", "vatDueAcquisitions", "totalVatDue", "vatReclaimedCurrPeriod",
                                        "netVatDue", "totalValueSalesExVAT", "totalValuePurchasesExVAT",
                                        "totalValueGoodsSuppliedExVAT", "totalAcquisitionsExVAT")}}
    pending.write_text(record_text(environment="sandbox", vrn=mtd.vrn, obligation=ob, scheme="standard",
                                   body=body, receipt={}, submitted_at="2026-11-22T09:00:00+00:00"))
    code, out, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert (code, err) == (0, "")
    assert not pending.exists()
    assert "formBundleNumber" in (books / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml").read_text()
    assert mtd.held_return("26A3")["netVatDue"] == Decimal("2193.52")


def test_two_processes_submitting_one_period_send_it_once(mtd, books):
    """Two `consult vat submit 2026-Q3` at once: one records the receipt, the other waits at the
    books lock, finds that record and refuses; HMRC got one return."""
    env = {**os.environ, "CONSULT_CONFIG_DIR": str(mtd.folder), "CONSULT_TODAY": TODAY,
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    cmd = [sys.executable, str(SERVICE_SCRIPT), "consult", "--books", str(books), "vat", "submit", "2026-Q3", "--yes"]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = sorted((p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in procs)
    (ok, _, ok_err), (refused, _, why) = results
    assert (ok, ok_err, refused) == (0, "", 1), results
    assert "submitted" in why and "formBundleNumber" in why and "Traceback" not in why
    assert len(list((books / "vat" / "sandbox").iterdir())) == 1


def test_sigkill_at_any_moment_leaves_one_return_at_hmrc_and_its_record(mtd, make_books, tmp_path):
    """Real `consult vat submit` processes are killed (SIGKILL) at moments spread over their run;
    the next run settles what the killed one left. Every time: HMRC holds exactly the return the
    books record, once; no note is left; `consult check` is clean."""
    import random
    import shutil
    import signal
    import time

    from consult.check import check_books

    rng = random.Random(23)
    template = make_books()
    env = {**os.environ, "CONSULT_CONFIG_DIR": str(mtd.folder), "CONSULT_TODAY": TODAY,
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}

    def argv(root: Path, *args: str) -> list[str]:
        return [sys.executable, str(SERVICE_SCRIPT), "consult", "--books", str(root), *args]

    t = time.perf_counter()  # how long a whole submission takes here, now
    subprocess.run(argv(template, "vat", "submit", "2026-Q3", "--yes"), env=env, capture_output=True, check=True)
    typical = time.perf_counter() - t
    outcomes: list[tuple[bool, int]] = []
    for i in range(8):
        if sum(k for k, _ in outcomes) >= 2 and len(outcomes) >= 3:
            break
        root = tmp_path / f"books-{i}"
        shutil.copytree(template, root, ignore=shutil.ignore_patterns("vat"))
        mtd.vrn = str(next(_vrns))
        mtd.settings()
        mtd.grant()
        p = subprocess.Popen(argv(root, "vat", "submit", "2026-Q3", "--yes"), env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(typical * 0.3, typical * 1.0))
        killed = p.poll() is None
        if killed:
            os.kill(p.pid, signal.SIGKILL)
        else:
            typical *= 0.7  # it finished first: aim earlier
        p.wait()
        again = subprocess.run(argv(root, "vat", "submit", "2026-Q3", "--yes"), env=env, capture_output=True, text=True)
        assert again.returncode in (0, 1) and "Traceback" not in again.stderr, again.stderr
        assert again.returncode == 0 or "already" in again.stderr, again.stderr
        # a kill mid-write may leave a hidden `.NAME.*.tmp` (never read, as in test_crash_safety)
        files = sorted(f.name for f in (root / "vat" / "sandbox").iterdir() if not f.name.startswith("."))
        assert files == ["2026-07-01_2026-09-30.yaml"], files
        assert mtd.obligation("26A3")["status"] == "F"
        assert mtd.held_return("26A3")["netVatDue"] == Decimal("2193.52")
        assert "netVatDue: 2193.52" in (root / "vat" / "sandbox" / files[0]).read_text()
        assert not check_books(root).errors and not [p for p in check_books(root).problems if "vat/" in p.source.path]
        outcomes.append((killed, again.returncode))
    print("kills and the next run's exit:", outcomes)
    assert any(killed for killed, _ in outcomes), outcomes


# ------------------------------------------------------------------------------------------
# fraud-prevention headers, as the service captured them
# ------------------------------------------------------------------------------------------
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
PCT = r"(?:[A-Za-z0-9_.~-]|%[0-9A-F]{2})"  # a percent-encoded character


def test_fraud_prevention_headers_reach_hmrc_well_formed(mtd, books, run_cli, service):
    """Every request carries the DESKTOP_APP_DIRECT headers in HMRC's formats (key-value and
    list encodings, UTC timestamps with milliseconds, a persistent UUID device id)."""
    assert run_cli("vat", "obligations", books=books)[0] == 0
    h = service.captured_headers()
    assert h["gov-client-connection-method"] == "DESKTOP_APP_DIRECT"
    assert re.fullmatch(UUID, h["gov-client-device-id"])
    assert (mtd.folder / "device-id").read_text().strip() == h["gov-client-device-id"]
    assert re.fullmatch(r"UTC[+-]\d\d:\d\d", h["gov-client-timezone"])
    ua = dict(kv.split("=", 1) for kv in h["gov-client-user-agent"].split("&"))
    assert set(ua) == {"os-family", "os-version", "device-manufacturer", "device-model"}
    assert ua["os-family"] == "Linux" and all(re.fullmatch(f"{PCT}*", v) for v in ua.values())
    assert re.fullmatch(f"os={PCT}+", h["gov-client-user-ids"])
    assert h["gov-vendor-product-name"] == "consult"
    from consult import __version__
    assert h["gov-vendor-version"] == f"consult={__version__}"  # the installed version, not a literal
    if "gov-client-local-ips" in h:
        assert all(re.fullmatch(f"{PCT}+", ip) for ip in h["gov-client-local-ips"].split(","))
        assert "127.0.0.1" not in h["gov-client-local-ips"].split(",")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", h["gov-client-local-ips-timestamp"])
    if "gov-client-mac-addresses" in h:
        assert all(re.fullmatch(r"[0-9a-f]{2}(%3A[0-9a-f]{2}){5}", m) for m in h["gov-client-mac-addresses"].split(","))
    assert all(v.isascii() for v in h.values())
    assert "gov-client-multi-factor" not in h and "gov-vendor-license-ids" not in h  # nothing honest to send
    run_cli("vat", "obligations", books=books)
    assert service.captured_headers()["gov-client-device-id"] == h["gov-client-device-id"]  # persistent


def test_the_submission_itself_carries_the_headers(mtd, books, run_cli, service):
    assert run_cli("vat", "submit", "2026-Q3", "--yes", books=books)[0] == 0
    assert service.captured_headers()["gov-client-connection-method"] == "DESKTOP_APP_DIRECT"


# ------------------------------------------------------------------------------------------
# authorisation
# ------------------------------------------------------------------------------------------
def test_an_expired_token_is_refreshed_and_saved_privately(mtd, books, run_cli):
    mtd.grant(access="expired-long-ago", expires_in=-60)
    code, _, err = run_cli("vat", "obligations", books=books)
    assert (code, err) == (0, "")
    saved = json.loads(mtd.token_path.read_text())
    assert saved["access_token"] == ACCESS and saved["refresh_token"] == REFRESH
    assert datetime.fromisoformat(saved["expires_at"]) > datetime.now(timezone.utc) + timedelta(seconds=1300)
    assert stat.S_IMODE(mtd.token_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(mtd.token_path.parent.stat().st_mode) == 0o700


def test_a_token_hmrc_refuses_is_renewed_once_and_the_request_sent_again(mtd, books, run_cli):
    mtd.grant(access="revoked-but-not-expired", expires_in=3600)
    code, _, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert (code, err) == (0, "")
    assert json.loads(mtd.token_path.read_text())["access_token"] == ACCESS


def test_no_authorisation_is_one_clear_message(mtd, books, run_cli):
    mtd.token_path.unlink()
    for args in (("vat", "obligations"), ("vat", "submit", "2026-Q3", "--yes")):
        code, out, err = run_cli(*args, books=books)
        assert (code, out) == (1, "")
        assert err == (f"error: consult is not authorised with HMRC sandbox for VAT number {mtd.vrn}: "
                       "run `consult vat login` first\n")
    assert not (books / "vat").exists()


def test_a_withdrawn_authorisation_is_one_clear_message(mtd, books, run_cli):
    mtd.grant(access="old", refresh="withdrawn", expires_in=-10)
    code, out, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert (code, out) == (1, "")
    assert err == ("error: HMRC sandbox refused to renew consult's authorisation (HTTP 401); it lasts 18 months "
                   "and may have been withdrawn: run `consult vat login` again\n")
    assert not (books / "vat").exists() and mtd.obligation("26A3")["status"] == "O"


def test_wrong_application_credentials_are_one_clear_message(mtd, books, run_cli):
    mtd.settings(client_secret="not-the-secret")
    mtd.grant(expires_in=-10)
    code, _, err = run_cli("vat", "obligations", books=books)
    assert code == 1 and err.startswith("error: HMRC sandbox refused to renew") and "Traceback" not in err
    mtd.settings(client_id=None)
    code, _, err = run_cli("vat", "obligations", books=books)
    assert code == 1
    assert err == (f"error: no HMRC application credentials for the sandbox: put `client_id:` and `client_secret:` "
                   f"(from your application on HMRC's Developer Hub) in {mtd.folder / 'mtd.yaml'} — see docs/mtd.md\n")


def test_an_unreachable_hmrc_is_one_clear_message(mtd, books, run_cli):
    mtd.settings(api_url=f"http://127.0.0.1:{vat_service.free_port()}")
    code, _, err = run_cli("vat", "submit", "2026-Q3", "--yes", books=books)
    assert code == 1
    assert err.startswith("error: could not reach HMRC sandbox at http://127.0.0.1:") and "Traceback" not in err
    assert not (books / "vat").exists()


def test_login_through_the_browser_and_the_loopback_redirect(mtd, books):
    """`consult vat login` as its own process: $BROWSER "signs in" on the service's page, whose
    redirect reaches consult on 127.0.0.1; the grant is saved 0600 and works."""
    mtd.token_path.unlink()
    env = {**os.environ, "CONSULT_CONFIG_DIR": str(mtd.folder), "CONSULT_TODAY": TODAY,
           "BROWSER": f"{sys.executable} {SERVICE_SCRIPT} sign-in %s"}
    done = subprocess.run([sys.executable, "-m", "consult", "--books", str(books), "vat", "login", "--timeout", "30"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"authorised with HMRC sandbox for VAT number {mtd.vrn}; access until ")
    shown = re.search(r"^  (http://\S+)$", done.stderr, flags=re.M)
    assert shown and shown[1].startswith(f"{mtd.service.url}/oauth/authorize?response_type=code&client_id=test-client-id")
    sent = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(shown[1]).query))
    assert sent["scope"] == "read:vat write:vat" and sent["code_challenge_method"] == "S256" and len(sent["state"]) >= 32
    saved = json.loads(mtd.token_path.read_text())
    assert (saved["access_token"], saved["refresh_token"]) == (ACCESS, REFRESH)
    assert stat.S_IMODE(mtd.token_path.stat().st_mode) == 0o600
    env.pop("BROWSER")
    listed = subprocess.run([sys.executable, "-m", "consult", "--books", str(books), "vat", "obligations"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "26A3" in listed.stdout


def _settings_and_store(mtd):
    from consult.vat.oauth import TokenStore, load_settings

    settings = load_settings()
    return settings, TokenStore(settings, mtd.vrn)


def test_login_ignores_a_forged_redirect_and_takes_its_own(mtd):
    """A request to the loopback address without consult's `state` is turned away (400) and the
    wait goes on; the real redirect then completes the login."""
    from consult.vat.oauth import authorise

    mtd.token_path.unlink()
    settings, store = _settings_and_store(mtd)
    forged: list[int] = []

    def browser(url: str) -> None:
        redirect = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["redirect_uri"]
        try:
            urllib.request.urlopen(f"{redirect}?code=stolen&state=not-yours", timeout=5)
        except urllib.error.HTTPError as e:
            forged.append(e.code)
        vat_service.sign_in(url)

    token = authorise(settings, store, open_url=browser, timeout=30)
    assert forged == [400] and token.access_token == ACCESS and store.load() == token


def test_login_refused_by_the_user_is_one_clear_message(mtd):
    from consult.vat.oauth import NotAuthorised, authorise

    mtd.token_path.unlink()
    settings, store = _settings_and_store(mtd)

    def deny(url: str) -> None:
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        try:
            urllib.request.urlopen(f"{q['redirect_uri']}?error=access_denied&state={q['state']}", timeout=5)
        except urllib.error.HTTPError:
            pass

    with pytest.raises(NotAuthorised, match=r"^HMRC sandbox did not authorise consult \(access_denied\); "
                                            r"run `consult vat login` again$"):
        authorise(settings, store, open_url=deny, timeout=30)
    assert store.load() is None


def test_login_that_never_comes_back_times_out(mtd):
    from consult.vat.oauth import NotAuthorised, authorise

    settings, store = _settings_and_store(mtd)
    with pytest.raises(NotAuthorised, match="no answer from HMRC's sign-in page within 1 s"):
        authorise(settings, store, open_url=lambda url: None, timeout=1)


def test_logout_forgets_the_grant(mtd, books, run_cli):
    code, out, _ = run_cli("vat", "logout", books=books)
    assert code == 0 and out == f"forgot authorisation with HMRC sandbox for VAT number {mtd.vrn}\n"
    assert not mtd.token_path.exists()
    assert run_cli("vat", "obligations", books=books)[0] == 1
