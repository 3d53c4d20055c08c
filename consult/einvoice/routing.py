"""What an e-invoice carries that the printed invoice does not: where it goes and how the
buyer files it. Taken from the issued record where it is there, else from the books as they
are now, and every value taken from the books is named with the file it came from.

An issued record is write-once: it holds everything the PDF printed, frozen. Three things an
e-invoice needs are not printed, or not printed in the form EN 16931 wants, and may be
missing from a record issued before the client asked for e-invoices:

* **the participant ids** (BT-34 seller, BT-49 buyer: `peppol_id` in practice.yaml and
  client.yaml). They are delivery addresses, like the email address a PDF is sent to: the
  right one is the current one, so they always come from the books and never from the record
  (records do not hold them).
* **the buyer reference** (BT-10). The record's wins: it was printed. A record without one
  takes the client's current `buyer_reference` (a German or Peppol buyer needs it to route the
  invoice to the right approver; it is not a figure and nothing printed changes).
* **how the address splits** into street, postcode and town (BG-5/BG-8). The printed lines
  are split as they are; only when they cannot be (no line with postcode and town) and the
  current record holds *the same words* broken into lines differently (`Hauptstraße 1,
  20457 Hamburg` printed, `Hauptstraße 1` / `20457 Hamburg` in client.yaml now) is the
  current split used. A different address (the client moved) is never used: the e-invoice
  must say what the invoice said.

Nothing that is printed -- a figure, a name, an address line, the VAT number -- ever comes
from anywhere but the record.
"""

from __future__ import annotations

import re
from pathlib import Path

from consult.core.record import record
from consult.core.records import Books
from consult.einvoice.peppol import PeppolId, PeppolIdError, parse_peppol_id
from consult.einvoice.terms import Address, split_address
from consult.errors import ConsultError, Source
from consult.invoices.record import Invoice

PRACTICE_REL = "practice.yaml"


def client_rel(client_id: str) -> str:
    return f"clients/{client_id}/client.yaml"


@record
class Taken:
    """One value an e-invoice took from the books (not from the issued record)."""

    key: str  # the Routing field it fills: buyer_reference, seller_endpoint, buyer_address...
    what: str  # e.g. "buyer reference (BT-10)"
    value: str
    source: str  # the books file, e.g. clients/hafen-logistik/client.yaml

    def __str__(self) -> str:
        return f"{self.what} {self.value} — from {self.source}"


@record
class Routing:
    """The routing data of one e-invoice (see the module docstring for where each comes from)."""

    buyer_reference: str | None  # BT-10
    seller_endpoint: PeppolId | None  # BT-34 (UBL)
    buyer_endpoint: PeppolId | None  # BT-49 (UBL)
    seller_address: Address  # BG-5
    buyer_address: Address  # BG-8
    taken: tuple[Taken, ...] = ()


def key_source(root: Path | None, rel: str, key: str) -> Source:
    """Where `key` is in the YAML file `rel` (its value's line), else the file itself."""
    from consult.books.yamlsource import YamlProblem, load_yaml

    if root is None:
        return Source(rel)
    try:
        doc = load_yaml((Path(root) / rel).read_text(encoding="utf-8"), rel)
    except (OSError, UnicodeDecodeError, YamlProblem):
        return Source(rel)
    if isinstance(doc, dict) and key in doc:
        v = doc[key]
        return Source(rel, v.line, v.column)
    return Source(rel, getattr(doc, "line", None) or None)


def endpoint(text: str | None, root: Path | None, rel: str) -> PeppolId | None:
    """The participant id written in `rel`, checked; ConsultError names file, line and field."""
    if text is None:
        return None
    try:
        return parse_peppol_id(text, root)
    except PeppolIdError as e:
        raise ConsultError(f"{key_source(root, rel, 'peppol_id')}: peppol_id: {e}") from None


def _words(lines: tuple[str, ...] | list[str]) -> list[str]:
    return re.findall(r"\w+", " ".join(lines).casefold())


def _address(printed: tuple[str, ...], country: str | None, current: tuple[str, ...] | None,
             who: str, rel: str, taken: list[Taken]) -> Address:
    a = split_address(printed, country)
    if a.postcode and a.city or not current or _words(printed) != _words(current):
        return a
    b = split_address(current, country)
    if not (b.postcode and b.city):
        return a
    taken.append(Taken(f"{who}_address", f"{who} address split into street, postcode and town ({'BG-5' if who == 'seller' else 'BG-8'})",
                       f"{', '.join(b.street)} | {b.postcode} | {b.city}", rel))
    return b


def route(inv: Invoice, books: Books | None) -> Routing:
    """The routing data for `inv`: the record's, completed from `books` (None: the record alone)."""
    taken: list[Taken] = []
    root = books.root if books is not None else None
    client = books.clients.get(inv.client) if books is not None else None
    crel = client_rel(inv.client)
    seller = buyer = None
    if books is not None:
        seller = endpoint(books.practice.peppol_id, root, PRACTICE_REL)
        if seller is not None:
            taken.append(Taken("seller_endpoint", "seller Peppol id (BT-34)", str(seller), PRACTICE_REL))
    if client is not None:
        buyer = endpoint(client.peppol_id, root, crel)
        if buyer is not None:
            taken.append(Taken("buyer_endpoint", "buyer Peppol id (BT-49)", str(buyer), crel))
    ref = inv.buyer_reference
    if ref is None and client is not None and client.buyer_reference:
        ref = client.buyer_reference
        taken.append(Taken("buyer_reference", "buyer reference (BT-10)", ref, crel))
    s_addr = _address(inv.seller.address, inv.seller.country, books.practice.address if books else None,
                      "seller", PRACTICE_REL, taken)
    b_addr = _address(inv.buyer.address, inv.buyer.country, client.address if client else None,
                      "buyer", crel, taken)
    return Routing(ref, seller, buyer, s_addr, b_addr, tuple(taken))
