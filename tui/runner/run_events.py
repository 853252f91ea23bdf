"""The events and records of a run as a whole, which no worker process sends: its start and end,
the Python it runs under, the machine's samples, a Dask cluster, the GIL sampler's rows, a sweep.

Declared like every event (schema.py: checked fields, `@event`, `@record`), in a module of their
own because every worker process imports schema.py, and a class declared there is built again
in each one's start-up. Importing this module registers their types for `decode`: the runner
(main.py) and the engine (engine/events.py) import it; a worker process never does.
"""
from __future__ import annotations

import math
from typing import Any

from .schema import MAX_INDEX, MAX_T, Event, EventError, Record, event, field, record

RUN_STATUSES = ("done", "error", "cancelled", "crashed", "timeout")
CLUSTER_KINDS = ("local", "external")


# ---- records: typed values inside events --------------------------------------------------------

@record("python.interpreters")
class SubInterpreters(Record):
    """Which sub-interpreter API a Python offers (runner/info.py judges it), or why it has none."""

    api: str | None = None  # "concurrent.interpreters", "_interpreters", or None
    experimental: bool = False
    reason: str | None = None  # None with no api: it did not say (an older runner or recording)


@record("python")
class PythonInfo(Record):
    """What an interpreter is and can do, as its runner said (runner/info.py): the header, the
    modes' availability, the figures' grouping and every JSON run read it from here."""

    executable: str = ""
    version: str = "?"
    implementation: str = "Python"
    free_threaded: bool = False
    gil_enabled: bool = True
    python_gil: str | None = None  # PYTHON_GIL as the runner saw it: "1" or "0" asked for or against the GIL
    gil_reenabled: str | None = None  # the module whose import turned a free-threaded build's GIL back on
    logical_cores: int = 1
    usable_cores: int = 1
    platform: str = ""
    start_methods: list = field(default_factory=list)
    hostname: str = ""
    interpreters: SubInterpreters = field(default_factory=SubInterpreters)
    dask: bool = False  # distributed importable there

    def check(self) -> None:
        for name in ("logical_cores", "usable_cores"):
            if not 1 <= getattr(self, name) <= MAX_INDEX:
                raise EventError("python.%s is out of range: %s" % (name, getattr(self, name)))
        if not all(isinstance(method, str) and len(method) < 100 for method in self.start_methods):
            raise EventError("python.start_methods must be names")


# ---- the events ------------------------------------------------------------------------------

@event("run_started")
class RunStarted(Event):
    """A run began: everything the header and figures need, all said by the runner itself."""

    run: int
    mode: str
    workload: str
    params: dict
    workers: int
    python: PythonInfo
    start_method: str
    pid: int
    options: dict = field(default_factory=dict)

    def check(self) -> None:
        if not 1 <= self.workers <= MAX_INDEX:
            raise EventError("worker count %s is out of range" % self.workers)



def _worker_row(row: Any) -> bool:
    """[index, cpu_s, core or None]: a NaN or negative CPU figure would poison every sum."""
    return (isinstance(row, list) and len(row) == 3 and isinstance(row[0], int) and 0 <= row[0] < MAX_INDEX
            and isinstance(row[1], (int, float)) and math.isfinite(row[1]) and 0 <= row[1] <= MAX_T
            and (row[2] is None or isinstance(row[2], int)))


@event("sample")
class Sample(Event):
    """Per-core utilisation of one host, plus live CPU seconds and core of each worker."""

    cores: list
    workers: list  # [index, cpu_s, core or None]
    app_cpu: float | None  # None: sampled on another host, where conctui itself does not run
    host: str = ""
    # % of one core, summed over the cores: what processes outside conctui's own tree (itself,
    # its runner, the workers, py-spy) took since the sample before, signed (sampler._others);
    # None on another host and in older recordings
    others: float | None = None

    def check(self) -> None:
        if len(self.cores) > 4096 or not all(
            isinstance(c, (int, float)) and 0 <= c <= 100 for c in self.cores
        ):
            raise EventError("core utilisation must be a list of percentages")
        if not all(_worker_row(row) for row in self.workers):
            raise EventError("sample workers must be [index, cpu_s, core] rows")


def _time_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                             and math.isfinite(value) and 0 <= value <= MAX_T)


