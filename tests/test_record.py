"""`@record` behaves exactly as `@dataclass(frozen=True, slots=True)` — compared here with the
real thing on the same class — so moving consult's records to it changed no construction,
comparison, hash, repr, copy or error anywhere."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from decimal import Decimal

import pytest

from consult.core.record import record


@dataclass(frozen=True, slots=True)
class RefLine:
    a: int
    b: str = "x"
    note: str = field(default="", compare=False, repr=False)
    tags: tuple[str, ...] = ()
    d: Decimal = Decimal("1.50")


@record
class Line:
    a: int
    b: str = "x"
    note: str = field(default="", compare=False, repr=False)
    tags: tuple[str, ...] = ()
    d: Decimal = Decimal("1.50")


def _pair():
    return RefLine, Line


SAMPLES = [dict(a=1), dict(a=1, b="y"), dict(a=1, note="other"), dict(a=2, tags=("t",)), dict(a=1, d=Decimal("1.5"))]


def test_equality_hash_and_repr_are_the_dataclass_ones():
    ref, mine = _pair()
    for x in SAMPLES:
        for y in SAMPLES:
            assert (ref(**x) == ref(**y)) is (mine(**x) == mine(**y))
        assert hash(ref(**x)) == hash(mine(**x))  # the same tuple is hashed
        assert repr(ref(**x)) == "Ref" + repr(mine(**x))  # note (repr=False) left out of both
    assert mine(a=1, note="a") == mine(a=1, note="b")  # compare=False
    assert mine(a=1) != ref(a=1) and mine(a=1).__eq__(ref(a=1)) is NotImplemented  # another class


def test_it_is_a_frozen_slotted_dataclass_with_every_helper_working():
    _, mine = _pair()
    v = mine(a=1, b="y")
    with pytest.raises(FrozenInstanceError):
        v.a = 2  # type: ignore[misc]  # the point: frozen
    with pytest.raises(FrozenInstanceError):
        del v.a  # type: ignore[misc]  # the point: frozen
    assert not hasattr(v, "__dict__") and dataclasses.is_dataclass(v)
    assert [f.name for f in dataclasses.fields(v)] == ["a", "b", "note", "tags", "d"]
    assert dataclasses.replace(v, a=3) == mine(a=3, b="y")
    assert dataclasses.asdict(v)["b"] == "y" and dataclasses.astuple(v)[0] == 1
    assert pickle.loads(pickle.dumps(v)) == v
    assert {v, mine(a=1, b="y", note="z")} == {v}
    match v:
        case mine(1, "y"):  # __match_args__
            pass
        case _:
            pytest.fail("positional pattern did not match")


def test_a_method_the_class_writes_itself_is_kept():
    @record
    class Code:
        value: str

        def __repr__(self) -> str:
            return f"<{self.value}>"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Code) and other.value.lower() == self.value.lower()

        def __hash__(self) -> int:
            return hash(self.value.lower())

    assert repr(Code("A")) == "<A>" and Code("A") == Code("a") and hash(Code("A")) == hash(Code("a"))


def test_consults_records_are_made_by_record():
    """The records every command loads come from `record` (the start-up saving is real)."""
    from consult.core.records import Client
    from consult.invoices.record import Invoice

    for cls in (Client, Invoice):
        assert cls.__eq__.__qualname__ == f"{cls.__qualname__}.__eq__"
        assert cls.__eq__.__module__ == "consult.core.record"


@dataclass(frozen=True, slots=True)
class RefBag:
    name: str
    items: list[int] = field(default_factory=list)
    size: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", len(self.items))


@record
class Bag:
    name: str
    items: list[int] = field(default_factory=list)
    size: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", len(self.items))


def test_construction_matches_dataclass_defaults_factories_and_post_init():
    for args, kwargs in [(("a",), {}), (("a", [1, 2]), {}), ((), {"name": "b", "items": [3]})]:
        assert repr(RefBag(*args, **kwargs)) == "Ref" + repr(Bag(*args, **kwargs))
    assert Bag("a").items is not Bag("a").items  # a fresh list each time, as the factory promises
    for bad in [((), {}), (("a", [], 0, 9), {}), (("a",), {"nope": 1})]:
        with pytest.raises(TypeError):
            Bag(*bad[0], **bad[1])
    assert list(inspect.signature(Bag.__init__).parameters) == ["self", "name", "items", "size"]


def test_copies_and_pickles_keep_a_frozen_record_whole():
    v = Bag("a", [1])
    for c in (copy.copy(v), copy.deepcopy(v), pickle.loads(pickle.dumps(v, protocol=2))):
        assert c == v and c is not v and c.items == [1]
        with pytest.raises(FrozenInstanceError):
            c.name = "b"  # type: ignore[misc]  # the point: frozen
