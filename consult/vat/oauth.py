"""Authorising consult with HMRC: the OAuth 2.0 authorisation-code grant, a redirect to
127.0.0.1, and the refresh of an expired access token.

Why each piece is as it is (sources in docs/mtd.md):

* HMRC's user-restricted endpoints — the VAT (MTD) API is one — take an access token from the
  authorisation-code grant. It lasts 4 hours; a *single-use* refresh token renews it, for 18
  months, after which the user must authorise again (HMRC Developer Hub, "User-restricted
  endpoints"). HMRC supports PKCE, so consult sends an S256 code challenge as well as a `state`.
* A desktop program receives the code on a loopback redirect (RFC 8252 §7.3): consult listens on
  127.0.0.1 only, for the one path of the redirect URI, and accepts only its own `state`.
* Tokens and the application's client secret belong to the person at this computer, not to the
  practice: they live in the user's config folder (`$XDG_CONFIG_HOME/consult/` or the platform's
  equivalent; `CONSULT_CONFIG_DIR` overrides it), never in the books, which are shared and kept
  in git. Token files are 0600 and written atomically; a refresh saves the new refresh token
  before anything else happens, under a lock, so two commands never both spend the same one.
* Sandbox is the default. Production is chosen in the settings file (`environment:
  production`) because the environment goes with the application's credentials, which HMRC
  issues separately for sandbox and production and which also live there.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from consult.core.record import record
from consult.errors import ConsultError

if TYPE_CHECKING:
    from email.message import Message

SETTINGS_FILE = "mtd.yaml"
ENVIRONMENTS = ("sandbox", "production")
# HMRC's published base URLs (VAT (MTD) API v1.0; "User-restricted endpoints")
API_URLS = {"sandbox": "https://test-api.service.hmrc.gov.uk", "production": "https://api.service.hmrc.gov.uk"}
AUTH_URLS = {"sandbox": "https://test-www.tax.service.gov.uk", "production": "https://www.tax.service.gov.uk"}
SCOPE = "read:vat write:vat"
DEFAULT_REDIRECT = "http://127.0.0.1:8787/callback"
REFRESH_MARGIN = timedelta(seconds=60)  # renew a token this close to its expiry, not after it
HTTP_TIMEOUT = 30.0
SETTINGS_KEYS = ("environment", "client_id", "client_secret", "redirect_uri", "sandbox_vrn",
                 "api_url", "auth_url")


class NotAuthorised(ConsultError):
    """consult holds no usable authorisation from HMRC; the message says how to get one."""


class SettingsError(ConsultError):
    """The MTD settings file (not the books) is missing something or has a bad value."""


class HttpFailure(ConsultError):
    """No HTTP answer came back. `sent` is False when the request surely never left (the
    connection was refused or the name did not resolve): only then is a retry sure to be safe."""

    def __init__(self, message: str, sent: bool):
        super().__init__(message)
        self.sent = sent


# ------------------------------------------------------------------------------------------
# where things live
# ------------------------------------------------------------------------------------------
def config_dir() -> Path:
    """The user's config folder for consult: `$CONSULT_CONFIG_DIR`, else the platform's place
    (`$XDG_CONFIG_HOME/consult` or `~/.config/consult`; `~/Library/Application Support/consult`
    on macOS; `%APPDATA%\\consult` on Windows)."""
    if explicit := os.environ.get("CONSULT_CONFIG_DIR"):
        return Path(explicit)
    if sys.platform == "win32":  # pragma: no cover - platform branch
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "consult"
    if sys.platform == "darwin":  # pragma: no cover - platform branch
        return Path.home() / "Library" / "Application Support" / "consult"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "consult"


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can enter (0700), made if missing."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    return path


def write_private(path: Path, data: str) -> None:
    """Replace `path` with `data`, readable by its owner only (0600), all or nothing: a temp
    file in the same folder, created 0600 before a byte is written, fsynced, then renamed."""
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise ConsultError(f"could not write {path}: {e.strerror or e}; nothing was changed") from None


def read_private(path: Path) -> str | None:
    """The text of a private file, or None if it does not exist. A file others could read is
    made private again (0600) before it is trusted."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    if st.st_mode & 0o077:
        with contextlib.suppress(OSError):
            path.chmod(0o600)
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------
# settings: which HMRC, as which application
# ------------------------------------------------------------------------------------------
@record
class Settings:
    """How consult talks to HMRC, from `<config>/mtd.yaml`.

    Attributes:
        environment: `sandbox` (default) or `production`.
        client_id, client_secret: the credentials of the application registered on HMRC's
            Developer Hub (one pair for sandbox, another for production).
        redirect_uri: the loopback address registered with that application.
        sandbox_vrn: in the sandbox, the VRN of HMRC's test user (the practice's own VRN is not
            known there); ignored in production, where only the practice's VRN is used.
        api_url, auth_url: the API and sign-in bases (HMRC's by default; a local test service
            in tests).
        path: the file they came from (for messages).
    """

    environment: str
    client_id: str | None
    client_secret: str | None
    redirect_uri: str
    sandbox_vrn: str | None
    api_url: str
    auth_url: str
    path: Path

    @property
    def label(self) -> str:
        """`HMRC sandbox` or `HMRC production (live)`, for every message that names the target."""
        return "HMRC production (live)" if self.environment == "production" else "HMRC sandbox"

    def credentials(self) -> tuple[str, str]:
        if not self.client_id or not self.client_secret:
            raise SettingsError(
                f"no HMRC application credentials for the {self.environment}: put `client_id:` and "
                f"`client_secret:` (from your application on HMRC's Developer Hub) in {self.path} "
                "— see docs/mtd.md")
        return self.client_id, self.client_secret


