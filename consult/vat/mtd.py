"""HMRC's VAT (MTD) API: obligations, submitting a return, viewing one — with the
fraud-prevention headers HMRC requires of a desktop application.

The endpoints (VAT (MTD) API v1.0; docs/mtd.md has the sources):

* `GET /organisations/vat/{vrn}/obligations?from&to&status` — `from`/`to` are required unless
  `status=O`, and at most 366 days apart;
* `POST /organisations/vat/{vrn}/returns` — the nine boxes, `periodKey`, `finalised: true`;
  201 with the receipt (`processingDate`, `formBundleNumber`, `paymentIndicator`,
  `chargeRefNumber`) and the `Receipt-ID`/`X-CorrelationId` headers; 403
  `DUPLICATE_SUBMISSION` when HMRC already holds a return for the period;
* `GET /organisations/vat/{vrn}/returns/{periodKey}` — a submitted return (the key
  percent-encoded: some keys contain `#`).

Every request carries `Accept: application/vnd.hmrc.1.0+json`, the bearer token, and the
fraud-prevention headers for the `DESKTOP_APP_DIRECT` connection method, each collected from
this machine just before the request. A value consult cannot honestly collect is left out,
never made up (see `fraud_headers`).
"""

from __future__ import annotations

import contextlib
import getpass
import platform
import re
import socket
import subprocess
import sys
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from consult import __version__
from consult.core.record import record
from consult.errors import ConsultError
from consult.vat.oauth import (
    HttpAnswer,
    HttpFailure,
    NotAuthorised,
    Settings,
    TokenStore,
    config_dir,
    http,
    load_settings,
    read_private,
    write_private,
)

ACCEPT = "application/vnd.hmrc.1.0+json"
PRODUCT = "consult"
CONNECTION_METHOD = "DESKTOP_APP_DIRECT"
SUBMIT_TIMEOUT = 60.0


