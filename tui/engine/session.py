"""A session: one clock, one event stream and one sampler for runs made one after another.

Every consumer (the CLI's fold, the TUI's frame queue, a recorder) is a sink: a callable
given each batch of events, from the reader or sampler thread, in order.
"""
from __future__ import annotations

import threading
import time
from dataclasses import replace

from conctui.engine.events import Event, RunStarted, dispatch
from conctui.engine.gil_sampler import GilSampler
from conctui.engine.runner_process import RunnerProcess, Sink
from conctui.engine.sampler import Sampler
from conctui.engine.spec import RunSpec
from conctui.engine.state import SessionState, apply


class Session:
    def __init__(self, sinks: list[Sink], sample_period: float = 0.25) -> None:
        self.t0 = time.monotonic()
        self.gil = GilSampler(self.emit, self.t0)  # first: it learns of each worker before anyone shows it
        self.sinks = [self.gil, *sinks]
        self._lock = threading.Lock()
        self._run_id = 0
        self.runner: RunnerProcess | None = None
        self.stopped = False  # set by stop(): no run starts after it
        self.sampler = Sampler(self.emit, self.t0, sample_period)

    def emit(self, events: list[Event]) -> None:
        for event in events:
            dispatch(self, event)
        with self._lock:  # the reader and the sampler both emit: one order for every sink
            for sink in self.sinks:
                sink(events)

    def handle_run_started(self, event: RunStarted) -> None:
        self.sampler.align(self.t0 + event.t)  # the sampler's heartbeat keeps to the run's clock

    @property
    def busy(self) -> bool:
        """A runner is alive: from its start until it is reaped, which may be after its
        RunFinished (state.live) has been folded."""
        return self.runner is not None and not self.runner.done.is_set()

    def now(self) -> float:
        """Seconds since the session began: the clock every event's `t` is on."""
        return time.monotonic() - self.t0

    def sample_every(self, seconds: float) -> None:
        self.sampler.period = seconds

    def start_sampling(self) -> Session:
        self.sampler.start()
        return self

    def start(self, spec: RunSpec) -> RunnerProcess:
        """Start one run; call from the thread that will outlive it (see RunnerProcess)."""
        if self.busy:
            raise RuntimeError("a run is already live")
        self._run_id += 1
        spec = replace(spec, sample_gil=GilSampler.wanted(spec.mode))
        runner = RunnerProcess(spec, self._run_id, self.t0, self.emit, on_worker=self.sampler.watch)
        self.runner = runner  # before it starts: a cancel meanwhile is kept and sent once it can be
        if self.stopped:
            runner.cancel()
        try:
            runner.start(before_reading=self.sampler.watch_run)  # raises UsageError if it cannot start
        except BaseException:
            self.runner = None  # it reaped its process: nothing is live
            raise
        return runner

    def run(self, spec: RunSpec, timeout: float | None = None) -> None:
        """Start a run and block until it ended, cancelling it as "timeout" after `timeout` s.
        Once the session is stopped, it starts nothing."""
        if self.stopped:
            return
        runner = self.start(spec)
        if not runner.wait(timeout):
            runner.cancel("timeout")
            runner.wait()
        self.gil.wait()  # the per-worker GIL figures come just after the run's end

    def cancel(self) -> None:
        if self.busy:
            self.runner.cancel()

    def stop(self) -> None:
        """Cancel what runs and start no other run (the CLI's Ctrl+C between two runs of a sweep)."""
        self.stopped = True
        self.cancel()

    def close(self, timeout: float = 2.0) -> None:
        """Cancel whatever runs and reap it: every exit path comes through here."""
        self.cancel()
        if self.runner is not None and not self.runner.wait(timeout):
            self.runner.kill()
            self.runner.wait(1.0)
        self.sampler.stop()


class Fold:
    """A sink that folds events into a SessionState, safe to read once the run is over."""

    def __init__(self) -> None:
        self.state = SessionState()

    def __call__(self, events: list[Event]) -> None:
        for event in events:
            apply(self.state, event)
