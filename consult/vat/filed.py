"""The books' record of each VAT return sent to HMRC: `vat/submitted/<start>_<end>.yaml`
(production) and `vat/sandbox/<start>_<end>.yaml` (HMRC's sandbox or a test service).

A record holds the boxes as sent, HMRC's receipt, the corrections of earlier returns it carried
(consult.vat.corrections) and the documents its boxes were made of, so that what changed in the
books since can be named. Written by consult.vat.submission (write-once, under the books lock);
read here by everything that needs to know what HMRC holds.
"""

from __future__ import annotations

from dataclasses import field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from consult.books.files import read_mapping, rel
from consult.core.record import record
from consult.errors import BooksError, Problem
from consult.vat.boxes import HMRC_FIELDS, Correction

FOLDERS = {"production": "vat/submitted", "sandbox": "vat/sandbox"}
OBLIGATIONS_NAME = "obligations.yaml"  # the sandbox's obligations, kept beside its records (consult.vat.periods)
PENDING = ".pending.yaml"
RECEIPT_KEYS = ("processingDate", "formBundleNumber", "paymentIndicator", "chargeRefNumber",
                "Receipt-ID", "Receipt-Timestamp", "X-CorrelationId", "received")
RECORD_KEYS = ("environment", "vrn", "period_key", "start", "end", "due", "scheme", "submitted_at",
               "software", "recovered", "receipt", "return", "corrections", "documents")
# a correction of an earlier return carried by this one: the period and the error per VAT box
CORRECTION_KEYS = ("start", "end", "period_key", "vatDueSales", "vatDueAcquisitions", "vatReclaimedCurrPeriod")
# one document's part in the return as sent, so that what changed since can be named
DOCUMENT_KEYS = ("ref", "kind", "date", "box1", "box2", "box4", "box6", "box7", "box8", "box9")
VAT_BOX_FIELDS = {1: "vatDueSales", 2: "vatDueAcquisitions", 4: "vatReclaimedCurrPeriod"}


@record
class SentDocument:
    """One document's part in a return as it was sent (the record's `documents`)."""

    ref: str
    kind: str
    date: date
    boxes: dict[int, Decimal]


@record
class Submitted:
    """A return the books record as submitted (one file under `vat/submitted/` or `vat/sandbox/`).

    `receipt` maps HMRC's names to their values; a `recovered` record (consult stopped before
    writing the receipt) has only HMRC's `received` date there."""

    path: str
    environment: str
    vrn: str
    period_key: str
    start: date
    end: date
    due: date | None
    submitted_at: str
    receipt: dict[str, str]
    boxes: dict[str, Decimal] = field(default_factory=dict)
    recovered: bool = False
    scheme: str | None = None
    corrections: tuple[Correction, ...] = ()
    documents: tuple[SentDocument, ...] | None = None  # None: a record from before consult kept them

    def box(self, n: int) -> Decimal:
        """Box `n` as sent (0 when the record lacks it)."""
        return self.boxes.get(HMRC_FIELDS[n - 1], Decimal(0))

    @property
    def submitted_on(self) -> date | None:
        """The day it was sent (UTC), from `submitted_at`."""
        try:
            return datetime.fromisoformat(self.submitted_at).date()
        except ValueError:
            return None

    @property
    def label(self) -> str:
        return "HMRC production (live)" if self.environment == "production" else "HMRC sandbox"

    def describe(self) -> str:
        """One line naming the receipt, for refusals and listings."""
        r = self.receipt
        if self.recovered:
            return (f"{self.path}: {self.period_key} reached HMRC (received {r.get('received', '?')}); the receipt was "
                    "lost when consult stopped before writing it")
        parts = [f"formBundleNumber {r.get('formBundleNumber', '?')}", f"processingDate {r.get('processingDate', '?')}"]
        if r.get("chargeRefNumber"):
            parts.append(f"chargeRefNumber {r['chargeRefNumber']}")
        return f"{self.path}: {self.period_key} submitted — " + ", ".join(parts)


# ------------------------------------------------------------------------------------------
# the records
# ------------------------------------------------------------------------------------------
def record_path(root: Path, environment: str, start: date, end: date) -> Path:
    return Path(root) / FOLDERS[environment] / f"{start.isoformat()}_{end.isoformat()}.yaml"


