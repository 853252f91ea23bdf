"""A watched program's model: the fold of its events into figures, live and on replay alike.

Runs wherever the events are (the UI thread, a headless command, a replay). Samples carry
tallies since each thread was first seen, so the whole watch's figures are the last sample
minus the first that showed each thread (a recording begun mid-watch starts from its first),
and a window's the last sample minus the one WINDOW_S before it, except GIL held: py-spy's
windows come further apart in a big tree (pyspy.Budget), so a window's GIL held is that of
py-spy's last window (the row before its samples last grew). Threads and processes that go
keep their last rows, marked ended.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from conctui.engine.events import Event
from conctui.engine.watch.events import WatchEnded, WatchSample, WatchStarted
from conctui.engine.watch.waiting import KINDS

WINDOW_S = 1.0
NO_STATES = dict.fromkeys(KINDS, 0.0)  # a thread's shares of its reads, before its kinds are counted


@dataclass
class ThreadFigures:
    """One thread over a span: shares are fractions of the span (or of its reads / samples)."""

    pid: int
    tid: int
    name: str
    cpu: float | None  # share of one core
    core: int | None
    gil_held: float | None
    gil_wait: float | None
    states: dict[str, float | None] | None  # gil_wait None where there is no GIL
    top: str | None
    ended: bool
    no_gil: bool = False  # its process has no GIL (free-threaded, GIL off): gil_held and gil_wait are None


# what each role (engine/watch/tree.py:role_of) reads as on screen
ROLE_TEXT = {"main": "main", "worker": "multiprocessing worker", "helper": "multiprocessing helper",
             "python": "another Python program", "program": "another program"}


@dataclass
class ProcessFigures:
    pid: int
    ppid: int
    role: str
    argv: list
    python: str | None
    rss_bytes: int
    cpu: float | None  # cores busy
    ended: float | None
    threads: list[ThreadFigures]
    no_gil: bool = False


@dataclass
class WatchModel:
    """Everything the panes, the JSON document and the verdict read (a launched program's output
    goes straight to the output pane and the recording: the figures need none of it)."""

    started: WatchStarted | None = None
    ended: WatchEnded | None = None
    first_t: float | None = None
    last: WatchSample | None = None
    processes: dict[int, dict] = field(default_factory=dict)  # pid -> latest row
    threads: dict[tuple[int, int], dict] = field(default_factory=dict)  # latest row, kept once gone
    seen: dict[tuple, float] = field(default_factory=dict)  # ("p", pid) or (pid, tid) -> t first seen
    first: dict[tuple, dict] = field(default_factory=dict)  # its row then: the whole watch's baseline
    live: set[tuple[int, int]] = field(default_factory=set)
    held_base: dict[tuple[int, int], dict] = field(default_factory=dict)  # its row before py-spy's last window
    history: deque = field(default_factory=deque)  # (t, {key: row}, {pid: row}) within the window
    ticks: int = 0  # samples folded: one a refresh
    busy_ticks: int = 0  # those taken while no core was idle, so sampling backed off (WatchSample.busy)
    _cached: dict[bool, tuple] = field(default_factory=dict, repr=False)  # window -> (sample, figures)

    def fold(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, WatchSample):
                self._sample(event)
            elif isinstance(event, WatchStarted):
                self.started = event
            elif isinstance(event, WatchEnded):
                self.ended = event

    def _sample(self, sample: WatchSample) -> None:
        if self.first_t is None:
            self.first_t = sample.t
        self.last = sample
        self.ticks += 1
        self.busy_ticks += sample.busy
        rows = {(r["pid"], r["tid"]): r for r in sample.threads}
        for key, row in rows.items():
            old = self.threads.get(key)
            if old is None:
                self.seen[key], self.first[key] = sample.t, row
            elif old["sampled"] != row["sampled"]:
                self.held_base[key] = old
        self.threads.update(rows)
        self.live = {key for key, row in rows.items() if not row["ended"]}
        procs = {r["pid"]: r for r in sample.processes}
        for pid, row in procs.items():
            if ("p", pid) not in self.seen:
                self.seen[("p", pid)], self.first[("p", pid)] = sample.t, row
            self.processes[pid] = row
        self.history.append((sample.t, rows, procs))
        while len(self.history) > 2 and self.history[1][0] <= sample.t - WINDOW_S:
            self.history.popleft()

    @property
    def duration_s(self) -> float:
        if self.last is None or self.first_t is None:
            return 0.0
        return self.last.t - self.first_t

    # ---- figures -----------------------------------------------------------------------------

    def _thread(self, key: tuple[int, int], row: dict, base: dict, span: float, window: bool) -> ThreadFigures:
        """Its figures from `base` (its row at the span's start) to `row`; GIL held over py-spy's
        last window in a window, else from `base`. Made for every thread each second (the verdict's):
        kept to plain arithmetic on the rows."""
        reads = row["reads"] - base["reads"]
        no_gil = self.processes[row["pid"]].get("no_gil", False) if row["pid"] in self.processes else False
        states = None
        if reads > 0:
            before = base["states"]
            states = dict(NO_STATES)
            for kind, count in row["states"].items():  # the kinds seen, usually one or two of six
                states[kind] = round((count - before.get(kind, 0)) / reads, 4)
            if no_gil:
                states["gil_wait"] = None  # not 0: there is no GIL to wait for
        held = None
        if row["held"] is not None and row["sampled"] is not None:
            since = self.held_base.get(key, base) if window else base
            sampled = row["sampled"] - (since["sampled"] or 0)
            if sampled > 0:
                held = round(min(1.0, (row["held"] - (since["held"] or 0)) / sampled), 4)
        cpu = round(min(1.0, (row["cpu_s"] - base["cpu_s"]) / span), 4) if span > 0 else None
        return ThreadFigures(row["pid"], row["tid"], row["name"], cpu, row["core"], held,
                             states["gil_wait"] if states else None, states, row["top"], key not in self.live, no_gil)

    def figures(self, window: bool) -> list[ProcessFigures]:
        """Every process seen (the ended ones too), with its threads, over the last window or the
        watch; computed once per sample for each (the panes, the verdict and the document all ask)."""
        if self.last is None:
            return []
        key = (self.last.t, len(self.history))
        cached = self._cached.get(window)
        if cached is None or cached[0] != key:
            cached = self._cached[window] = (key, self._figures(window))
        return cached[1]

    def rows(self, window: bool) -> list[tuple]:
        """The keys of figures(window)'s lines in its order, each process's `("p", pid)` then its
        threads' `(pid, tid)`, without their figures: the threads pane makes figures only for the
        lines in view (`row`), and a sample's frame does not pay for 256 threads' (the verdict's,
        a frame later, does)."""
        if self.last is None:
            return []
        by_pid: dict[int, list[tuple[int, int]]] = {}
        for key in self._threads_shown(window):
            by_pid.setdefault(key[0], []).append(key)
        rows: list[tuple] = []
        for pid in self._processes_shown(window):
            rows.append(("p", pid))
            rows += sorted(by_pid.get(pid, []))
        return rows

    def row(self, key: tuple, window: bool) -> ProcessFigures | ThreadFigures:
        """One line of `rows(window)`: a thread's figures, or a process's (its `threads` empty:
        they are lines of their own)."""
        return self._process(key[1], [], window) if key[0] == "p" else self._thread_over(key, window)

    def _threads_shown(self, window: bool) -> list[tuple[int, int]]:
        return [key for key in self.threads if key in self.live] if window else list(self.threads)

    def _processes_shown(self, window: bool) -> list[int]:
        # in a window, not one gone for longer than the sampler shows an ended process (ENDED_SHOWN_S)
        return [pid for pid in self.processes if pid in self.history[-1][2]] if window else list(self.processes)

    def _figures(self, window: bool) -> list[ProcessFigures]:
        by_pid: dict[int, list[ThreadFigures]] = {}
        for key in self._threads_shown(window):
            by_pid.setdefault(key[0], []).append(self._thread_over(key, window))
        return [self._process(pid, sorted(by_pid.get(pid, []), key=lambda t: t.tid), window)
                for pid in self._processes_shown(window)]

    def _thread_over(self, key: tuple[int, int], window: bool) -> ThreadFigures:
        """A thread's figures over the window (from its row WINDOW_S ago, where it was seen
        then), or over the watch (from its first row)."""
        if window:
            base_t, base_rows, _ = self.history[0]
            base = base_rows.get(key)
            if base is not None:
                return self._thread(key, self.threads[key], base, self.last.t - base_t, window)
        return self._thread(key, self.threads[key], self.first[key], self._span(key), window)

    def _process(self, pid: int, threads: list[ThreadFigures], window: bool) -> ProcessFigures:
        row = self.processes[pid]
        base_t, _, base_procs = self.history[0] if window else (None, {}, {})
        if window and pid in base_procs:
            base, span = base_procs[pid], self.last.t - base_t
        else:
            base, span = self.first[("p", pid)], self._span(("p", pid), row["ended"])
        cpu = round((row["cpu_s"] - base["cpu_s"]) / span, 4) if span > 0 else None
        return ProcessFigures(pid, row["ppid"], row["role"], row["argv"], row["python"], row["rss_bytes"], cpu,
                              row["ended"], threads, row.get("no_gil", False))

    def _span(self, key: tuple, ended: float | None = None) -> float:
        """Seconds from a thread's or process's first sample to its last (or to its end)."""
        start = self.seen.get(key, self.first_t or 0.0)
        end = self.last.t if ended is None else min(self.last.t, ended)
        return max(0.0, end - start)

    def notes(self) -> dict[str, str | None]:
        """Why figures are missing (gil, states) and how much of the watch conctui sampled at its
        backed-off rate (sampling, None where it never did): py-spy's words among them, untrusted."""
        sampling = None
        if self.busy_ticks:
            sampling = (f"no core idle at {self.busy_ticks} of {self.ticks} refreshes: conctui read /proc and ran "
                        "py-spy's windows half as often then, so that its own CPU took less from the program")
        return {"gil": self.last.gil_note if self.last else None,
                "states": self.last.states_note if self.last else None, "sampling": sampling}

    def document(self) -> dict[str, Any]:
        """The `--json` document: the whole watch's figures (see the command's help)."""
        from conctui.engine.watch.verdict import verdict

        started = self.started
        processes = self.figures(window=False)
        ended = None
        if self.ended is not None and self.ended.how == "exited":
            ended = {"code": self.ended.code, "signal": self.ended.signal, "t": round(self.duration_s, 3)}
        return {
            "target": {"pid": started.pid if started else None, "argv": started.argv if started else [],
                       "python": started.python if started else None,
                       "launched": started.launched if started else False, "ended": ended},
            "duration_s": round(self.duration_s, 3),
            "cores": started.cores if started else None,
            "notes": self.notes(),
            "processes": [{"pid": p.pid, "ppid": p.ppid, "role": p.role, "argv": p.argv, "python": p.python,
                           "rss_bytes": p.rss_bytes, "cpu": p.cpu, "ended": p.ended,
                           "threads": [{"tid": t.tid, "name": t.name, "cpu": t.cpu, "core": t.core,
                                        "gil_held": t.gil_held, "gil_wait": t.gil_wait, "states": t.states,
                                        "top": t.top} for t in p.threads]} for p in processes],
            "verdict": [line.as_dict() for line in verdict(self, window=False)],
        }