def load_settings() -> Settings:
    """The settings file, checked: every problem names the file and the key."""
    import yaml

    path = config_dir() / SETTINGS_FILE
    raw: Any = {}
    text = read_private(path)
    if text is not None:
        try:
            raw = yaml.safe_load(text) or {}
        except yaml.YAMLError as e:
            raise SettingsError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
        if not isinstance(raw, dict):
            raise SettingsError(f"{path}: expected `key: value` lines (environment, client_id, client_secret…)")
    env = _setting(raw, "environment", path) or "sandbox"
    if env not in ENVIRONMENTS:
        raise SettingsError(f"{path}: environment: '{env}' is neither sandbox nor production")
    section = raw.get(env)
    if section is not None and not isinstance(section, dict):
        raise SettingsError(f"{path}: {env}: expected the keys client_id, client_secret… under it")
    merged = {**{k: v for k, v in raw.items() if k not in ENVIRONMENTS}, **(section or {})}
    for key in merged:
        if key not in SETTINGS_KEYS:
            raise SettingsError(f"{path}: unknown key '{key}' (known: {', '.join(SETTINGS_KEYS)})")
    redirect = _setting(merged, "redirect_uri", path) or DEFAULT_REDIRECT
    parts = urllib.parse.urlsplit(redirect)
    if parts.scheme != "http" or parts.hostname not in ("127.0.0.1", "localhost") or not parts.port:
        raise SettingsError(f"{path}: redirect_uri: '{redirect}' must be a loopback address with a port "
                            f"— e.g. {DEFAULT_REDIRECT} (register the same one with your HMRC application)")
    vrn = _setting(merged, "sandbox_vrn", path)
    if vrn is not None and not (len(vrn) == 9 and vrn.isdigit()):
        raise SettingsError(f"{path}: sandbox_vrn: '{vrn}' is not nine digits — the VRN of your HMRC test user")
    return Settings(
        environment=env, client_id=_setting(merged, "client_id", path),
        client_secret=_setting(merged, "client_secret", path), redirect_uri=redirect,
        sandbox_vrn=vrn,
        api_url=(_setting(merged, "api_url", path) or API_URLS[env]).rstrip("/"),
        auth_url=(_setting(merged, "auth_url", path) or AUTH_URLS[env]).rstrip("/"),
        path=path,
    )


def _setting(raw: Mapping[str, Any], key: str, path: Path) -> str | None:
    v = raw.get(key)
    if v is None:
        return None
    if isinstance(v, (dict, list)):
        raise SettingsError(f"{path}: {key}: expected a single value")
    text = str(v).strip()
    return text or None


# ------------------------------------------------------------------------------------------
# HTTP (standard library only: one request, its answer, and what went wrong in words)
# ------------------------------------------------------------------------------------------
@record
class HttpAnswer:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        """The body as JSON, numbers with a point kept as exact `Decimal`s; None if it is not JSON."""
        from decimal import Decimal

        try:
            return json.loads(self.body.decode("utf-8"), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError):
            return None


