"""Every event, declared once: the runner builds them, the engine decodes them, recordings keep them.

Here: how an event or record is declared and checked, and the events a worker process sends (a
worker imports this module); the run's own events and records are in run_events.py. Stdlib only
and imported on both sides of the process boundary: by the runner (package `_conctui_runner`,
any Python >= 3.9) and by the engine (`conctui.engine.events` re-exports it). An event is
checked when it is built, so a field or type mistake in the runner fails where it is made;
`decode` builds the same classes from JSON, so a batch from a runner and a line of a recording
meet the same rules: known types, known fields, sane types and bounds.

Annotations stay strings (`from __future__ import annotations`) and are read by `_kind`,
never evaluated: `float | None` cannot be evaluated on 3.9 and 3.10. A field's annotation
is one of float, int, str, bool, list, dict, or a record (a typed value inside an event, a
JSON object on the wire: PythonInfo), optionally `| None`.

Reacting to an event's type goes through `dispatch(consumer, event)`, which calls the
consumer's `handle_<wire name>(event)`: `grep -rn "def handle_"` lists every reaction.

To add an event, every place to touch:
1. here if a worker process sends it, else in run_events.py: a class under `@event("wire_name")`
   deriving from Event (`t` comes first), with a `check()` for the bounds its types cannot say;
   its name in engine/events.py's re-exports;
2. where it is made: `outbox.emit(Kind, ...)` in the runner (channel.Outbox, in any process
   or sub-interpreter), or conctui's own process (gil_sampler's GilWorkers, the app's
   SweepStarted); a worker's start or end is also found in relayed bytes (channel.STARTED_MARK);
3. where it is read: the fold, through `handler_table`: engine/state.py's `handle_<wire name>`
   (what it changes in the session's state) and engine/model.py's (which panes redraw, its
   log line), and each `handle_<wire name>` method it needs: the runner's Outbox
   (channel.py), RunnerProcess (its end and workers, runner_process.py), the Session (its
   sampler's clock, session.py), the GIL sampler (gil_sampler.py), and a recording's
   prelude and checks (recording.py: by default the latest of its kind per worker is kept
   for a recording started mid-run; a worker event needs Structure's handle_ to check its
   index); the figures and JSON (engine/figures.py, the README's JSON section);
4. its tests: an example in tests/test_events.py (every type must round-trip), its bounds in
   tests/test_runner_schema.py.
To add a field to an existing event: give it a default, so older recordings, which lack it,
still decode; a renamed field is mapped from its old name in RENAMED. Records (PythonInfo) and
what crosses to and from a runner before any event (runner/request.py) use the same checks.
"""
from __future__ import annotations

import math
import reprlib
from collections.abc import Callable
from typing import Any, ClassVar

MAX_T = 1e7  # seconds: about four months of recording
MAX_INDEX = 100_000
MAX_TEXT = 10_000
MAX_INT = 2 ** 63

STATUSES = ("done", "failed", "crashed", "cancelled")


class EventError(ValueError):
    """An event that does not follow the schema: said in one line."""


# ---- field checks ------------------------------------------------------------------------------

def _float(name: str, value: Any) -> float:
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    elif not isinstance(value, float):
        raise EventError("field %r should be float, not %s" % (name, type(value).__name__))
    if not math.isfinite(value) or abs(value) > MAX_T:
        raise EventError("field %r is out of range: %s" % (name, value))
    return value