class MtdError(ConsultError):
    """HMRC answered with an error; `code` is HMRC's (e.g. `VAT_NET_VALUE`), `status` the HTTP status."""

    def __init__(self, message: str, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class DuplicateSubmission(MtdError):
    """HMRC already holds a return for the period (403 `DUPLICATE_SUBMISSION`)."""


class OutcomeUnknown(MtdError):
    """The return was sent but no answer came back: it may or may not have arrived."""


# ------------------------------------------------------------------------------------------
# values
# ------------------------------------------------------------------------------------------
@record
class Obligation:
    """A return HMRC expects: its period key, dates, due date, and whether it is met."""

    period_key: str
    start: date
    end: date
    due: date
    status: str  # "O" open, "F" fulfilled
    received: date | None = None

    @property
    def open(self) -> bool:
        return self.status == "O"

    @property
    def status_word(self) -> str:
        return "open" if self.open else "fulfilled"


@record
class Receipt:
    """What HMRC answered a submitted return with (body fields under HMRC's own names)."""

    processing_date: str
    form_bundle_number: str
    payment_indicator: str | None = None
    charge_ref_number: str | None = None
    receipt_id: str | None = None
    receipt_timestamp: str | None = None
    correlation_id: str | None = None

    def fields(self) -> dict[str, str]:
        """HMRC's names -> values, those present only, in a fixed order."""
        pairs = (("processingDate", self.processing_date), ("formBundleNumber", self.form_bundle_number),
                 ("paymentIndicator", self.payment_indicator), ("chargeRefNumber", self.charge_ref_number),
                 ("Receipt-ID", self.receipt_id), ("Receipt-Timestamp", self.receipt_timestamp),
                 ("X-CorrelationId", self.correlation_id))
        return {k: v for k, v in pairs if v is not None}


def vrn_for(settings: Settings, vat_number: str | None) -> str:
    """The nine-digit VRN the API is called for: the practice's UK VAT number (`GB` + 9 digits,
    or 12 for a branch, whose first 9 are the VRN). In the sandbox, the test user's VRN from the
    settings takes its place, because HMRC's sandbox knows only its test users."""
    if settings.environment == "sandbox" and settings.sandbox_vrn:
        return settings.sandbox_vrn
    compact = re.sub(r"[\s.-]", "", vat_number or "").upper()
    m = re.fullmatch(r"(?:GB)?(\d{9})(\d{3})?", compact)
    if not m:
        what = f"'{vat_number}' is not a UK VAT number" if vat_number else "it has no vat_number"
        raise ConsultError(f"practice.yaml: {what}; Making Tax Digital for VAT needs the practice's "
                           "UK VAT registration number (GB and 9 digits)")
    return m[1]


def connect(vat_number: str | None, *, need_credentials: bool = True) -> VatApi:
    """The API as the user's settings configure it, for the practice's VAT number. Missing
    application credentials are said first: nothing else can work without them."""
    settings = load_settings()
    if need_credentials:
        settings.credentials()
    return VatApi(settings, vrn_for(settings, vat_number))


def json_body(value: Any) -> bytes:
    """JSON with every `Decimal` written as a number from its exact text (never via a float:
    `Decimal('0.10')` stays `0.10`, `Decimal('99999999999.99')` loses no digit)."""

    def enc(v: Any) -> str:
        if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
            import json

            return json.dumps(v)
        if isinstance(v, Decimal):
            if not v.is_finite():
                raise ValueError(f"{v} is not a number HMRC accepts")
            return format(v, "f")
        if isinstance(v, Mapping):
            return "{" + ",".join(f"{enc(str(k))}:{enc(x)}" for k, x in v.items()) + "}"
        if isinstance(v, (list, tuple)):
            return "[" + ",".join(enc(x) for x in v) + "]"
        raise TypeError(f"cannot write {type(v).__name__} as JSON for HMRC (floats are refused on purpose)")

    return enc(value).encode("utf-8")


# ------------------------------------------------------------------------------------------
# fraud-prevention headers (connection method DESKTOP_APP_DIRECT)
# ------------------------------------------------------------------------------------------
def _pct(text: str) -> str:
    """Percent-encode everything but the unreserved characters (HMRC: keys, values and list
    items are percent-encoded; the separators `=`, `&` and `,` are not)."""
    return urllib.parse.quote(text, safe="")


def _kv(pairs: Mapping[str, str | int | None]) -> str:
    return "&".join(f"{_pct(k)}={_pct(str(v))}" for k, v in pairs.items() if v is not None)


def device_id() -> str:
    """A UUID made once for this device and kept in the config folder (HMRC: generated by the
    application, stored persistently, never expiring; a new one if the user deletes it)."""
    path = config_dir() / "device-id"
    text = read_private(path)
    if text is not None:
        with contextlib.suppress(ValueError):
            return str(uuid.UUID(text.strip()))
    new = str(uuid.uuid4())
    write_private(path, new + "\n")
    return new


def local_ips() -> list[str]:
    """Every IPv4 and IPv6 address of this device's interfaces, loopback excluded."""
    import ipaddress

    found: list[str] = []
    if sys.platform.startswith("linux"):
        import fcntl
        import struct

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _, name in socket.if_nameindex():
                with contextlib.suppress(OSError):
                    req = struct.pack("256s", name.encode()[:15])
                    found.append(socket.inet_ntoa(fcntl.ioctl(s.fileno(), 0x8915, req)[20:24]))  # SIOCGIFADDR
        with contextlib.suppress(OSError), open("/proc/net/if_inet6", encoding="ascii") as fh:
            for line in fh:
                if line.split():
                    found.append(str(ipaddress.IPv6Address(bytes.fromhex(line.split()[0]))))
    else:  # pragma: no cover - platform branch
        found = _ifconfig(r"inet6?\s+(?:addr:)?([0-9a-fA-F.:]+)")
        if not found:
            with contextlib.suppress(OSError):
                found = [str(a[4][0]) for a in socket.getaddrinfo(socket.gethostname(), None)]
    out: list[str] = []
    for a in found:
        with contextlib.suppress(ValueError):
            ip = ipaddress.ip_address(a.split("%")[0])
            if not ip.is_loopback and not ip.is_unspecified and str(ip) not in out:
                out.append(str(ip))
    return out


def mac_addresses() -> list[str]:
    """The hardware addresses of this device's interfaces (none all-zero; loopback has none)."""
    macs: list[str] = []
    net = Path("/sys/class/net")
    if net.is_dir():
        for iface in sorted(net.iterdir()):
            with contextlib.suppress(OSError):
                macs.append((iface / "address").read_text(encoding="ascii").strip().lower())
    else:  # pragma: no cover - platform branch
        macs = [m.lower() for m in _ifconfig(r"(?:ether|HWaddr)\s+([0-9a-fA-F:]{17})")]
        node = uuid.getnode()
        if not macs and not node & (1 << 40):  # the multicast bit marks a random stand-in
            macs = [":".join(f"{(node >> s) & 0xFF:02x}" for s in range(40, -1, -8))]
    good = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
    return list(dict.fromkeys(m for m in macs if good.fullmatch(m) and m != "00:00:00:00:00:00"))


def _ifconfig(pattern: str) -> list[str]:  # pragma: no cover - macOS and BSD
    try:
        out = subprocess.run(["ifconfig"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return re.findall(pattern, out)


def _first_line(path: str) -> str | None:
    with contextlib.suppress(OSError):
        text = Path(path).read_text(encoding="utf-8", errors="replace").strip()
        return text or None
    return None


def user_agent() -> dict[str, str]:
    """os-family, os-version, device-manufacturer and device-model of this device; a value that
    cannot be read is left empty (HMRC allows an applicable key with an empty value)."""
    system = platform.system()
    if system == "Darwin":  # pragma: no cover - platform branch
        family, version, maker = "macOS", platform.mac_ver()[0], "Apple Inc."
        model = ""
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            model = subprocess.run(["sysctl", "-n", "hw.model"], capture_output=True, text=True,
                                   timeout=5).stdout.strip()
    elif system == "Windows":  # pragma: no cover - platform branch
        family, version, maker, model = "Windows", platform.version(), "", ""
    else:
        family, version = system or "", platform.release()
        maker = _first_line("/sys/class/dmi/id/sys_vendor") or ""
        model = _first_line("/sys/class/dmi/id/product_name") or ""
    return {"os-family": family, "os-version": version, "device-manufacturer": maker, "device-model": model}


def screens() -> list[dict[str, int]]:
    """Width and height (pixels) of each screen, where a display server tells them (X11 via
    `xrandr`); empty for a session without one (a server, an SSH login)."""
    import os
    import shutil

    if not (sys.platform.startswith("linux") and os.environ.get("DISPLAY") and shutil.which("xrandr")):
        return []  # pragma: no cover - the macOS/Windows calls are not made: nothing honest to send
    try:  # pragma: no cover - needs a display
        out = subprocess.run(["xrandr", "--current"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):  # pragma: no cover
        return []
    return [{"width": int(w), "height": int(h)}  # pragma: no cover
            for w, h in re.findall(r" connected (?:primary )?(\d+)x(\d+)\+", out) if int(w) > 0 and int(h) > 0]


def window_size() -> dict[str, int] | None:
    """The terminal window's size in pixels, when the terminal reports it (TIOCGWINSZ); None
    when it does not (many report only rows and columns, and a pipe reports nothing)."""
    if sys.platform == "win32":  # pragma: no cover
        return None
    import fcntl
    import struct
    import termios

    for stream in (sys.stdout, sys.stderr, sys.stdin):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            packed = fcntl.ioctl(stream.fileno(), termios.TIOCGWINSZ, b"\0" * 8)
            _, _, xpix, ypix = struct.unpack("HHHH", packed)
            if xpix > 0 and ypix > 0:
                return {"width": xpix, "height": ypix}
    return None


def _timezone(now: datetime) -> str:
    off = now.astimezone().utcoffset()
    minutes = int(off.total_seconds() // 60) if off is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def fraud_headers(now: datetime | None = None) -> dict[str, str]:
    """HMRC's fraud-prevention headers for `DESKTOP_APP_DIRECT`, collected now.

    Left out, because consult cannot collect an honest value: `Gov-Client-Multi-Factor`
    (consult has no sign-in of its own), `Gov-Vendor-License-IDs` (it has no licence keys),
    `Gov-Client-Screens` without a display server, `Gov-Client-Window-Size` when the terminal
    does not report pixels, and any list that comes out empty."""
    now = now or datetime.now(timezone.utc)
    h: dict[str, str] = {
        "Gov-Client-Connection-Method": CONNECTION_METHOD,
        "Gov-Client-Device-ID": device_id(),
        "Gov-Client-Timezone": _timezone(now),
        "Gov-Client-User-Agent": _kv(user_agent()),
        "Gov-Vendor-Product-Name": _pct(PRODUCT),
        "Gov-Vendor-Version": _kv({PRODUCT: __version__}),
    }
    with contextlib.suppress(Exception):
        h["Gov-Client-User-IDs"] = _kv({"os": getpass.getuser()})
    ips = local_ips()
    stamp = datetime.now(timezone.utc)
    if ips:
        h["Gov-Client-Local-IPs"] = ",".join(_pct(ip) for ip in ips)
        h["Gov-Client-Local-IPs-Timestamp"] = stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    if macs := mac_addresses():
        h["Gov-Client-MAC-Addresses"] = ",".join(_pct(m) for m in macs)
    if shown := screens():  # pragma: no cover - needs a display
        h["Gov-Client-Screens"] = ",".join(_kv(s) for s in shown)
    if (win := window_size()) is not None:  # pragma: no cover - needs a terminal that reports pixels
        h["Gov-Client-Window-Size"] = _kv(win)
    return h


# ------------------------------------------------------------------------------------------
# the API
# ------------------------------------------------------------------------------------------
class VatApi:
    """The VAT (MTD) API for one VRN, as one authorised user of one application.

    `headers` makes the fraud-prevention headers (collected afresh for each request); `now`
    is the wall clock unless a test gives one. An access token HMRC refuses (401) is renewed
    once with the refresh token and the request sent again — safe for the POST too, because
    HMRC processed nothing it answered 401.
    """

    def __init__(self, settings: Settings, vrn: str, *, tokens: TokenStore | None = None,
                 headers: Callable[[], dict[str, str]] = fraud_headers, now: datetime | None = None):
        self.settings = settings
        self.vrn = vrn
        self.tokens = tokens or TokenStore(settings, vrn)
        self.headers = headers
        self.now = now

    # --- endpoints ------------------------------------------------------------------------
    def obligations(self, *, status: str | None = None, start: date | None = None,
                    end: date | None = None) -> list[Obligation]:
        query: dict[str, str] = {}
        if start is not None and end is not None:
            query.update({"from": start.isoformat(), "to": end.isoformat()})
        if status is not None:
            query["status"] = status
        answer = self._call("GET", "obligations", query)
        if answer.status == 404:
            return []  # HMRC: no obligations in that range
        body = self._ok(answer, 200, "listing obligations")
        try:
            rows = body["obligations"]
            return sorted((_obligation(r) for r in rows), key=lambda o: (o.start, o.period_key))
        except (KeyError, TypeError, ValueError) as e:
            raise MtdError(f"{self.settings.label} answered the obligations request with something consult "
                           f"cannot read ({e})") from None

    def submit(self, body: Mapping[str, Any]) -> Receipt:
        try:
            answer = self._call("POST", "returns", body=json_body(body), timeout=SUBMIT_TIMEOUT)
        except HttpFailure as e:
            if not e.sent:
                raise
            raise OutcomeUnknown(f"{e}; the return may or may not have reached HMRC") from None
        if answer.status >= 500:
            raise OutcomeUnknown(f"{self.settings.label} failed while taking the return (HTTP {answer.status}); "
                                 "it may or may not have been recorded", status=answer.status)
        data = self._ok(answer, 201, "submitting the return")
        try:
            return Receipt(
                processing_date=str(data["processingDate"]), form_bundle_number=str(data["formBundleNumber"]),
                payment_indicator=_opt(data.get("paymentIndicator")),
                charge_ref_number=_opt(data.get("chargeRefNumber")),
                receipt_id=answer.headers.get("Receipt-ID"), receipt_timestamp=answer.headers.get("Receipt-Timestamp"),
                correlation_id=answer.headers.get("X-CorrelationId"))
        except (KeyError, TypeError):
            raise OutcomeUnknown(f"{self.settings.label} accepted the return (HTTP {answer.status}) but its receipt "
                                 "has no processingDate or formBundleNumber") from None

    def view(self, period_key: str) -> dict[str, Any] | None:
        """The return HMRC holds for `period_key`, or None when it holds none."""
        answer = self._call("GET", f"returns/{urllib.parse.quote(period_key, safe='')}")
        if answer.status == 404:
            return None
        data = self._ok(answer, 200, f"reading the return {period_key}")
        return dict(data)

    # --- plumbing -------------------------------------------------------------------------
    def _call(self, method: str, path: str, query: Mapping[str, str] | None = None, *,
              body: bytes | None = None, timeout: float = 30.0) -> HttpAnswer:
        url = f"{self.settings.api_url}/organisations/vat/{self.vrn}/{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        force = False
        for _attempt in (1, 2):
            token = self.tokens.current(self.now, force_refresh=force)
            headers = {**self.headers(), "Accept": ACCEPT, "Authorization": f"Bearer {token.access_token}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            answer = http(method, url, headers=headers, data=body, timeout=timeout, what=self.settings.label)
            if answer.status != 401:
                return answer
            force = True
        raise NotAuthorised(f"{self.settings.label} does not accept consult's authorisation for VAT number "
                            f"{self.vrn} (HTTP 401{_said(answer)}): run `consult vat login`")

    def _ok(self, answer: HttpAnswer, expected: int, doing: str) -> Any:
        body = answer.json()
        if answer.status == expected and isinstance(body, dict):
            return body
        code = body.get("code") if isinstance(body, dict) else None
        where = f"{self.settings.label}, {doing} for VAT number {self.vrn}"
        if code == "DUPLICATE_SUBMISSION":
            raise DuplicateSubmission(f"{where}: HMRC already holds a return for this period "
                                      "(DUPLICATE_SUBMISSION)", code, answer.status)
        if code == "CLIENT_OR_AGENT_NOT_AUTHORISED":
            raise NotAuthorised(f"{where}: the HMRC sign-in consult was authorised with may not act for this "
                                "VAT number (CLIENT_OR_AGENT_NOT_AUTHORISED); run `consult vat login` and sign in "
                                "as the business (or its agent)")
        if answer.status == 429:
            raise MtdError(f"{where}: HMRC asks consult to slow down (HTTP 429); try again in a minute",
                           code, answer.status)
        if answer.status == expected:
            raise MtdError(f"{where}: HMRC's answer is not the JSON the API promises", code, answer.status)
        raise MtdError(f"{where}: HMRC refused (HTTP {answer.status}{_said(answer)})", code, answer.status)


def _said(answer: HttpAnswer) -> str:
    body = answer.json()
    if isinstance(body, dict) and (body.get("code") or body.get("message")):
        return f": {body.get('code', '')} {body.get('message', '')}".rstrip()
    text = answer.body.decode("utf-8", "replace").strip()
    return f": {text[:200]}" if text else ""


def _opt(v: Any) -> str | None:
    return None if v is None else str(v)


def _obligation(r: Mapping[str, Any]) -> Obligation:
    received = r.get("received")
    return Obligation(period_key=str(r["periodKey"]), start=date.fromisoformat(str(r["start"])),
                      end=date.fromisoformat(str(r["end"])), due=date.fromisoformat(str(r["due"])),
                      status=str(r["status"]), received=date.fromisoformat(str(received)) if received else None)
