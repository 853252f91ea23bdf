"""The runner's snapshot of a workload module's globals: simple values only, nothing evaluated."""
from __future__ import annotations

import enum
import types

from conctui.runner.memory import MAX_CHARS, changes, snapshot, views


class Sneaky(list):
    """A list whose Python-level methods must never run during a snapshot."""

    def __len__(self) -> int:
        raise AssertionError("snapshot called a user's __len__")

    def __eq__(self, other: object) -> bool:
        raise AssertionError("snapshot compared with a user's __eq__")

    __hash__ = None  # type: ignore[assignment]


class Colour(enum.IntEnum):
    RED = 1


def _module(**names: object) -> types.ModuleType:
    module = types.ModuleType("user_tasks")
    module.__dict__.update(names)
    return module


def test_numbers_strings_bools_and_container_lengths_are_kept_the_rest_skipped() -> None:
    module = _module(counter=3, ratio=0.5, name="x" * (MAX_CHARS + 10), done=True, items=[1, 2],
                     table={"a": 1}, seen={1, 2, 3}, frozen=frozenset(), _private=1, os=types,
                     run=lambda: None, Worker=Colour, colour=Colour.RED, pair=(1, 2), nothing=None,
                     sneaky=Sneaky([1, 2, 3]))
    shown = snapshot(module)
    assert shown == {"counter": 3, "ratio": 0.5, "name": "x" * MAX_CHARS + "...", "done": True,
                     "items": ["len", 2], "table": ["len", 1], "seen": ["len", 3], "frozen": ["len", 0],
                     "sneaky": ["len", 3]}


def test_a_change_is_by_value_and_type_and_appearing_or_vanishing_names_count() -> None:
    before = {"counter": 0, "flag": 1, "items": ["len", 0], "gone": "x", "same": 2}
    after = {"counter": 5, "flag": True, "items": ["len", 4], "new": 1.5, "same": 2}
    assert changes(before, after) == {"counter": [0, 5], "flag": [1, True], "gone": ["x", None],
                                      "items": [["len", 0], ["len", 4]], "new": [None, 1.5]}


def test_views_add_names_that_changed_elsewhere_even_if_unchanged_here() -> None:
    assert views({"counter": 0, "other": 1}, {"counter": 0, "other": 1}, {"counter", "missing"}) == {
        "counter": [0, 0]}