def _int(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise EventError("field %r should be int, not %s" % (name, type(value).__name__))
    if abs(value) > MAX_INT:
        raise EventError("field %r is out of range: %s" % (name, value))
    return value


def _str(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise EventError("field %r should be str, not %s" % (name, type(value).__name__))
    if len(value) > MAX_TEXT:
        raise EventError("field %r is too long (%d characters)" % (name, len(value)))
    return value


def _plain(kind: type) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise EventError("field %r should be %s, not %s" % (name, kind.__name__, type(value).__name__))
        return value

    return check


CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "float": _float, "int": _int, "str": _str, "bool": _plain(bool), "list": _plain(list), "dict": _plain(dict),
}
FieldCheck = tuple[str, Callable[[str, Any], Any], bool]  # (field name, check, None allowed)


def _kind(annotation: str) -> tuple[Callable[[str, Any], Any], bool]:
    """The check and None-ness of a field from its annotation string, e.g. `float | None`."""
    parts = [part.strip() for part in annotation.split("|")]
    optional = "None" in parts
    names = [part for part in parts if part != "None"]
    if len(names) != 1 or names[0] not in CHECKS:
        raise TypeError("cannot declare a field of type %r" % annotation)
    return CHECKS[names[0]], optional


def _check_fields(holder: Any, prefix: str) -> None:
    """Check every field of an event or record as declared (an int given for a float becomes one)."""
    for name, check, optional in holder.SPEC:
        value = getattr(holder, name)
        if value is None and optional:
            continue
        checked = check("%s.%s" % (prefix, name), value)
        if checked is not value:
            object.__setattr__(holder, name, checked)


class FrozenError(AttributeError):
    """An event or record is never changed once built: make another (`replace`)."""


MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()  # a field with no default


class _Factory:
    """A default made afresh for each event or record, as `field(default_factory=list)` says."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def field(default_factory: Callable[[], Any]) -> Any:
    """A field whose default is `default_factory()`, new for each event (a list, a dict, a record)."""
    return _Factory(default_factory)


class _Compared:
    """Construction, immutability, equality, hash, repr and `replace` over a declared class's fields,
    written once for every event and record: what `dataclass(frozen=True)` would generate per class.
    Not dataclasses: every worker process imports this module, and dataclasses (with the inspect it
    imports) was ~38 M instructions of each one's start-up, and compiled 6 methods per class."""

    FIELDS: ClassVar[tuple[str, ...]] = ()  # the field names, in order
    SPEC: ClassVar[tuple[FieldCheck, ...]] = ()
    INIT: ClassVar[tuple[tuple[str, Any, Any], ...]] = ()  # (name, default, default factory), in order

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(self.INIT):
            raise TypeError("%s takes %d arguments, not %d" % (self.__class__.__name__, len(self.INIT), len(args)))
        for position, (name, default, factory) in enumerate(self.INIT):
            if position < len(args):
                if name in kwargs:
                    raise TypeError("%s got two values for %r" % (self.__class__.__name__, name))
                value = args[position]
            elif name in kwargs:
                value = kwargs.pop(name)
            elif factory is not MISSING:
                value = factory()
            elif default is not MISSING:
                value = default
            else:
                raise TypeError("%s is missing the field %r" % (self.__class__.__name__, name))
            object.__setattr__(self, name, value)
        if kwargs:
            raise TypeError("%s has no field %r" % (self.__class__.__name__, next(iter(kwargs))))
        self.__post_init__()

    def __post_init__(self) -> None:
        """Check the fields: Record and Event say how."""

    def replace(self, **changes: Any) -> Any:
        """A copy with `changes` (checked as any new one is), as `dataclasses.replace` does."""
        return self.__class__(**{**{name: getattr(self, name) for name in self.FIELDS}, **changes})

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenError("cannot assign to field %r" % name)

    def __delattr__(self, name: str) -> None:
        raise FrozenError("cannot delete field %r" % name)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join("%s=%r" % (name, getattr(self, name)) for name in self.FIELDS)
        return "%s(%s)" % (self.__class__.__qualname__, shown)


def _declare(cls: type) -> type:
    """Read a class's fields from its annotations (strings, never evaluated), its bases' first,
    with their defaults; a `field(default_factory=...)` default leaves the class."""
    declared: dict[str, tuple[str, Any, Any]] = {}  # name -> (annotation, default, factory)
    for klass in reversed(cls.__mro__):
        for name, annotation in klass.__dict__.get("__annotations__", {}).items():  # its own, strings
            if annotation.startswith("ClassVar"):
                continue
            default = klass.__dict__.get(name, MISSING)
            if isinstance(default, _Factory):
                declared[name] = (annotation, MISSING, default.make)
                delattr(klass, name)
            else:
                declared[name] = (annotation, default, MISSING)
    cls.FIELDS = tuple(declared)
    cls.SPEC = tuple((name,) + _kind(annotation) for name, (annotation, _, _) in declared.items())
    cls.INIT = tuple((name, default, factory) for name, (_, default, factory) in declared.items())
    cls.RECORDS = tuple(name for name, (annotation, _, _) in declared.items()
                        if annotation.split("|")[0].strip() in RECORDS)
    return cls


# ---- records: typed values inside events --------------------------------------------------------

RECORDS: dict[str, type] = {}  # class name -> record class


class Record(_Compared):
    """A typed value carried inside an event, as a JSON object on the wire, checked like an event.

    From JSON, keys it does not declare are left out (a newer runner's fact this conctui does not
    show) and missing ones take their defaults (an older runner's or recording's)."""

    WHERE: ClassVar[str] = ""
    SPEC: ClassVar[tuple[FieldCheck, ...]] = ()
    RECORDS: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        _check_fields(self, self.WHERE)
        self.check()

    def check(self) -> None:
        """The bounds types cannot say; subclasses extend it."""

    def as_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.FIELDS}
        for name in self.RECORDS:
            data[name] = data[name].as_dict()
        return data

    @classmethod
    def from_json(cls, name: str, value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if not isinstance(value, dict):
            raise EventError("field %r should be an object, not %s" % (name, type(value).__name__))
        return cls(**{key: value[key] for key in cls.FIELDS if key in value})


def record(where: str) -> Callable[[type], type]:
    """Declare a record class: frozen, its fields checked, named `where` in errors."""

    def declare(cls: type) -> type:
        cls.WHERE = where
        cls = _declare(cls)
        RECORDS[cls.__name__] = cls
        CHECKS[cls.__name__] = cls.from_json
        return cls

    return declare


# ---- the events and their registry ---------------------------------------------------------------

TYPES: dict[str, type] = {}  # wire name -> class
# version-1 field names, read as today's (a version-2 writer never writes them)
RENAMED = {"gil": {"held": "cpu", "run_held": "run_cpu", "wait": "probe_wait", "run_wait": "run_probe_wait"}}


class Event(_Compared):
    """What every event has: `t`, seconds since the session started."""

    NAME: ClassVar[str] = ""
    HANDLER: ClassVar[str] = ""  # `handle_` + NAME: the method `dispatch` calls
    SPEC: ClassVar[tuple[FieldCheck, ...]] = ()
    RECORDS: ClassVar[tuple[str, ...]] = ()
    t: float

    def __post_init__(self) -> None:
        _check_fields(self, self.NAME)
        if self.t < 0:
            raise EventError("negative time %s" % self.t)
        self.check()

    def check(self) -> None:
        """The bounds types cannot say; subclasses extend it."""


def event(name: str) -> Callable[[type], type]:
    """Declare an event class under its wire name: frozen, its fields checked."""

    def declare(cls: type) -> type:
        cls.NAME, cls.HANDLER = name, "handle_" + name
        cls = _declare(cls)
        TYPES[name] = cls
        return cls

    return declare


def dispatch(consumer: Any, event: Event) -> bool:
    """Hand `event` to `consumer.handle_<wire name>(event)`, if it has one; False if not.

    The one way any part of conctui reacts to an event's type, in the runner and in the app
    alike: `grep -rn "def handle_run_started"` finds every place a run's start is acted on."""
    handler = getattr(consumer, event.HANDLER, None)
    if handler is None:
        return False
    handler(event)
    return True


def handler_table(namespace: dict[str, Any]) -> dict[type, Callable[..., Any]]:
    """`dispatch` as a table, for code that reacts to every event of a stream and must be fast
    (the app's fold, per event per frame): each event type whose `handle_<wire name>` function
    `namespace` (a module's globals) defines, mapped to that function; `table.get(type(event))`
    is one dict lookup where `dispatch` is a getattr and a bound method."""
    return {kind: namespace[kind.HANDLER] for kind in TYPES.values() if kind.HANDLER in namespace}


def _index(event: Any) -> None:
    if not 0 <= event.index < MAX_INDEX:
        raise EventError("worker index %s is out of range" % event.index)


def _share(event: Any, names: tuple[str, ...], what: str) -> None:
    for name in names:
        value = getattr(event, name)
        if value is not None and not 0 <= value <= 1:
            raise EventError("%s.%s %s is not between 0 and 1" % (what, name, value))


# ---- the events --------------------------------------------------------------------------------

@event("worker_started")
class WorkerStarted(Event):
    index: int
    pid: int
    tid: int
    host: str = ""
    gil_futex: list = field(default_factory=list)  # [first, last) of its process's GIL futex words, or []
    gil_holder: int = 0  # address of its GIL's last_holder word where conctui reads it itself (free-threaded), or 0
    tstate: int = 0  # its thread's PyThreadState, what that word holds while it holds the GIL, or 0
    ident: int = 0  # threading.get_ident(): how py-spy names the thread before 3.11 (no native id there), or 0

    def check(self) -> None:
        _index(self)
        if not (0 <= self.gil_holder < 2**64 and 0 <= self.tstate < 2**64 and 0 <= self.ident < 2**64):
            raise EventError("worker_started.gil_holder, tstate and ident must be addresses")
        if not (self.gil_futex == [] or (len(self.gil_futex) == 2 and all(
                isinstance(a, int) and not isinstance(a, bool) and 0 <= a < 2**64 for a in self.gil_futex))):
            raise EventError("worker_started.gil_futex must be [] or [first, last) addresses")


@event("progress")
class Progress(Event):
    """A worker's latest report(fraction); None: it reports, but not how far it is."""

    index: int
    fraction: float | None

    def check(self) -> None:
        _index(self)
        if self.fraction is not None and not 0 <= self.fraction <= 1:
            raise EventError("progress %s is not between 0 and 1" % self.fraction)


@event("output")
class Output(Event):
    """One line a worker printed, as a terminal would show it (channel.CapturedOutput: a line
    redrawn with carriage returns is what the terminal would show after the last one)."""

    index: int
    line: str

    def check(self) -> None:
        _index(self)


@event("worker_finished")
class WorkerFinished(Event):
    """A worker ended: done, failed (its error), crashed (how it died) or cancelled."""

    index: int
    status: str
    error: str | None = None
    wall_s: float | None = None
    cpu_s: float | None = None
    dropped: int = 0  # printed lines past the cap, counted, never sent
    exitcode: int | None = None
    runq_s: float | None = None  # seconds the worker's thread waited for a free core (Linux)
    ipc: dict | None = None  # how its arguments and return values crossed: calls, in/out bytes and seconds
    memory: dict | None = None  # name -> [at its start, at its end], where the worker has memory of its own

    def check(self) -> None:
        _index(self)
        if self.status not in STATUSES:
            raise EventError("unknown worker status %r" % self.status)
        if self.memory is not None:
            _check_views(self.memory)
        if self.ipc is not None and (set(self.ipc) != IPC_FIELDS or not all(_count(v) for v in self.ipc.values())):
            raise EventError("worker_finished.ipc must hold %s as numbers >= 0" % ", ".join(sorted(IPC_FIELDS)))


MAX_NAMES = 200
IPC_FIELDS = {"calls", "in_bytes", "in_s", "out_bytes", "out_s"}


def _count(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            and 0 <= value <= MAX_INT)


def _simple(value: Any) -> bool:
    """A global's value as memory.py shows it: bool, int, float, str, None or ["len", n]."""
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) <= MAX_INT
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return len(value) <= 200
    return (isinstance(value, list) and len(value) == 2 and value[0] == "len" and isinstance(value[1], int)
            and not isinstance(value[1], bool) and 0 <= value[1] <= MAX_INT)


