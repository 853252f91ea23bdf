"""The typed events everything on screen is made of, and their checked JSON form.

Every event carries `t`, seconds since the session started. The same `decode` checks the
runner's batches and recordings read from disk, so a hostile file meets the same rules
as a live run: known types, known fields, sane types and bounds.
"""
from __future__ import annotations

import functools
import math
import types
import typing
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Union

MAX_T = 1e7  # seconds: about four months of recording
MAX_INDEX = 100_000
MAX_TEXT = 10_000


class EventError(ValueError):
    """An event that does not follow the schema: said in one line."""


@dataclass(frozen=True)
class RunStarted:
    t: float
    run: int
    mode: str
    workload: str
    params: dict
    workers: int
    python: dict
    start_method: str
    pid: int
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WorkerStarted:
    t: float
    index: int
    pid: int
    tid: int
    host: str = ""
    gil_futex: list = field(default_factory=list)  # [first, last) of its process's GIL futex words, or []


@dataclass(frozen=True)
class Progress:
    t: float
    index: int
    fraction: float | None


@dataclass(frozen=True)
class Output:
    t: float
    index: int
    line: str


@dataclass(frozen=True)
class WorkerFinished:
    t: float
    index: int
    status: str
    error: str | None = None
    wall_s: float | None = None
    cpu_s: float | None = None
    dropped: int = 0
    exitcode: int | None = None
    runq_s: float | None = None  # seconds the worker's thread waited for a free core (Linux)


@dataclass(frozen=True)
class Sample:
    """Per-core utilisation of one host, plus live CPU seconds and core of each worker."""

    t: float
    cores: list
    workers: list  # [index, cpu_s, core or None]
    app_cpu: float | None  # None: sampled on another host, where conctui itself does not run
    host: str = ""


@dataclass(frozen=True)
class Cluster:
    """A Dask run's cluster and its own costs, reported apart from the run's wall time.

    Sent once it is ready (shutdown_s None, no tasks yet) and again once it is released."""

    t: float
    kind: str  # "local": started and closed by the run; "external": borrowed, left running
    scheduler: str
    workers: int
    threads: int
    dashboard: str | None = None
    startup_s: float | None = None
    shutdown_s: float | None = None
    tasks: list = field(default_factory=list)  # [index, worker address, host, latency_s, result_s]


@dataclass(frozen=True)
class GilSample:
    """The GIL meter of the process hosting the workers' threads (runner/gil.py defines it).

    wait: share of the probe's time spent waiting for the GIL; cpu: that process's CPU per
    wall second, capped at 1 (not a GIL figure; version-1 recordings call it `held`);
    latency_ms: mean wait per wake-up. Over the last window, and `run_*` over the run so far.
    None, with `note` saying why, where they do not apply ("own GIL in each worker process",
    "no GIL: free-threaded build with the GIL off")."""

    t: float
    wait: float | None
    cpu: float | None
    latency_ms: float | None
    run_wait: float | None
    run_cpu: float | None
    run_latency_ms: float | None
    period_ms: float
    baseline_ms: float
    note: str | None = None


@dataclass(frozen=True)
class GilWorkers:
    """Each worker's GIL shares over the run so far, sampled from outside (engine/gil_sampler.py).

    rows: [index, held, wait, off_cpu], each a share 0..1 of the worker's sampled time or None;
    run_held: the workers' held time over the run's sampled time (up to one per GIL: the
    processes mode has one per worker); note: why there are no figures (ptrace refused, no
    GIL, py-spy missing), else None; source: what sampled them; final: the run's last word."""

    t: float
    rows: list
    run_held: float | None = None
    note: str | None = None
    source: str = ""
    final: bool = False


@dataclass(frozen=True)
class RunFinished:
    t: float
    status: str
    wall_s: float
    error: str | None = None


Event = (RunStarted | WorkerStarted | Progress | Output | WorkerFinished | Sample | Cluster | GilSample | GilWorkers
         | RunFinished)
TYPES = {
    "run_started": RunStarted, "worker_started": WorkerStarted, "progress": Progress,
    "output": Output, "worker_finished": WorkerFinished, "sample": Sample, "cluster": Cluster,
    "run_finished": RunFinished,
    "gil": GilSample, "gil_workers": GilWorkers,
}
RENAMED = {"gil": {"held": "cpu", "run_held": "run_cpu"}}  # version-1 field names, read as today's
NAMES = {cls: name for name, cls in TYPES.items()}
STATUSES = {"done", "failed", "crashed", "cancelled"}
RUN_STATUSES = {"done", "error", "cancelled", "crashed", "timeout"}
CLUSTER_KINDS = {"local", "external"}


def encode(event: Event) -> dict:
    data = asdict(event)
    data["type"] = NAMES[type(event)]
    return data


