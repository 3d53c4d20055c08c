"""`@record`: consult's frozen, slotted dataclasses, made without compiling six methods each.

Every record in consult (a client, an entry, an invoice line, a VAT box…) is an immutable
dataclass: `@dataclass(frozen=True, slots=True)`. Python 3.11 makes each such class by writing
the source of six methods (`__init__`, `__repr__`, `__eq__`, `__hash__`, `__setattr__`,
`__delattr__`) and compiling each with `exec`, about 1.3 ms a class; `consult invoice create`
defines 88 of them before it does anything, about 0.11 s of its 0.69 s (measured 30 November
2026, Python 3.11.7).

`record` asks `dataclasses` for the three methods that need generated code (`__init__` and
the two that make it frozen) and gives the class `__eq__`, `__hash__` and `__repr__` built
from its fields with `operator.attrgetter` — no compiling — with exactly the dataclass
meaning, so nothing else changes:

* `a == b` when both are of the very same class and every field with `compare=True` is equal
  (`NotImplemented` for another class);
* `hash(a)` is the hash of the tuple of the fields with `hash=True`, or `hash=None` and
  `compare=True`;
* `repr(a)` is `Name(field=value!r, …)` over the fields with `repr=True` (the einvoice check's
  verdict cache keys on it);
* `dataclasses.fields`, `replace`, `asdict`, `astuple`, `is_dataclass`, pattern matching,
  pickling and `FrozenInstanceError` work as for any dataclass, since it is one.

A class that writes its own `__eq__`, `__hash__` or `__repr__` keeps it (as with `dataclass`).
Type checkers see `record` as `dataclass(frozen=True)` (PEP 681, `dataclass_transform`).
tests/test_record.py compares every one of these behaviours with `dataclass` itself.
"""

from __future__ import annotations

from dataclasses import Field, dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:
    def dataclass_transform(**_: object) -> Any:
        return lambda f: f

T = TypeVar("T")


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[T]) -> type[T]:
    """The class as `@dataclass(frozen=True, slots=True)`, with its comparisons, hash and repr
    built without compiling (see the module's docstring)."""
    own = cls.__dict__
    wants_eq = "__eq__" not in own
    wants_repr = "__repr__" not in own
    explicit_hash = own.get("__hash__") is not None
    made = dataclass(frozen=True, slots=True, eq=False, repr=False)(cls)
    fs = fields(made)  # type: ignore[arg-type]  # made is a dataclass now
    if wants_eq:
        compared = _getter([f.name for f in fs if f.compare])

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return compared(self) == compared(other)
            return NotImplemented

        _attach(made, __eq__)
    if not explicit_hash:
        hashed = _getter([f.name for f in fs if (f.compare if f.hash is None else f.hash)])

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        _attach(made, __hash__)
    if wants_repr:
        shown = [(f"{f.name}=", attrgetter(f.name)) for f in fs if f.repr]

        def __repr__(self: Any) -> str:
            return f"{self.__class__.__qualname__}({', '.join(label + repr(get(self)) for label, get in shown)})"

        _attach(made, __repr__)
    return made


def _getter(names: list[str]) -> Any:
    """A function giving the tuple of the named attributes (as dataclass code compares them)."""
    if not names:
        return lambda _self: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return attrgetter(*names)


def _attach(cls: type, fn: Any) -> None:
    fn.__qualname__ = f"{cls.__qualname__}.{fn.__name__}"
    setattr(cls, fn.__name__, fn)