def _check_views(views: dict) -> None:
    """name -> [before, after] of simple values."""
    if len(views) > MAX_NAMES or not all(
            isinstance(name, str) and len(name) <= 200 and isinstance(pair, list) and len(pair) == 2
            and all(_simple(value) for value in pair) for name, pair in views.items()):
        raise EventError("memory views must map names to [before, after] simple values")


@event("memory")
class Memory(Event):
    """After a run: the parent's view of the workload module's changed globals, and how values crossed.

    parent: name -> [before, after] as the runner (the process that started the workers) saw
    them; a value is a bool, int, float, str, None (absent) or ["len", n] for a container.
    shared: the workers share the parent's memory (sequential, threads, asyncio). expected: a
    built-in's name -> what each worker adds to it (lost updates show against it). carrier_mb_s:
    raw MB/s of the pipe the values crossed, measured on this machine after the run."""

    shared: bool
    crossing: str
    parent: dict
    expected: dict = field(default_factory=dict)
    carrier: str | None = None
    carrier_mb_s: float | None = None

    def check(self) -> None:
        _check_views(self.parent)
        if len(self.expected) > MAX_NAMES or not all(
                isinstance(k, str) and len(k) <= 200 and _count(v) for k, v in self.expected.items()):
            raise EventError("memory.expected must map names to counts")
        if self.carrier_mb_s is not None and not 0 < self.carrier_mb_s < 1e7:
            raise EventError("memory.carrier_mb_s is out of range: %s" % self.carrier_mb_s)


