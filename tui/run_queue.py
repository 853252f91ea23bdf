"""The live session's runs, one after another: what starts a run, what its end starts next. No Textual.

A run's way in: its mode checked against what its Python and workload allow, then a capacity
check in a worker thread (it may start a runner to measure a child, up to 60 s, so never on the
UI thread), then `Session.start`. Its way out: a worker thread waits for its runner to be reaped
(`Host.off_thread`), and on the UI thread `run_reaped` starts the queue's next run. The queue
holds a compare's modes, a sweep's worker counts or a claim's case. It runs in the conctui
process, its methods on the UI thread; the controller (live.py) owns one and answers the keys.

Three words for "something runs" here, one each (the stream's fourth is `SessionState.live`:
the current run without its RunFinished, which the panes and the header read):
- `busy`: a runner is alive, until it is reaped (the session's word);
- `in_flight`: busy, or a run's check is under way (the queue aside);
- `running`: in flight, or the queue has runs to go (what the run keys wait for).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from conctui.engine import capacity
from conctui.engine.events import Event
from conctui.engine.modes import unavailable
from conctui.engine.runner_process import child_footprint
from conctui.engine.spec import RunSpec, UsageError
from conctui.engine.text import seconds
from conctui.runner.request import RunnerInfo
from conctui.source import Refusal, Source

RUN_LIVE = Refusal("a run is live: x cancels it")

Run = tuple[RunSpec, RunnerInfo]  # a run's choice, and its runner's description of it


class SessionLike(Protocol):
    """What the runs need of a session: engine.session.Session, or the demo's stand-in."""

    @property
    def busy(self) -> bool: ...
    def now(self) -> float: ...
    def start_sampling(self) -> object: ...
    def sample_every(self, seconds: float) -> None: ...
    def start(self, spec: RunSpec) -> Reaped: ...
    def emit(self, events: list[Event]) -> None: ...
    def cancel(self) -> None: ...
    def close(self) -> None: ...


class Reaped(Protocol):
    """A started run (engine.runner_process.RunnerProcess): `wait()` returns once its runner is reaped."""

    def wait(self, timeout: float | None = None) -> bool: ...


class RunQueue:
    """The runs of one live session: the one under way, its check, and the ones to go."""

    def __init__(self, source: Source, session: SessionLike, sample_live_s: float, sample_idle_s: float) -> None:
        self.source = source  # what speaks to the person, through its host (the app)
        self.session = session
        self.sample_live_s, self.sample_idle_s = sample_live_s, sample_idle_s  # the cores' period mid-run, idle
        self.queue: list[Run] = []  # runs to go
        self.sweeping = False  # the queue is a sweep's: its screen shows it live
        self.checking: str | None = None  # what is being checked off the UI thread: the header says so
        self._checks = 0  # each check's number: a cancel makes the one under way moot

    @property
    def busy(self) -> bool:
        """A runner is alive, until it is reaped (Session.busy)."""
        return self.session.busy

    @property
    def in_flight(self) -> bool:
        """Busy, or a run's capacity check or description is under way (the queue aside)."""
        return self.busy or self.checking is not None

    @property
    def running(self) -> bool:
        """In flight, or the queue has runs to go."""
        return self.in_flight or bool(self.queue)

    def start(self, runs: list[Run]) -> None:
        """Run `runs` one after another: each starts once the one before is reaped."""
        self.queue = list(runs)
        if self.queue and not self.in_flight:
            self.start_run(*self.queue.pop(0))

    def enqueue(self, runs: list[Run], what: str) -> None:
        """Run described runs (a claim's case) one after another, if nothing runs."""
        if self.running:
            self.source.say(RUN_LIVE.reason, RUN_LIVE.severity, RUN_LIVE.timeout)
            return
        self.source.say(f"measuring: {what}", "information", 5)
        self.start(runs)

    def start_run(self, spec: RunSpec, info: RunnerInfo) -> None:
        """Start one run, described by `info` (its Python and workload as a runner saw them),
        once a worker thread found that it fits in memory: meanwhile the screen goes on and
        says it is checking."""
        reason = unavailable(spec.mode, info)
        if reason:
            self.source.say(f"{spec.mode}: {reason}", "warning", 6)
            if self.queue:
                self.start_run(*self.queue.pop(0))
            return
        self.off_thread(f"checking {spec.mode} x{spec.worker_count}",
                        lambda: capacity.check(spec, child_footprint),  # more workers than memory holds: refused
                        lambda refused: self._launch(spec, refused))

    def _launch(self, spec: RunSpec, refused: object) -> None:
        try:
            if isinstance(refused, UsageError):
                raise refused
            ended = self.session.start(spec)
        except UsageError as exc:  # too many workers, the chosen Python vanished, no file descriptors left, ...
            self.queue.clear()
            self.sweeping = False
            self.source.say(str(exc), "error", 8)
            self.source.recheck_keys()
            return
        self.session.sample_every(self.sample_live_s)
        self.source.recheck_keys()
        if self.source.host is not None:
            self.source.host.off_thread(ended.wait, lambda _: self.run_reaped())

    def run_reaped(self) -> None:
        """The run's runner was reaped (and the app has folded its end): the cores slow down,
        and the queue's next run starts, or the person is told how the last run ended."""
        self.session.sample_every(self.sample_idle_s)
        host = self.source.host
        if self.queue and not self.in_flight:
            self.start_run(*self.queue.pop(0))
        elif not self.queue and host is not None and (ended := host.ended_figures()):
            latest = ended[-1]
            self.source.say(f"{latest['mode']}: {latest['status']}, wall {seconds(latest['wall_s'])}",
                            "information", 4)
        self.sweeping = self.sweeping and self.running
        self.source.recheck_keys()

    def off_thread(self, what: str, job: Callable[[], object], done: Callable[[object], None]) -> None:
        """Run `job` off the UI thread (the header says `what` meanwhile), then `done(result)`,
        unless a cancel came first."""
        self._checks += 1
        number = self._checks
        self.checking = what
        self.source.recheck_keys()

        def finished(result: object) -> None:
            if number != self._checks:
                return  # cancelled meanwhile: what it found is moot
            self.checking = None
            done(result)
            self.source.recheck_keys()

        if self.source.host is not None:
            self.source.host.off_thread(job, finished)

    def cancel(self) -> None:
        """The live run is cancelled (its figures so far kept), a check under way is dropped,
        the queue emptied."""
        self.queue.clear()
        self.sweeping = False
        self._checks += 1
        self.checking = None
        self.session.cancel()
        self.source.recheck_keys()