def pending_path(root: Path, environment: str, start: date, end: date) -> Path:
    return record_path(root, environment, start, end).with_suffix(PENDING)


def read_record(root: Path, path: Path, problems: list[Problem]) -> Submitted | None:
    """One record, or None with its problems (file, line, field) added."""
    before = len(problems)
    f = read_mapping(root, path, problems)
    if f is None:
        return None
    env = f.choice("environment", tuple(FOLDERS), required=True)
    vrn = f.text("vrn", True)
    key = f.text("period_key", True)
    start, end = f.day("start", True), f.day("end", True)
    due = f.day("due")
    at = f.text("submitted_at") or ""
    recovered = f.boolean("recovered", False)
    receipt: dict[str, str] = {}
    if (r := f.sub("receipt", required=True)) is not None:
        for k in r.map:
            if (v := r.text(k)) is not None:
                receipt[k] = v
        r.done(RECEIPT_KEYS)
        if not recovered and "formBundleNumber" not in receipt:
            r.error(None, "missing formBundleNumber: a submitted return keeps HMRC's receipt")
    boxes: dict[str, Decimal] = {}
    if (b := f.sub("return", required=True)) is not None:
        for name in HMRC_FIELDS:
            if (d := b.decimal(name, True)) is not None:
                boxes[name] = d
        b.done((*HMRC_FIELDS, "periodKey", "finalised"))
    scheme = f.text("scheme")
    corrections = []
    for c in f.items("corrections"):
        cs, ce = c.day("start", True), c.day("end", True)
        deltas = {n: d for n, name in VAT_BOX_FIELDS.items() if (d := c.decimal(name)) is not None}
        c.done(CORRECTION_KEYS)
        if cs and ce:
            corrections.append(Correction(cs, ce, c.text("period_key") or "", rel(root, path), deltas))
    documents: list[SentDocument] | None = None
    if f.has("documents"):
        documents = []
        for item in f.items("documents"):
            ref, kind, day = item.text("ref", True), item.text("kind", True), item.day("date", True)
            amounts = {int(k[3:]): amt for k in DOCUMENT_KEYS
                       if k.startswith("box") and (amt := item.decimal(k)) is not None}
            item.done(DOCUMENT_KEYS)
            if ref and kind and day:
                documents.append(SentDocument(ref, kind, day, amounts))
    f.done(RECORD_KEYS)
    if len(problems) > before or None in (env, vrn, key, start, end):
        return None
    assert env is not None and vrn is not None and key is not None and start is not None and end is not None
    if path.name != f"{start.isoformat()}_{end.isoformat()}.yaml":
        f.error("start", f"the file name says another period; it should be {start.isoformat()}_{end.isoformat()}.yaml")
        return None
    return Submitted(rel(root, path), env, vrn, key, start, end, due, at, receipt, boxes, recovered, scheme,
                     tuple(corrections), None if documents is None else tuple(documents))


def submissions(root: Path, environment: str | None = None) -> tuple[list[Submitted], list[Problem]]:
    """Every record in the books (of one environment, if given), oldest period first."""
    problems: list[Problem] = []
    out: list[Submitted] = []
    for env, folder in FOLDERS.items():
        if environment not in (None, env):
            continue
        d = Path(root) / folder
        for p in sorted(d.glob("*.yaml")) if d.is_dir() else []:
            if p.name.endswith(PENDING) or p.name == OBLIGATIONS_NAME:
                continue
            if (s := read_record(Path(root), p, problems)) is not None:
                out.append(s)
    return sorted(out, key=lambda s: (s.start, s.environment)), problems


def find(root: Path, environment: str, *, start: date | None = None, end: date | None = None,
         period_key: str | None = None) -> Submitted | None:
    """The record for these dates or this period key, if the books have one (a record that
    cannot be read stops the command: better than sending a return twice)."""
    found, problems = submissions(root, environment)
    if problems:
        raise BooksError(problems, "a VAT submission record cannot be read; fix it before submitting")
    for s in found:
        if (start is not None and (s.start, s.end) == (start, end)) or (period_key is not None and s.period_key == period_key):
            return s
    return None