@event("gil")
class GilSample(Event):
    """The GIL probe of the process hosting the workers' threads (runner/gil.py defines it).

    latency_ms: a waking thread's mean wait for the GIL, each time it wants it back;
    probe_wait: the share of the probe's time spent so waiting (not the workers' wait: that is
    sampled, GilWorkers); cpu: that process's CPU per wall second, capped at 1 (not a GIL
    figure). Over the last window, and `run_*` over the run so far. None, with `note` saying
    why, where they do not apply ("own GIL in each worker process", "no GIL: free-threaded
    build with the GIL off"). Version-1 recordings name probe_wait `wait`, cpu `held`."""

    probe_wait: float | None
    cpu: float | None
    latency_ms: float | None
    run_probe_wait: float | None
    run_cpu: float | None
    run_latency_ms: float | None
    period_ms: float
    baseline_ms: float
    note: str | None = None

    def check(self) -> None:
        _share(self, ("probe_wait", "cpu", "run_probe_wait", "run_cpu"), "gil")
        if self.period_ms <= 0 or any(v is not None and v < 0 for v in (self.latency_ms, self.run_latency_ms)):
            raise EventError("gil period and latencies must be positive")


REENABLED_WHEN = ("before", "during")


@event("gil_reenabled")
class GilReenabled(Event):
    """Under a free-threaded build, an import turned the GIL back on (Python's RuntimeWarning):
    which module, and whether before the workers ran (loading the workload) or during the run."""

    module: str
    when: str
    pid: int = 0  # the process whose GIL it is: the runner's, or a worker process's own

    def check(self) -> None:
        if self.when not in REENABLED_WHEN:
            raise EventError("gil_reenabled.when must be before or during, not %r" % self.when)


# ---- the JSON form -----------------------------------------------------------------------------

def encode(event: Event) -> dict[str, Any]:
    """The JSON-ready form: the fields (shared, not copied) plus `type`."""
    data = {name: getattr(event, name) for name in event.FIELDS}
    for name in event.RECORDS:
        data[name] = data[name].as_dict()
    data["type"] = event.NAME
    return data


def decode(data: Any) -> Event:
    """Build an event from its JSON form, or raise EventError saying what is wrong."""
    if not isinstance(data, dict):
        raise EventError("an event must be an object, not %s" % type(data).__name__)
    name = data.get("type")
    cls = TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise EventError("unknown event type %r" % (name,))
    renamed = RENAMED.get(name)
    values = {renamed.get(key, key): value for key, value in data.items()} if renamed else dict(data)
    del values["type"]
    unknown = values.keys() - set(cls.FIELDS)
    if unknown:
        raise EventError("%s: unknown field(s) %s" % (name, ", ".join(sorted(unknown))))
    try:
        return cls(**values)
    except TypeError as exc:  # a required field missing
        raise EventError("%s: %s" % (name, exc)) from None