def http(method: str, url: str, *, headers: Mapping[str, str] | None = None, data: bytes | None = None,
         timeout: float = HTTP_TIMEOUT, what: str = "HMRC") -> HttpAnswer:
    """Send one request; every HTTP status comes back as an `HttpAnswer` (never raised), and a
    request that got no answer raises `HttpFailure` saying whether it may have been sent."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return HttpAnswer(resp.status, resp.headers, resp.read())
    except urllib.error.HTTPError as e:
        body = e.read() if e.fp is not None else b""
        return HttpAnswer(e.code, e.headers, body)
    except urllib.error.URLError as e:
        # urllib wraps only failures while connecting and writing the request: the server
        # never had a whole request, so nothing was processed
        reason = e.reason
        raise HttpFailure(f"could not reach {what} at {_origin(url)}: {getattr(reason, 'strerror', None) or reason}",
                          sent=False) from None
    except TimeoutError:
        raise HttpFailure(f"{what} did not answer within {timeout:.0f} s ({_origin(url)})", sent=True) from None
    except (ConnectionError, OSError) as e:  # reset or closed mid-answer: it may have arrived
        raise HttpFailure(f"the connection to {what} broke ({_origin(url)}): {e}", sent=True) from None


def _origin(url: str) -> str:
    p = urllib.parse.urlsplit(url)
    return f"{p.scheme}://{p.netloc}"


# ------------------------------------------------------------------------------------------
# tokens
# ------------------------------------------------------------------------------------------
@record
class Token:
    """An HMRC grant: the access token, the single-use refresh token and when access expires (UTC)."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    scope: str = SCOPE

    def fresh(self, now: datetime) -> bool:
        return now + REFRESH_MARGIN < self.expires_at

    def to_json(self) -> str:
        return json.dumps({"access_token": self.access_token, "refresh_token": self.refresh_token,
                           "expires_at": self.expires_at.isoformat(), "scope": self.scope}, indent=2) + "\n"


class TokenStore:
    """The grant for one environment and one VRN, in `<config>/mtd-tokens/<environment>-<vrn>.json`
    (a person may act for more than one business, each with its own grant)."""

    def __init__(self, settings: Settings, vrn: str):
        self.settings = settings
        self.vrn = vrn
        self.path = config_dir() / "mtd-tokens" / f"{settings.environment}-{vrn}.json"

    def load(self) -> Token | None:
        text = read_private(self.path)
        if text is None:
            return None
        try:
            d = json.loads(text)
            expires = datetime.fromisoformat(d["expires_at"])
            if expires.tzinfo is None:
                expires = expires.replace(tzinfo=timezone.utc)
            return Token(str(d["access_token"]), str(d["refresh_token"]), expires, str(d.get("scope", SCOPE)))
        except (ValueError, KeyError, TypeError):
            raise NotAuthorised(f"{self.path} is not a token file consult wrote; delete it and run "
                                "`consult vat login`") from None

    def save(self, token: Token) -> None:
        write_private(self.path, token.to_json())

    def forget(self) -> bool:
        try:
            self.path.unlink()
            return True
        except FileNotFoundError:
            return False

    @contextlib.contextmanager
    def locked(self, timeout: float = 30.0) -> Iterator[None]:
        """Hold the lock on this grant while it is read, spent and saved."""
        lock = private_dir(self.path.parent) / f".{self.path.name}.lock"
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ConsultError(f"another consult command has held {lock} for {timeout:.0f} s; "
                                           "try again when it is done") from None
                    time.sleep(0.02)
            yield
        finally:
            os.close(fd)

    def current(self, now: datetime | None = None, *, force_refresh: bool = False) -> Token:
        """A usable access token: the saved one, or a renewed one when it is (nearly) expired or
        `force_refresh` (HMRC refused it). `now` is the wall clock unless given (tests)."""
        now = now or datetime.now(timezone.utc)
        with self.locked():
            token = self.load()
            if token is None:
                raise NotAuthorised(
                    f"consult is not authorised with {self.settings.label} for VAT number {self.vrn}: "
                    "run `consult vat login` first")
            if token.fresh(now) and not force_refresh:
                return token
            renewed = refresh(self.settings, token, now)
            self.save(renewed)
            return renewed


def _token_request(settings: Settings, fields: dict[str, str], now: datetime, old: Token | None = None) -> Token:
    """POST to HMRC's token endpoint; a Token, or NotAuthorised naming what HMRC said."""
    cid, secret = settings.credentials()
    data = urllib.parse.urlencode({"client_id": cid, "client_secret": secret, **fields}).encode("ascii")
    answer = http("POST", f"{settings.api_url}/oauth/token", data=data,
                  headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
                  what=settings.label)
    body = answer.json()
    if answer.status != 200 or not isinstance(body, dict):
        said = ""
        if isinstance(body, dict) and (body.get("error") or body.get("error_description")):
            said = f" ({body.get('error', '')}: {body.get('error_description', '')})".replace(": )", ")")
        if fields["grant_type"] == "refresh_token":
            raise NotAuthorised(
                f"{settings.label} refused to renew consult's authorisation (HTTP {answer.status}{said}); "
                "it lasts 18 months and may have been withdrawn: run `consult vat login` again")
        raise NotAuthorised(f"{settings.label} refused the authorisation code (HTTP {answer.status}{said}); "
                            "check client_id and client_secret in " + str(settings.path) + " and run "
                            "`consult vat login` again")
    try:
        expires_in = int(body["expires_in"])
        return Token(str(body["access_token"]), str(body.get("refresh_token") or (old and old.refresh_token)),
                     now + timedelta(seconds=expires_in), str(body.get("scope") or SCOPE))
    except (KeyError, ValueError, TypeError):
        raise NotAuthorised(f"{settings.label} answered the token request without a token; "
                            "run `consult vat login` again") from None


