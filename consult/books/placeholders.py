"""The example values `consult init` writes, which must never reach a client.

`consult init` fills practice.yaml and an example client with values a user is meant to
replace (an address in High Street, `you@example.com`, sort code 12-34-56 and account
12345678). Left in place they would be printed on a numbered invoice as if true, so every
command that issues a document refuses while one remains on it (`issue_problems`), and
`consult check` lists them as warnings (`check_placeholders`) until they are changed — new
books still check without errors, so time can be logged before the invoice details are known.

A value counts as the example while it is *exactly* what init wrote (case and surrounding
space aside); an address while it keeps two of the example's three lines. The values are the
ones in consult.books.init (a test keeps the two in step).
"""

from __future__ import annotations

from consult.core.records import Books, Client
from consult.errors import BooksError, Problem, Source

PRACTICE_EXAMPLES = {
    "name": ("Your Name",),
    "email": ("you@example.com",),
}
PRACTICE_ADDRESS = ("1 High Street", "London", "SW1A 1AA")
BANK_EXAMPLE = ("12-34-56", "12345678")  # sort code and account number, together
CLIENT_EXAMPLES = {
    "name": ("Example Client Ltd",),
    "contact": ("Alex Example",),
    "email": ("accounts@example.com",),
}
CLIENT_ADDRESS = ("2 Market Street", "Leeds", "LS1 1AA")
ENGAGEMENT_EXAMPLES = {"po_number": ("PO-0001",)}
FIX = "the example `consult init` wrote; replace it with yours"


def _same(value: str | None, examples: tuple[str, ...]) -> bool:
    return value is not None and value.strip().casefold() in {e.casefold() for e in examples}


def _address(lines: tuple[str, ...], example: tuple[str, ...]) -> bool:
    kept = {x.strip().casefold() for x in lines} & {e.casefold() for e in example}
    return len(kept) >= 2


def practice_placeholders(books: Books) -> list[Problem]:
    p = books.practice
    where = p.source if p.source.path else Source("practice.yaml")
    where = Source(where.path)
    out = [Problem(where, k, f"'{getattr(p, k)}' is {FIX}", "warning")
           for k, ex in PRACTICE_EXAMPLES.items() if _same(getattr(p, k), ex)]
    if _address(p.address, PRACTICE_ADDRESS):
        out.append(Problem(where, "address", f"'{', '.join(p.address)}' is {FIX}", "warning"))
    for i, b in enumerate(p.banks or (p.bank,)):
        if _same(b.sort_code, BANK_EXAMPLE[:1]) and _same(b.account_number, BANK_EXAMPLE[1:]):
            field = "bank" if len(p.banks) <= 1 else f"bank[{i}]"
            out.append(Problem(where, field, f"sort code {b.sort_code} and account {b.account_number} are the "
                               "examples `consult init` wrote; replace them with yours", "warning"))
    return out


def client_placeholders(books: Books, client: Client) -> list[Problem]:
    where = Source(client.source.path or f"clients/{client.id}/client.yaml")
    out = [Problem(where, k, f"'{getattr(client, k)}' is {FIX}", "warning")
           for k, ex in CLIENT_EXAMPLES.items() if _same(getattr(client, k), ex)]
    if _address(client.address, CLIENT_ADDRESS):
        out.append(Problem(where, "address", f"'{', '.join(client.address)}' is {FIX}", "warning"))
    for e in books.engagements_of(client.id):
        for k, ex in ENGAGEMENT_EXAMPLES.items():
            if _same(getattr(e, k), ex):
                out.append(Problem(Source(e.source.path or f"clients/{client.id}/engagements/{e.id}.yaml"), k,
                                   f"'{getattr(e, k)}' is {FIX}", "warning"))
    return out


def check_placeholders(books: Books) -> list[Problem]:
    """`consult check`: every example value still in the books, as a warning."""
    out = practice_placeholders(books)
    for c in books.clients.values():
        if c.kind == "client":
            out += client_placeholders(books, c)
    return out


def issue_problems(books: Books, client_id: str) -> None:
    """Refuse (BooksError) to issue a document to `client_id` while the practice or that client
    still has an example value from `consult init`."""
    found = practice_placeholders(books)
    if client_id in books.clients:
        found += client_placeholders(books, books.clients[client_id])
    if found:
        raise BooksError([Problem(p.source, p.field, p.message) for p in found],
                         "these values are still the examples `consult init` wrote and would be printed on "
                         "the document; replace them, then issue it (nothing was written)")
