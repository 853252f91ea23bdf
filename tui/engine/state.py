"""The session's state, folded from events by one function: `apply(state, event)`.

What an event of each type changes is its `handle_<wire name>(state, event)` here, which
`apply` finds in FOLD (schema.handler_table: the runner side's `dispatch`, as a table).

No Textual here and no I/O: the CLI, the TUI (through engine/model.py's `fold`), tests and
replays all fold the same events the same way, so a replay ends in exactly the state the live
run ended in. `apply` updates the state in place (copying 256 workers per progress event would
cost more than the drawing) and returns the indices of the current run's workers it changed;
nothing else writes to the state.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from conctui.engine.events import (
    Cluster,
    Event,
    GilReenabled,
    GilSample,
    GilWorkers,
    Memory,
    Output,
    Progress,
    RunFinished,
    RunStarted,
    Sample,
    SweepStarted,
    WorkerFinished,
    WorkerStarted,
    handler_table,
)
from conctui.engine.watch.events import WatchEnded, WatchSample, WatchStarted
from conctui.engine.watch.model import WatchModel

HISTORY = 120  # samples of each core kept for sparklines
LOG_LINES = 500  # output lines the log pane keeps (and a recording started mid-run begins with)
JSON_LINES = 50  # output lines kept per worker


@dataclass
class WorkerState:
    index: int
    status: str = "waiting"  # waiting, running, done, failed, crashed, cancelled
    pid: int | None = None
    tid: int | None = None
    host: str = ""
    fraction: float | None = None  # None: never reported, the bar is indeterminate
    started_t: float | None = None
    ended_t: float | None = None
    wall_s: float | None = None
    cpu_s: float | None = None
    runq_s: float | None = None  # waited for a free core: neither computing nor sleeping
    core: int | None = None
    error: str | None = None
    exitcode: int | None = None
    lines: list[str] = field(default_factory=list)
    dropped: int = 0
    gil_held: float | None = None  # shares of its sampled time: holding its GIL, waiting for it, off CPU
    gil_wait: float | None = None
    gil_off_cpu: float | None = None
    ipc: dict | None = None  # calls, in/out bytes and seconds of its arguments and return values
    memory: dict | None = None  # its own view of the globals (name -> [start, end]), if it has its own

    def elapsed(self, now: float) -> float | None:
        if self.wall_s is not None:
            return self.wall_s
        if self.started_t is None:
            return None
        # `now` may be a frame's heartbeat that predates this worker's start: never below 0
        return max(0.0, (self.ended_t if self.ended_t is not None else now) - self.started_t)


@dataclass
class RunState:
    started: RunStarted
    workers: list[WorkerState]
    finished: RunFinished | None = None
    gil: GilSample | None = None  # the GIL meter's latest word (its run_* figures cover the run so far)
    gil_workers: GilWorkers | None = None  # the per-worker sampler's latest word (its note, its source)
    gil_reenabled: GilReenabled | None = None  # the first import that turned a free-threaded build's GIL on
    cluster: Cluster | None = None  # Dask runs: the latest word on the cluster and its costs
    # conctui's own host while the run was live: the seconds its samples cover, and the
    # core-seconds processes outside conctui's tree took over them (see figures.other_load)
    load_s: float = 0.0
    load_others: float = 0.0
    memory: Memory | None = None  # after the run: the parent's view of the globals, how values crossed

    @property
    def status(self) -> str:
        """The run's outcome: a failed or crashed worker makes the whole run failed."""
        if self.finished is None:
            return "running"
        if self.finished.status != "done":
            return self.finished.status
        if any(w.status in ("failed", "crashed") for w in self.workers):
            return "failed"
        return "done"

    def elapsed(self, now: float) -> float:
        if self.finished is not None:
            return self.finished.wall_s
        return max(0.0, now - self.started.t)


@dataclass
class CoreHost:
    """One machine's cores: latest % and a short history each."""

    name: str
    now: list[float] = field(default_factory=list)
    history: list[deque] = field(default_factory=list)
    times: deque = field(default_factory=lambda: deque(maxlen=HISTORY))  # each history sample's time


@dataclass
class SessionState:
    runs: list[RunState] = field(default_factory=list)
    # each sweep's plan and how many runs the session had when it began: its points follow
    sweeps: list[tuple[SweepStarted, int]] = field(default_factory=list)
    hosts: dict[str, CoreHost] = field(default_factory=dict)
    local_host: str | None = None  # the host conctui runs on: its samples carry the app's own CPU
    app_cpu: float = 0.0
    t: float = 0.0
    watch: WatchModel | None = None  # a watched program's (conctui watch): its processes, threads, verdict

    @property
    def current(self) -> RunState | None:
        return self.runs[-1] if self.runs else None

    @property
    def live(self) -> RunState | None:
        """The current run while the stream has not said it finished (no RunFinished folded yet);
        its runner may outlive this (the controller's `busy`)."""
        run = self.current
        return run if run is not None and run.finished is None else None


def _worker(state: SessionState, index: int) -> WorkerState | None:
    run = state.current
    if run is None or not 0 <= index < len(run.workers):
        return None
    return run.workers[index]


def apply(state: SessionState, event: Event) -> list[int]:
    """Fold one event; the indices of the current run's workers whose state it changed (the
    workers pane redraws those lines only, so a frame costs what changed, not the run's size).
    What each type does is its `handle_<wire name>` below, found through FOLD (one dict lookup)."""
    state.t = max(state.t, event.t)
    handle = FOLD.get(type(event))
    return [] if handle is None else handle(state, event)


