"""What a workload module's globals look like, in whichever process (or interpreter) holds a copy.

The memory lesson needs each side's view of the same names: the parent's before and after a
run, and each worker's own copy at its start and end where workers have their own memory.
A snapshot reads the module's namespace and nothing else: it imports nothing, calls no
method of a user's object (a subclass's `__len__` or `__eq__` is never run) and skips names
that start with `_`, modules, functions, classes and every other type.
"""
from __future__ import annotations

from typing import Any

MAX_NAMES = 200  # a module with more simple globals shows its first 200
MAX_CHARS = 60  # a string's value is shown up to here, then cut with "..."
CONTAINERS = (list, dict, set, frozenset)
SCALARS = (bool, int, float, str)

Value = Any  # a bool, int, float or str, or ["len", n] for a container
Snapshot = dict[str, Value]
Change = list[Value]  # [before, after]


def _simple(value: Any) -> Value | None:
    """The value as shown, or None for anything that is not simple. Exact types for scalars
    (an IntEnum member is a constant, not a counter); a container's length through its base
    type's own slot, so a subclass's Python-level __len__ is never called."""
    kind = type(value)
    if kind in SCALARS:
        if kind is str and len(value) > MAX_CHARS:
            return value[:MAX_CHARS] + "..."
        if kind is int and abs(value) > 2 ** 63:
            return float(value)
        return value
    for base in CONTAINERS:
        if base in kind.__mro__:
            return ["len", base.__len__(value)]
    return None


def snapshot(module: Any) -> Snapshot:
    """Name -> simple value of a module's globals (a copy of its dict: workers may be changing it)."""
    namespace = dict(module.__dict__)
    shown: Snapshot = {}
    for name, value in namespace.items():
        if not isinstance(name, str) or name.startswith("_"):
            continue
        simple = _simple(value)
        if simple is not None:
            shown[name] = simple
            if len(shown) >= MAX_NAMES:
                break
    return shown


def changes(before: Snapshot, after: Snapshot) -> dict[str, Change]:
    """The names whose value changed, appeared (before None) or vanished (after None)."""
    names = sorted(set(before) | set(after))
    return {name: [before.get(name), after.get(name)] for name in names
            if _key(before.get(name)) != _key(after.get(name))}


def _key(value: Value) -> tuple[str, Any]:
    """Compare by type too: True == 1 == 1.0 in Python, yet `flag: True -> 1` is a change."""
    return (type(value).__name__, value if not isinstance(value, list) else tuple(value))


def views(before: Snapshot, after: Snapshot, names: Any) -> dict[str, Change]:
    """[before, after] of the given names and of every name that changed here."""
    picked = changes(before, after)
    for name in names:
        if name not in picked and (name in before or name in after):
            picked[name] = [before.get(name), after.get(name)]
    return dict(sorted(picked.items()))
