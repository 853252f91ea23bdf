"""Samples the OS at a fixed rate: every core's utilisation, each live worker's CPU, and what
processes outside conctui's own tree took (process_tree.tree_cpu_s).

It runs in its own thread in conctui's process (never in the runner, so it costs the
workers nothing but a share of a core, which it reports as the app's own CPU). Its samples
are the heartbeat time-driven text moves with, so a run's samples fall on the run's own
clock: one at its start (what came before it is not the run's), the next at most
FIRST_SAMPLE_S after it, then on each whole period of it (1.0 s, 2.0 s, ... at 1 Hz). A new
period or a run's start wakes the wait at once.
"""
from __future__ import annotations

import math
import os
import platform
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from conctui.engine.events import Event, Sample, WorkerStarted
from conctui.engine.process_tree import PROC_STAT, TICKS, read_stat, tree_cpu_s

if TYPE_CHECKING:
    import psutil

FIRST_SAMPLE_S = 0.5  # a run's clock moves within its first second, at any period


def _proc_stat(path: str) -> tuple[float, int] | None:
    """(CPU seconds, core it last ran on) from a Linux /proc stat file."""
    fields = read_stat(path)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS, int(fields[36])


def worker_cpu(worker: WorkerStarted, runner_pid: int | None) -> tuple[float, int | None] | None:
    """A worker's CPU seconds so far and its last core: of its thread, or of its process."""
    in_runner = worker.pid == runner_pid
    if PROC_STAT:
        path = f"/proc/{worker.pid}/task/{worker.tid}/stat" if in_runner else f"/proc/{worker.pid}/stat"
        return _proc_stat(path)
    import psutil  # imported once sampling starts (see Sampler.start)

    try:
        process = psutil.Process(worker.pid)
        if in_runner:
            for thread in process.threads():
                if thread.id == worker.tid:
                    return thread.user_time + thread.system_time, None
            return None
        times = process.cpu_times()
        return times.user + times.system, None
    except psutil.Error:
        return None


class Sampler:
    """A thread that emits a Sample every `period` seconds into the sink."""

    def __init__(self, sink: Callable[[list[Event]], None], session_t0: float, period: float = 0.25) -> None:
        self.sink = sink
        self.session_t0 = session_t0
        self._period = period
        self._run_start: float | None = None  # monotonic start of the latest run: samples keep to its clock
        self._wakeup = threading.Condition()  # the thread waits on it; a new period or stop wakes it
        self.host = platform.node()
        self.runner_pid: int | None = None
        self._workers: dict[int, WorkerStarted] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._me: psutil.Process | None = None  # made by start()
        self._tree: tuple[float, float] = (0.0, 0.0)  # conctui's tree's CPU seconds at the last sample
        self._thread = threading.Thread(target=self._loop, name="conctui-sampler", daemon=True)

    def start(self) -> Sampler:
        # psutil (~7 ms to import) is imported here, not with this module: the TUI starts
        # sampling after its first frame, which shows no sample
        import psutil

        self._me = psutil.Process()
        self._thread.start()
        return self

    @property
    def period(self) -> float:
        return self._period

    @period.setter
    def period(self, seconds: float) -> None:
        """A new period applies now: a wait begun at the idle period is cut short."""
        with self._wakeup:
            self._period = seconds
            self._wakeup.notify()

    def align(self, run_start: float) -> None:
        """A run started at monotonic `run_start`: sample on its clock from now on."""
        with self._wakeup:
            self._run_start = run_start
            self._wakeup.notify()

    def _due(self, last: float) -> float:
        """When the sample after the one taken at `last` is due (monotonic seconds)."""
        start, period = self._run_start, self._period
        if start is None:
            return last + period
        if last < start:
            return start  # at once: the run's samples then cover the run alone (state.handle_sample)
        # the run's next whole period after `last` (a millisecond's slack for a wait that woke early)
        due = start + (math.floor((last - start) / period + 1e-3) + 1) * period
        if last < start + FIRST_SAMPLE_S - 1e-3:
            due = min(due, start + FIRST_SAMPLE_S)
        return due

    def watch_run(self, runner_pid: int | None) -> None:
        with self._lock:
            self.runner_pid = runner_pid
            self._workers = {}

    def watch(self, worker: WorkerStarted) -> None:
        if worker.host and worker.host != self.host:
            return  # a Dask worker on another machine: its pid means nothing here
        with self._lock:
            self._workers[worker.index] = worker

    def sample(self) -> Sample:
        import psutil  # imported by start()

        cores = [round(value, 1) for value in psutil.cpu_percent(percpu=True)]
        with self._lock:
            workers, runner_pid = list(self._workers.values()), self.runner_pid
        rows = []
        for worker in workers:
            found = worker_cpu(worker, runner_pid)
            if found is not None:
                rows.append([worker.index, round(found[0], 3), found[1]])
        app = round(self._me.cpu_percent(), 1)  # % of one core, like top
        now = time.monotonic()
        return Sample(now - self.session_t0, cores, rows, app, self.host, self._others(sum(cores), now))

    def _others(self, busy: float, now: float) -> float:
        """What processes outside conctui's own tree took since the last sample, as % of one
        core: the cores' busy % less the tree's CPU (the run's workers, its runner, py-spy and
        conctui itself) over the same span. Signed and not clamped: a child reaped between two
        reads is missed by one sum and back in the next (tree_cpu_s), and the two cancel only
        in the run's mean (figures.other_load)."""
        last_t, last_s = self._tree
        self._tree = now, tree_cpu_s(os.getpid())
        return round(busy - 100 * (self._tree[1] - last_s) / max(1e-3, now - last_t), 1)

    def _loop(self) -> None:
        import psutil  # imported by start()

        # the first calls only set the baselines, here: psutil keeps cpu_percent's last reading per
        # calling thread, so a baseline taken in start()'s thread left this thread's first sample
        # reading 0% on every core
        psutil.cpu_percent(percpu=True)
        self._me.cpu_percent()
        self._tree = time.monotonic(), tree_cpu_s(os.getpid())
        last = time.monotonic()
        while True:
            with self._wakeup:
                while not self._stop.is_set() and (wait := self._due(last) - time.monotonic()) > 0:
                    self._wakeup.wait(wait)
            if self._stop.is_set():
                return
            last = time.monotonic()
            self.sink([self.sample()])

    def stop(self) -> None:
        with self._wakeup:
            self._stop.set()
            self._wakeup.notify()
        if self._thread.is_alive():
            self._thread.join()