def _check(name: str, value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        if value is None:
            return None
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
        raise EventError(f"field {name!r} should be {hint.__name__}, not {type(value).__name__}")
    if hint is float and (not math.isfinite(value) or abs(value) > MAX_T):
        raise EventError(f"field {name!r} is out of range: {value}")
    if hint is int and abs(value) > 2**63:
        raise EventError(f"field {name!r} is out of range: {value}")
    if hint is str and len(value) > MAX_TEXT:
        raise EventError(f"field {name!r} is too long ({len(value)} characters)")
    return value


def _worker_row(row: Any) -> bool:
    """[index, cpu_s, core or None]: a NaN or negative CPU figure would poison every sum."""
    return (isinstance(row, list) and len(row) == 3 and isinstance(row[0], int) and 0 <= row[0] < MAX_INDEX
            and isinstance(row[1], (int, float)) and math.isfinite(row[1]) and 0 <= row[1] <= MAX_T
            and (row[2] is None or isinstance(row[2], int)))


def _check_values(event: Event) -> None:
    if event.t < 0:
        raise EventError(f"negative time {event.t}")
    index = getattr(event, "index", 0)
    if not 0 <= index < MAX_INDEX:
        raise EventError(f"worker index {index} is out of range")
    if isinstance(event, Progress) and event.fraction is not None and not 0 <= event.fraction <= 1:
        raise EventError(f"progress {event.fraction} is not between 0 and 1")
    if isinstance(event, WorkerFinished) and event.status not in STATUSES:
        raise EventError(f"unknown worker status {event.status!r}")
    if isinstance(event, RunFinished) and event.status not in RUN_STATUSES:
        raise EventError(f"unknown run status {event.status!r}")
    if isinstance(event, RunStarted) and not 1 <= event.workers <= MAX_INDEX:
        raise EventError(f"worker count {event.workers} is out of range")
    if isinstance(event, GilSample):
        for name in ("wait", "cpu", "run_wait", "run_cpu"):
            value = getattr(event, name)
            if value is not None and not 0 <= value <= 1:
                raise EventError(f"gil.{name} {value} is not between 0 and 1")
        if event.period_ms <= 0 or any(v is not None and v < 0 for v in (event.latency_ms, event.run_latency_ms)):
            raise EventError("gil period and latencies must be positive")
    if isinstance(event, Sample):
        if len(event.cores) > 4096 or not all(
            isinstance(c, (int, float)) and 0 <= c <= 100 for c in event.cores
        ):
            raise EventError("core utilisation must be a list of percentages")
        if not all(_worker_row(row) for row in event.workers):
            raise EventError("sample workers must be [index, cpu_s, core] rows")
    if isinstance(event, Cluster):
        _check_cluster(event)
    if isinstance(event, GilWorkers) and (not all(_gil_row(row) for row in event.rows) or (
            event.run_held is not None and not 0 <= event.run_held <= MAX_INDEX)):
        raise EventError("gil_workers rows must be [index, held, wait, off_cpu] with shares 0..1 or null")
    if isinstance(event, WorkerStarted) and not (
            event.gil_futex == [] or (len(event.gil_futex) == 2 and all(
                isinstance(a, int) and not isinstance(a, bool) and 0 <= a < 2**64 for a in event.gil_futex))):
        raise EventError("worker_started.gil_futex must be [] or [first, last) addresses")


def _gil_row(row: Any) -> bool:
    return (isinstance(row, list) and len(row) == 4 and isinstance(row[0], int) and not isinstance(row[0], bool)
            and 0 <= row[0] < MAX_INDEX
            and all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1)
                    for v in row[1:]))


def _check_cluster(event: Cluster) -> None:
    if event.kind not in CLUSTER_KINDS:
        raise EventError(f"unknown cluster kind {event.kind!r}")
    if not (0 <= event.workers <= MAX_INDEX and 0 <= event.threads <= 64 * MAX_INDEX):
        raise EventError("cluster workers and threads are out of range")
    if len(event.tasks) > MAX_INDEX:
        raise EventError("too many cluster tasks")
    for row in event.tasks:
        if not (isinstance(row, list) and len(row) == 5 and isinstance(row[0], int)
                and all(isinstance(text, str) and len(text) <= 1000 for text in row[1:3])
                and all(v is None or (isinstance(v, (int, float)) and math.isfinite(v) and 0 <= v <= MAX_T)
                        for v in row[3:])):
            raise EventError("cluster tasks must be [index, address, host, latency_s, result_s] rows")


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """Resolved once per type: resolving them per event was 3/4 of a recording's replay time."""
    return typing.get_type_hints(cls)


def decode(data: Any) -> Event:
    """Build an event from its JSON form, or raise EventError saying what is wrong."""
    if not isinstance(data, dict):
        raise EventError(f"an event must be an object, not {type(data).__name__}")
    name = data.get("type")
    cls = TYPES.get(name) if isinstance(name, str) else None
    if cls is None:
        raise EventError(f"unknown event type {name!r}")
    renamed = RENAMED.get(name)
    if renamed:
        data = {renamed.get(key, key): value for key, value in data.items()}
    hints = _hints(cls)
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known - {"type"}
    if unknown:
        raise EventError(f"{name}: unknown field(s) {', '.join(sorted(unknown))}")
    values = {}
    for f in fields(cls):
        if f.name in data:
            values[f.name] = _check(f"{name}.{f.name}", data[f.name], hints[f.name])
    try:
        event = cls(**values)
    except TypeError as exc:
        raise EventError(f"{name}: {exc}") from None
    _check_values(event)
    return event