# ---- what each event changes: handle_<wire name>(state, event) -> the workers it touched -----

def handle_run_started(state: SessionState, event: RunStarted) -> list[int]:
    state.runs.append(RunState(event, [WorkerState(i) for i in range(event.workers)]))
    return []


def handle_sweep_started(state: SessionState, event: SweepStarted) -> list[int]:
    state.sweeps.append((event, len(state.runs)))
    return []


def _keep(state: SessionState, field_name: str, event: Event) -> list[int]:
    """The current run keeps the latest event of a kind as its field `field_name` (no worker changes)."""
    if state.current is not None:
        setattr(state.current, field_name, event)
    return []


def handle_run_finished(state: SessionState, event: RunFinished) -> list[int]:
    return _keep(state, "finished", event)


def handle_cluster(state: SessionState, event: Cluster) -> list[int]:
    return _keep(state, "cluster", event)


def handle_gil(state: SessionState, event: GilSample) -> list[int]:
    return _keep(state, "gil", event)


def handle_memory(state: SessionState, event: Memory) -> list[int]:
    return _keep(state, "memory", event)


def handle_gil_reenabled(state: SessionState, event: GilReenabled) -> list[int]:
    run = state.current
    if run is not None and run.gil_reenabled is None:
        run.gil_reenabled = event  # the header and the run's python say so from now on
        python = run.started.python.replace(gil_enabled=True, gil_reenabled=event.module)
        run.started = run.started.replace(python=python)
    return []


def handle_worker_started(state: SessionState, event: WorkerStarted) -> list[int]:
    if (worker := _worker(state, event.index)) is None:
        return []
    worker.status, worker.pid, worker.tid, worker.host = "running", event.pid, event.tid, event.host
    worker.started_t = event.t
    return [event.index]


def handle_progress(state: SessionState, event: Progress) -> list[int]:
    if (worker := _worker(state, event.index)) is None:
        return []
    worker.fraction = event.fraction
    return [event.index]


def handle_output(state: SessionState, event: Output) -> list[int]:
    if (worker := _worker(state, event.index)) is None:
        return []
    if len(worker.lines) < JSON_LINES:
        worker.lines.append(event.line)
    else:
        worker.dropped += 1
    return [event.index]


def handle_worker_finished(state: SessionState, event: WorkerFinished) -> list[int]:
    if (worker := _worker(state, event.index)) is None:
        return []
    worker.status, worker.error, worker.ended_t = event.status, event.error, event.t
    worker.wall_s, worker.exitcode, worker.runq_s = event.wall_s, event.exitcode, event.runq_s
    worker.ipc, worker.memory = event.ipc, event.memory
    worker.dropped += event.dropped
    if event.cpu_s is not None:
        worker.cpu_s = event.cpu_s  # the OS's own figure replaces the sampled one
    if event.status == "done":
        worker.fraction = 1.0
    return [event.index]


def handle_gil_workers(state: SessionState, event: GilWorkers) -> list[int]:
    run = state.current
    if run is None:
        return []
    run.gil_workers = event
    touched = []
    for index, held, wait, off in event.rows:
        if 0 <= index < len(run.workers):
            worker = run.workers[index]
            worker.gil_held, worker.gil_wait, worker.gil_off_cpu = held, wait, off
            touched.append(index)
    return touched


def handle_sample(state: SessionState, event: Sample) -> list[int]:
    if event.app_cpu is not None:  # a remote host's sample says nothing about conctui's own CPU
        state.app_cpu, state.local_host = event.app_cpu, event.host
    host = state.hosts.setdefault(event.host, CoreHost(event.host))
    previous = host.times[-1] if host.times else None  # the sample this one's figures run from
    if len(host.history) != len(event.cores):
        host.history = [deque(maxlen=HISTORY) for _ in event.cores]
        host.times.clear()
    host.times.append(event.t)
    for history, value in zip(host.history, event.cores):
        history.append(value)
    host.now = list(event.cores)
    run = state.live
    if run is None:
        return []
    if event.others is not None:  # conctui's own host: the one whose cores the run's figures are on
        # a sample's figures cover the time since the one before: each counts for the part of it
        # the run was live (the sampler takes one at the run's start: what came before is not the run's)
        span = event.t - max(run.started.t, previous if previous is not None else run.started.t)
        if span > 0:
            run.load_s += span
            run.load_others += span * event.others / 100
    touched = []
    for index, cpu_s, core in event.workers:
        if 0 <= index < len(run.workers) and run.workers[index].status == "running":
            worker = run.workers[index]
            if (worker.cpu_s, worker.core) != (cpu_s, core):
                worker.cpu_s, worker.core = cpu_s, core
                touched.append(index)
    return touched


# ---- a watched program (conctui watch): its own model folds its figures; its samples' cores
# are folded as any host's are, so the cores pane shows them unchanged

def handle_watch_started(state: SessionState, event: WatchStarted) -> list[int]:
    state.watch = WatchModel()
    state.watch.fold([event])
    return []


def handle_watch_sample(state: SessionState, event: WatchSample) -> list[int]:
    if state.watch is not None:
        state.watch.fold([event])
    app_cpu = None if event.app_cpu is None else round(min(100.0, 100 * event.app_cpu), 1)
    return handle_sample(state, Sample(event.t, event.cores, [], app_cpu))


def handle_watch_ended(state: SessionState, event: WatchEnded) -> list[int]:
    if state.watch is not None:
        state.watch.fold([event])
    return []


FOLD = handler_table(globals())  # event type -> its handle_<wire name> above