def _task_row(row: Any) -> bool:
    """[index, worker address, host, latency_s, result_s]."""
    return (isinstance(row, list) and len(row) == 5 and isinstance(row[0], int)
            and all(isinstance(text, str) and len(text) <= 1000 for text in row[1:3])
            and all(_time_or_none(v) for v in row[3:]))


@event("cluster")
class Cluster(Event):
    """A Dask run's cluster and its own costs, reported apart from the run's wall time.

    Sent once it is ready (shutdown_s None, no tasks yet) and again once it is released."""

    kind: str  # "local": started and closed by the run; "external": borrowed, left running
    scheduler: str
    workers: int
    threads: int
    dashboard: str | None = None
    startup_s: float | None = None
    shutdown_s: float | None = None
    tasks: list = field(default_factory=list)  # [index, worker address, host, latency_s, result_s]

    def check(self) -> None:
        if self.kind not in CLUSTER_KINDS:
            raise EventError("unknown cluster kind %r" % self.kind)
        if not (0 <= self.workers <= MAX_INDEX and 0 <= self.threads <= 64 * MAX_INDEX):
            raise EventError("cluster workers and threads are out of range")
        if len(self.tasks) > MAX_INDEX:
            raise EventError("too many cluster tasks")
        if not all(_task_row(row) for row in self.tasks):
            raise EventError("cluster tasks must be [index, address, host, latency_s, result_s] rows")



def _gil_row(row: Any) -> bool:
    return (isinstance(row, list) and len(row) == 4 and isinstance(row[0], int) and not isinstance(row[0], bool)
            and 0 <= row[0] < MAX_INDEX
            and all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1)
                    for v in row[1:]))


@event("gil_workers")
class GilWorkers(Event):
    """Each worker's GIL shares over the run so far, sampled from outside (engine/gil_sampler.py).

    rows: [index, held, wait, off_cpu], each a share 0..1 of the worker's sampled time or None;
    run_held: the workers' held time over the run's sampled time where they share one GIL, None
    where each has its own (version-1 recordings of processes summed them; engine/figures.py
    reads the rows there); note: why there are no figures (ptrace refused, no GIL, py-spy
    missing), else None; source: what sampled them; final: the run's last word; wait_note: why
    wait and off_cpu are None where held is not ("not measured on riscv64: ..."), else None."""

    rows: list
    run_held: float | None = None
    note: str | None = None
    source: str = ""
    final: bool = False
    wait_note: str | None = None

    def check(self) -> None:
        if not all(_gil_row(row) for row in self.rows) or (
                self.run_held is not None and not 0 <= self.run_held <= MAX_INDEX):
            raise EventError("gil_workers rows must be [index, held, wait, off_cpu] with shares 0..1 or null")



@event("run_finished")
class RunFinished(Event):
    """A run ended. `launched_t`: the session clock when the mode began launching its workers, the
    zero of `wall_s` and of every worker's start-up (None where nothing launched, where the app
    says a runner crashed, and in recordings made before it was sent: there `t - wall_s` stands in)."""

    status: str
    wall_s: float
    error: str | None = None
    launched_t: float | None = None

    def check(self) -> None:
        if self.status not in RUN_STATUSES:
            raise EventError("unknown run status %r" % self.status)
        if self.launched_t is not None and not 0 <= self.launched_t <= self.t:
            raise EventError("run_finished.launched_t must lie between 0 and the event's t")


@event("sweep_started")
class SweepStarted(Event):
    """A sweep's plan (engine/sweep.py): the runs that follow it, up to its planned count, are
    its points. Sent by conctui itself, never by a runner, so a recording replays the sweep."""

    workload: str
    params: dict
    modes: list
    workers: list
    repeat: int
    usable_cores: int

    def check(self) -> None:
        if not (self.modes and all(isinstance(m, str) and len(m) <= 100 for m in self.modes)):
            raise EventError("sweep_started.modes must be mode names")
        if not (self.workers and all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_INDEX
                                     for n in self.workers)):
            raise EventError("sweep_started.workers must be worker counts")
        if not 1 <= self.repeat <= 100 or not 1 <= self.usable_cores <= MAX_INDEX:
            raise EventError("sweep_started.repeat or usable_cores is out of range")