def refresh(settings: Settings, token: Token, now: datetime) -> Token:
    """Spend the single-use refresh token for a new grant (the caller saves it at once)."""
    return _token_request(settings, {"grant_type": "refresh_token", "refresh_token": token.refresh_token},
                          now, token)


# ------------------------------------------------------------------------------------------
# the authorisation-code grant with a loopback redirect
# ------------------------------------------------------------------------------------------
def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)[:96]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=")
    return verifier, challenge.decode("ascii")


def authorisation_url(settings: Settings, state: str, challenge: str) -> str:
    cid, _ = settings.credentials()
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": cid, "scope": SCOPE, "state": state,
        "redirect_uri": settings.redirect_uri, "code_challenge": challenge, "code_challenge_method": "S256",
    })
    return f"{settings.auth_url}/oauth/authorize?{query}"


_PAGE = ("<!doctype html><meta charset=utf-8><title>consult</title>"
         "<p>{}</p><p>You can close this tab and go back to the terminal.</p>")


def authorise(settings: Settings, store: TokenStore, *, open_url: Callable[[str], Any],
              timeout: float = 300.0, now: datetime | None = None) -> Token:
    """Send the user to HMRC's sign-in page, wait for the redirect to 127.0.0.1 and exchange
    the code for a grant, saved in `store`.

    The listener is bound before `open_url` runs (in a thread: a browser command may wait for
    the page it opened), and it answers only the redirect path with consult's own `state`:
    anything else gets a 400 and the wait goes on. `timeout` seconds without the redirect is a
    `NotAuthorised` error."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    parts = urllib.parse.urlsplit(settings.redirect_uri)
    state = secrets.token_urlsafe(24)
    verifier, challenge = _pkce()
    url = authorisation_url(settings, state, challenge)
    result: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            u = urllib.parse.urlsplit(self.path)
            q = {k: v[-1] for k, v in urllib.parse.parse_qs(u.query).items()}
            if u.path != (parts.path or "/") or q.get("state") != state or result:
                self._answer(400, "This is not the answer consult is waiting for.")
                return
            result.update(q)
            ok = "code" in q
            self._answer(200 if ok else 400, "consult has the authorisation from HMRC." if ok else
                         f"HMRC did not authorise consult: {q.get('error_description') or q.get('error', '?')}.")

        def _answer(self, status: int, text: str) -> None:
            import html

            page = _PAGE.format(html.escape(text)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, format: str, *args: Any) -> None:
            return

    try:
        server = HTTPServer(("127.0.0.1", parts.port or 80), Handler)
    except OSError as e:
        raise ConsultError(f"cannot listen on 127.0.0.1:{parts.port} for HMRC's redirect ({e.strerror or e}); "
                           f"free that port, or choose another redirect_uri in {settings.path} and register "
                           "it with your HMRC application") from None
    def open_quietly() -> None:
        with contextlib.suppress(Exception):  # no browser: the address is printed, the wait goes on
            open_url(url)

    opener = threading.Thread(target=open_quietly, daemon=True)
    try:
        server.timeout = 0.2
        opener.start()
        deadline = time.monotonic() + timeout
        while not result:
            if time.monotonic() > deadline:
                raise NotAuthorised(f"no answer from HMRC's sign-in page within {timeout:.0f} s; "
                                    "run `consult vat login` again")
            server.handle_request()
    finally:
        server.server_close()
    if "code" not in result:
        why = result.get("error_description") or result.get("error") or "no code"
        raise NotAuthorised(f"{settings.label} did not authorise consult ({why}); run `consult vat login` again")
    token = _token_request(settings, {"grant_type": "authorization_code", "code": result["code"],
                                      "redirect_uri": settings.redirect_uri, "code_verifier": verifier},
                           now or datetime.now(timezone.utc))
    with store.locked():
        store.save(token)
    return token

