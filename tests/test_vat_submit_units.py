"""The parts of `consult vat submit` that need no HMRC: settings, where tokens live and how,
the exact JSON, the VRN, the fraud-prevention header formats, matching a PERIOD, the checks on
the boxes, the record's round trip, and HMRC's refusals that the test service cannot play."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import date, datetime, timezone
from decimal import Decimal
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from consult.errors import ConflictError, ConsultError, Problem
from consult.vat.boxes import HMRC_FIELDS, VatReturn
from consult.vat.mtd import (
    DuplicateSubmission,
    MtdError,
    Obligation,
    OutcomeUnknown,
    VatApi,
    _timezone,
    fraud_headers,
    json_body,
    vrn_for,
)
from consult.vat.oauth import (
    HttpAnswer,
    NotAuthorised,
    SettingsError,
    Token,
    TokenStore,
    config_dir,
    load_settings,
)
from consult.vat.submission import check_body, match_obligation, read_record, record_text, submit


@pytest.fixture
def config(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "config"
    monkeypatch.setenv("CONSULT_CONFIG_DIR", str(folder))
    return folder


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mtd.yaml").write_text(text)
    return folder / "mtd.yaml"


# ------------------------------------------------------------------------------------------
# settings and the config folder
# ------------------------------------------------------------------------------------------
class TestSettings:
    def test_nothing_set_means_hmrcs_sandbox(self, config):
        s = load_settings()
        assert (s.environment, s.api_url, s.auth_url) == (
            "sandbox", "https://test-api.service.hmrc.gov.uk", "https://test-www.tax.service.gov.uk")
        assert s.redirect_uri == "http://127.0.0.1:8787/callback" and s.label == "HMRC sandbox"

    def test_production_only_by_setting_with_its_own_credentials(self, config):
        _write(config, "environment: production\nsandbox:\n  client_id: s-id\n  client_secret: s-secret\n"
                       "production:\n  client_id: p-id\n  client_secret: p-secret\n")
        s = load_settings()
        assert (s.environment, s.api_url, s.auth_url) == (
            "production", "https://api.service.hmrc.gov.uk", "https://www.tax.service.gov.uk")
        assert s.credentials() == ("p-id", "p-secret") and s.label == "HMRC production (live)"

    @pytest.mark.parametrize(("text", "message"), [
        ("environment: prod\n", "environment: 'prod' is neither sandbox nor production"),
        ("client_ide: x\n", "unknown key 'client_ide' (known: environment, client_id, client_secret, redirect_uri, "
                            "sandbox_vrn, api_url, auth_url)"),
        ("redirect_uri: https://example.com/cb\n", "redirect_uri: 'https://example.com/cb' must be a loopback address"),
        ("sandbox_vrn: 12345\n", "sandbox_vrn: '12345' is not nine digits"),
        ("- a list\n", "expected `key: value` lines"),
        ("environment: [\n", "not valid YAML"),
    ])
    def test_a_bad_setting_names_the_file_and_the_key(self, config, text, message):
        path = _write(config, text)
        with pytest.raises(SettingsError) as e:
            load_settings()
        assert str(e.value).startswith(f"{path}: ") and message in str(e.value)

    def test_the_config_folder_follows_xdg_unless_overridden(self, monkeypatch, tmp_path):
        monkeypatch.delenv("CONSULT_CONFIG_DIR", raising=False)
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
        assert config_dir() == tmp_path / "xdg" / "consult"
        monkeypatch.delenv("XDG_CONFIG_HOME")
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert config_dir() == tmp_path / "home" / ".config" / "consult"
        monkeypatch.setenv("CONSULT_CONFIG_DIR", str(tmp_path / "mine"))
        assert config_dir() == tmp_path / "mine"


class TestTokens:
    def test_a_grant_is_kept_for_its_owner_only(self, config):
        store = TokenStore(load_settings(), "123456789")
        store.save(Token("a", "r", datetime(2026, 11, 22, 12, tzinfo=timezone.utc)))
        assert store.path == config / "mtd-tokens" / "sandbox-123456789.json"
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
        assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
        assert store.load() == Token("a", "r", datetime(2026, 11, 22, 12, tzinfo=timezone.utc))
        assert not [p for p in store.path.parent.iterdir() if p.name.endswith(".tmp")]

    def test_a_grant_others_could_read_is_made_private_again(self, config):
        store = TokenStore(load_settings(), "123456789")
        store.save(Token("a", "r", datetime(2026, 11, 22, 12, tzinfo=timezone.utc)))
        store.path.chmod(0o644)
        store.load()
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600

    def test_a_token_file_consult_did_not_write_is_one_message(self, config):
        store = TokenStore(load_settings(), "123456789")
        store.path.parent.mkdir(parents=True)
        store.path.write_text("{not json")
        with pytest.raises(NotAuthorised, match="is not a token file consult wrote; delete it and run `consult vat login`"):
            store.current()

    def test_a_token_is_renewed_a_minute_before_it_expires(self):
        t = Token("a", "r", datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc))
        assert t.fresh(datetime(2026, 11, 22, 11, 58, 59, tzinfo=timezone.utc))
        assert not t.fresh(datetime(2026, 11, 22, 11, 59, 0, tzinfo=timezone.utc))


# ------------------------------------------------------------------------------------------
# what is sent
# ------------------------------------------------------------------------------------------
def test_json_numbers_keep_their_exact_text():
    """Decimals are written from their text: 0.10 stays 0.10, 99,999,999,999.99 loses no digit
    (as a float it would print 99999999999.99 but 0.1 + 0.2 shows why floats are refused)."""
    body = {"periodKey": "#001", "vatDueSales": Decimal("0.10"), "netVatDue": Decimal("99999999999.99"),
            "totalValueSalesExVAT": Decimal("12167"), "finalised": True, "n": None, "list": [Decimal("-1.50")]}
    assert json_body(body) == (b'{"periodKey":"#001","vatDueSales":0.10,"netVatDue":99999999999.99,'
                               b'"totalValueSalesExVAT":12167,"finalised":true,"n":null,"list":[-1.50]}')
    with pytest.raises(TypeError, match="floats are refused on purpose"):
        json_body({"vatDueSales": 0.1})
    with pytest.raises(ValueError):
        json_body({"vatDueSales": Decimal("NaN")})


def test_the_vrn_is_the_practices_uk_vat_number(config):
    s = load_settings()
    assert vrn_for(s, "GB980780684") == "980780684"
    assert vrn_for(s, "GB 980 7806 84") == "980780684"
    assert vrn_for(s, "GB980780684001") == "980780684"  # a branch: the first nine digits
    with pytest.raises(ConsultError, match="'DE123456789' is not a UK VAT number"):
        vrn_for(s, "DE123456789")
    with pytest.raises(ConsultError, match="it has no vat_number"):
        vrn_for(s, None)
    _write(config, "sandbox_vrn: '666555444'\n")
    assert vrn_for(load_settings(), "GB980780684") == "666555444"  # the sandbox's test user
    _write(config, "environment: production\nsandbox_vrn: '666555444'\n")
    assert vrn_for(load_settings(), "GB980780684") == "980780684"  # never in production


class TestFraudHeaders:
    def test_the_device_id_is_made_once_and_remade_if_deleted(self, config):
        first = fraud_headers()["Gov-Client-Device-ID"]
        assert fraud_headers()["Gov-Client-Device-ID"] == first
        assert stat.S_IMODE((config / "device-id").stat().st_mode) == 0o600
        (config / "device-id").unlink()
        assert fraud_headers()["Gov-Client-Device-ID"] != first

    @pytest.mark.parametrize(("tz", "expected"), [("UTC0", "UTC+00:00"), ("IST-5:30", "UTC+05:30"),
                                                  ("NST3:30", "UTC-03:30")])
    def test_the_timezone_is_the_local_offset_in_hmrcs_form(self, monkeypatch, tz, expected):
        monkeypatch.setenv("TZ", tz)
        time.tzset()
        try:
            assert _timezone(datetime(2026, 11, 22, 12, tzinfo=timezone.utc)) == expected
        finally:
            monkeypatch.undo()
            time.tzset()

    def test_lists_and_key_values_are_percent_encoded_but_not_their_separators(self, config, monkeypatch):
        from consult.vat import mtd

        monkeypatch.setattr(mtd, "local_ips", lambda: ["10.1.2.3", "fc00::1"])
        monkeypatch.setattr(mtd, "mac_addresses", lambda: ["ea:43:1a:5c:4a:2b"])
        monkeypatch.setattr(mtd, "user_agent", lambda: {"os-family": "Linux", "os-version": "6.1.0-18-amd64",
                                                         "device-manufacturer": "Dell Inc.", "device-model": "XPS 13"})
        monkeypatch.setattr(mtd.getpass, "getuser", lambda: "ann smith")
        h = fraud_headers()
        assert h["Gov-Client-Local-IPs"] == "10.1.2.3,fc00%3A%3A1"
        assert h["Gov-Client-MAC-Addresses"] == "ea%3A43%3A1a%3A5c%3A4a%3A2b"
        assert h["Gov-Client-User-Agent"] == ("os-family=Linux&os-version=6.1.0-18-amd64&"
                                              "device-manufacturer=Dell%20Inc.&device-model=XPS%2013")
        assert h["Gov-Client-User-IDs"] == "os=ann%20smith"

    def test_an_empty_list_is_left_out_not_invented(self, config, monkeypatch):
        from consult.vat import mtd

        monkeypatch.setattr(mtd, "local_ips", lambda: [])
        monkeypatch.setattr(mtd, "mac_addresses", lambda: [])
        h = fraud_headers()
        assert not {"Gov-Client-Local-IPs", "Gov-Client-Local-IPs-Timestamp", "Gov-Client-MAC-Addresses"} & set(h)

    def test_this_machines_addresses_exclude_loopback(self):
        from consult.vat.mtd import local_ips, mac_addresses

        assert "127.0.0.1" not in local_ips() and "::1" not in local_ips()
        assert "00:00:00:00:00:00" not in mac_addresses()


# ------------------------------------------------------------------------------------------
# which obligation, which boxes
# ------------------------------------------------------------------------------------------
Q3 = Obligation("26A3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 11, 7), "O")
Q4 = Obligation("#004", date(2026, 10, 1), date(2026, 12, 31), date(2027, 2, 7), "O")
AUG = Obligation("26AH", date(2026, 8, 1), date(2026, 10, 31), date(2026, 12, 7), "O")  # stagger 2


@pytest.mark.parametrize(("period", "expected"), [
    ("2026-Q3", Q3), ("26A3", Q3), ("2026-07-01..2026-09-30", Q3), ("#004", Q4), ("2026-Q4", Q4),
    ("2026-08-01..2026-10-31", AUG), ("2026-Q2", None), ("2026-09", None), ("ZZZZ", None),
])
def test_a_period_names_the_obligation_with_its_dates_or_its_key(period, expected):
    assert match_obligation(period, [Q3, Q4, AUG], today=date(2026, 11, 22)) == expected


def _boxes(*values: str) -> dict[str, Decimal]:
    return dict(zip(HMRC_FIELDS, (Decimal(v) for v in values), strict=True))


def test_boxes_hmrc_would_reject_are_never_sent():
    """Box 3 = 1 + 2 and box 5 = |3 − 4| are HMRC's own checks (VAT_TOTAL_VALUE, VAT_NET_VALUE).
    A repayment return: box 3 100.00, box 4 340.50 → box 5 = |100.00 − 340.50| = 240.50."""
    check_body(_boxes("100.00", "0.00", "100.00", "340.50", "240.50", "500", "1703", "0", "0"))
    with pytest.raises(ConsultError, match=r"box 3 \(100.00\) is not box 1 \+ box 2 \(110.00\); nothing was sent"):
        check_body(_boxes("100.00", "10.00", "100.00", "0.00", "100.00", "0", "0", "0", "0"))
    with pytest.raises(ConsultError, match=r"box 5 \(-240.50\) is not \|box 3 − box 4\| \(240.50\)"):
        check_body(_boxes("100.00", "0.00", "100.00", "340.50", "-240.50", "0", "0", "0", "0"))
    with pytest.raises(ConsultError, match="outside what HMRC accepts"):
        check_body(_boxes("100000000000.00", "0.00", "100000000000.00", "0.00", "100000000000.00", "0", "0", "0", "0"))


def test_a_record_reads_back_exactly(tmp_path):
    body = _boxes("2433.52", "0.00", "2433.52", "240.00", "2193.52", "12167", "1200", "0", "0")
    path = tmp_path / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(record_text(environment="sandbox", vrn="980780684", obligation=Q3, scheme="standard",
                                body={**body, "finalised": True},
                                receipt={"processingDate": "2026-11-22T10:15:03.123Z", "formBundleNumber": "256660290587",
                                         "paymentIndicator": "BANK", "chargeRefNumber": "aCxFaNx0FZsCvyWF"},
                                submitted_at="2026-11-22T10:15:03+00:00"))
    problems: list[Problem] = []
    rec = read_record(tmp_path, path, problems)
    assert problems == [] and rec is not None
    assert rec.boxes == body and rec.period_key == "26A3" and rec.due == date(2026, 11, 7)
    assert rec.describe() == ("vat/sandbox/2026-07-01_2026-09-30.yaml: 26A3 submitted — formBundleNumber 256660290587, "
                              "processingDate 2026-11-22T10:15:03.123Z, chargeRefNumber aCxFaNx0FZsCvyWF")


def test_a_damaged_record_is_reported_with_file_line_and_field(tmp_path):
    path = tmp_path / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml"
    path.parent.mkdir(parents=True)
    path.write_text('environment: sandbox\nvrn: "1"\nperiod_key: "26A3"\nstart: 2026-07-01\nend: 2026-09-30\n'
                    'receipt:\n  processingDate: "x"\nreturn:\n  vatDueSales: lots\n')
    problems: list[Problem] = []
    assert read_record(tmp_path, path, problems) is None
    text = [str(p) for p in problems]
    assert "vat/sandbox/2026-07-01_2026-09-30.yaml:7:3: receipt: missing formBundleNumber: a submitted return keeps " \
           "HMRC's receipt" in text
    assert any(t.startswith("vat/sandbox/2026-07-01_2026-09-30.yaml:9:16: return.vatDueSales: 'lots' is not a number")
               for t in text)


# ------------------------------------------------------------------------------------------
# HMRC's refusals the test service cannot play (it answers 500 to a duplicate)
# ------------------------------------------------------------------------------------------
def test_hmrcs_error_codes_become_messages(config):
    api = VatApi(load_settings(), "123456789")

    def answer(status: int, body: object) -> HttpAnswer:
        return HttpAnswer(status, Message(), json.dumps(body).encode())

    with pytest.raises(DuplicateSubmission, match="HMRC already holds a return for this period"):
        api._ok(answer(403, {"code": "DUPLICATE_SUBMISSION", "message": "dup"}), 201, "submitting")
    with pytest.raises(NotAuthorised, match="may not act for this VAT number"):
        api._ok(answer(403, {"code": "CLIENT_OR_AGENT_NOT_AUTHORISED", "message": "no"}), 200, "listing")
    with pytest.raises(MtdError, match=r"HMRC refused \(HTTP 400: VAT_NET_VALUE netVatDue should be"):
        api._ok(answer(400, {"code": "VAT_NET_VALUE", "message": "netVatDue should be the difference"}), 201, "x")
    with pytest.raises(MtdError, match="slow down"):
        api._ok(answer(429, {"code": "MESSAGE_THROTTLED_OUT"}), 200, "x")


class _Api:
    """HMRC answering one way, for the branches the test service cannot reach."""

    def __init__(self, error: Exception, held: dict[str, object] | None = None):
        self.settings = load_settings()
        self.vrn = "123456789"
        self.error = error
        self.held = held
        self.sent: list[object] = []

    def obligations(self, **_: object) -> list[Obligation]:
        return [Q3]  # still open: HMRC's lists can lag behind a submission

    def view(self, key: str) -> dict[str, object] | None:
        return self.held

    def submit(self, body: object) -> object:
        self.sent.append(body)
        raise self.error


def _stub(error: Exception, held: dict[str, object] | None = None) -> Any:
    """An `_Api` where a `VatApi` is expected (duck-typed: only what `submit` calls)."""
    return _Api(error, held)


def _note(root: Path, netvat: str = "2193.52") -> Path:
    body = {**_boxes("2433.52", "0.00", "2433.52", "240.00", netvat, "12167", "1200", "0", "0"), "finalised": True}
    pending = root / "vat" / "sandbox" / "2026-07-01_2026-09-30.pending.yaml"
    pending.parent.mkdir(parents=True)
    pending.write_text(record_text(environment="sandbox", vrn="123456789", obligation=Q3, scheme="flat_rate", body=body,
                                   receipt={}, submitted_at="2026-11-22T09:00:00+00:00"))
    return pending


def test_an_interrupted_attempt_hmrc_holds_is_recorded_though_its_lists_lag(config, make_books):
    """The period is still listed open, but HMRC holds a return for the key: the earlier attempt
    arrived. It is recorded from the note (its boxes, its scheme) and nothing is sent again."""
    from consult.books.loader import open_books

    books = open_books(make_books())
    pending = _note(books.root)
    api = _stub(AssertionError("must not send"), held={"periodKey": "26A3"})
    with pytest.raises(ConflictError, match="had already reached HMRC: .*26A3 reached HMRC \\(received unknown\\)"):
        submit(books, "2026-Q3", api=api, today=date(2026, 11, 22), confirm=lambda r, o: True, build=_return)
    record = (books.root / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml").read_text()
    assert "recovered: true" in record and 'scheme: "flat_rate"' in record and "netVatDue: 2193.52" in record
    assert not pending.exists() and api.sent == []


def test_a_duplicate_after_an_interrupted_attempt_records_that_attempt(config, make_books):
    """Neither list nor view shows the earlier attempt, so the return is sent again; HMRC answers
    DUPLICATE_SUBMISSION: the earlier attempt arrived after all, and is recorded from its note."""
    from consult.books.loader import open_books

    books = open_books(make_books())
    _note(books.root, netvat="2193.52")
    api = _stub(DuplicateSubmission("dup", "DUPLICATE_SUBMISSION", 403))
    with pytest.raises(ConflictError, match="had already reached HMRC"):
        submit(books, "2026-Q3", api=api, today=date(2026, 11, 22), confirm=lambda r, o: True, build=_return)
    assert len(api.sent) == 1
    assert [p.name for p in (books.root / "vat" / "sandbox").iterdir()] == ["2026-07-01_2026-09-30.yaml"]
    assert "netVatDue: 2193.52" in (books.root / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml").read_text()


def test_a_note_left_beside_its_record_is_named_as_leftover(make_books, run_cli):
    root = make_books()
    _note(root)
    (root / "vat" / "sandbox" / "2026-07-01_2026-09-30.yaml").write_text(
        (root / "vat" / "sandbox" / "2026-07-01_2026-09-30.pending.yaml").read_text().replace(
            "receipt:\n", 'receipt:\n  formBundleNumber: "1"\n'))
    code, out, _ = run_cli("check", books=root)
    assert code == 0
    assert ("vat/sandbox/2026-07-01_2026-09-30.pending.yaml: warning: left over from a submission that is recorded "
            "in 2026-07-01_2026-09-30.yaml; delete this note") in out


def _return(books, start, end) -> VatReturn:
    return VatReturn(start, end, "standard", {3: Decimal(0), 5: Decimal(0)}, date(2026, 11, 7))


def test_a_duplicate_at_hmrc_records_nothing(config, make_books):
    from consult.books.loader import open_books

    books = open_books(make_books())
    err = DuplicateSubmission("HMRC sandbox, submitting: HMRC already holds a return for this period", "DUPLICATE_SUBMISSION", 403)
    with pytest.raises(ConflictError, match="sent some other way — consult recorded nothing and sent nothing"):
        submit(books, "2026-Q3", api=_stub(err), today=date(2026, 11, 22), confirm=lambda r, o: True, build=_return)
    assert not list((books.root / "vat" / "sandbox").iterdir())


def test_no_answer_keeps_the_note_and_says_what_to_do(config, make_books):
    from consult.books.loader import open_books

    books = open_books(make_books())
    err = OutcomeUnknown("HMRC sandbox did not answer within 60 s (https://test-api.service.hmrc.gov.uk); "
                         "the return may or may not have reached HMRC")
    with pytest.raises(OutcomeUnknown) as e:
        submit(books, "2026-Q3", api=_stub(err), today=date(2026, 11, 22), confirm=lambda r, o: True, build=_return)
    assert str(e.value).endswith("consult kept a note (vat/sandbox/2026-07-01_2026-09-30.pending.yaml); run "
                                 "`consult vat submit 2026-Q3` again — it asks HMRC before sending anything")
    assert [p.name for p in (books.root / "vat" / "sandbox").iterdir()] == ["2026-07-01_2026-09-30.pending.yaml"]


def test_a_stray_file_among_the_records_is_a_warning(make_books, run_cli):
    root = make_books({"vat/sandbox/notes.txt": "hello"})
    code, out, _ = run_cli("check", books=root)
    assert "vat/sandbox/notes.txt: warning: not a VAT submission record" in out


def test_no_file_is_left_group_or_world_readable(config):
    store = TokenStore(load_settings(), "123456789")
    store.save(Token("a", "r", datetime(2026, 11, 22, 12, tzinfo=timezone.utc)))
    fraud_headers()
    for p in config.rglob("*"):
        assert not stat.S_IMODE(p.stat().st_mode) & 0o077, p
    assert os.stat(config).st_mode & 0o077 == 0


def test_without_settings_the_first_message_says_how_to_set_up(config, make_books, run_cli):
    """A first `consult vat …` on a new computer: the application credentials are what is
    missing, and the message says where they go (no network is touched)."""
    root = make_books()
    for args in (("vat", "obligations"), ("vat", "submit", "2026-Q3"), ("vat", "login")):
        code, out, err = run_cli(*args, books=root)
        assert (code, out) == (1, "")
        assert err == (f"error: no HMRC application credentials for the sandbox: put `client_id:` and "
                       f"`client_secret:` (from your application on HMRC's Developer Hub) in {config / 'mtd.yaml'} "
                       "— see docs/mtd.md\n")
    code, out, _ = run_cli("vat", "logout", books=root)
    assert (code, out) == (0, "there was no authorisation with HMRC sandbox for VAT number 980780684\n")


def test_obligations_fetched_from_hmrc_are_kept_for_vat_return(make_books):
    """`vat obligations` (production) records HMRC's keys in vat/obligations.yaml; `vat return 26C3`
    then finds the period's dates there without asking HMRC again."""
    from datetime import date

    from consult.vat.mtd import Obligation
    from consult.vat.periods import recorded_obligations
    from consult.vat.submission import record_obligations

    root = make_books()
    ob = Obligation("26C3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 11, 7), "O")
    record_obligations(root, [ob])
    record_obligations(root, [ob])  # the same again changes nothing
    (got,) = recorded_obligations(root)
    assert (got.period_key, got.start, got.end, got.due, got.status) == ("26C3", ob.start, ob.end, ob.due, "O")
    assert (root / "vat/obligations.yaml").read_text().count("26C3") == 1
