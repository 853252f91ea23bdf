"""The panes screen: the layout and the frame loop, fed by one source of events.

Both apps show this one screen: the live app with its session's controller as the source
(live.py), the replay app with a recording's player (replay_app.py). It runs in the conctui
process, on the UI thread. Events wait in the source (or in `feed`'s inbox, from any thread)
until a frame: 15 times a second (4 once nothing has run, arrived or been pressed for a
second) the frame folds them into the state and tells each pane to show it; panes send only
what changed.
"""
from __future__ import annotations

import asyncio
import math
import time
from collections import deque

from conctui.engine.events import Event, GilSample, GilWorkers, RunFinished, Sample
from conctui.engine.figures import run_figures
from conctui.engine.state import SessionState, apply, log_line
from conctui.source import Source
from conctui.widgets.clock import ElapsedClock
from conctui.widgets.cores import CoresPane
from conctui.widgets.footer import CompactFooter
from conctui.widgets.header import RunHeader
from conctui.widgets.output_log import OutputLog
from conctui.widgets.results import ResultsPane
from conctui.widgets.workers import WorkerTable
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer

FRAME_HZ = 15
IDLE_HZ = 4  # frames a second once nothing has run, arrived or been pressed for IDLE_AFTER_S
IDLE_AFTER_S = 1.0
REFRESH_HZ = 1.0  # clocks, per-worker times and core samples: what crosses an SSH link each second


class PanesScreen(Screen[None]):
    """Header, workers, cores and clock, results, output, footer; one frame loop."""

    AUTO_FOCUS = "#log"  # the arrow keys scroll what the workers printed

    def __init__(self, source: Source, ticking: bool = True, refresh_hz: float = REFRESH_HZ) -> None:
        super().__init__()
        self.source = source
        self.ticking = ticking  # False: frames are stepped by the caller (exports, snapshot tests)
        # Events are shown at FRAME_HZ; what moves with time alone (clocks, elapsed columns,
        # core samples) moves once a tick: each tick costs a few hundred bytes over SSH.
        self.tick = 1 / refresh_hz
        self.heartbeat: float | None = None
        self.state = SessionState()
        self.figures: list[dict] = []  # of every finished run, oldest first
        self.inbox: deque[list[Event]] = deque()
        self.mounted = False  # frames asked for before the panes are mounted wait for on_mount's
        self.frame_shown = asyncio.Event()  # set after every frame: tests wait on it, not on sleeps
        # Frames come FRAME_HZ times a second while anything happens, IDLE_HZ once nothing has:
        # an idle timer at 15 Hz alone cost ~1.2% of a core (bench/ui_cost.py's idle row).
        self.frames: Timer | None = None
        self.frame_hz = 0.0
        self.busy_at = 0.0  # monotonic time a run was live, events arrived or a key was pressed

    def compose(self) -> ComposeResult:
        # kept, not queried per frame: a modal screen on top would hide them from query_one
        self.header_pane = RunHeader(id="header")
        self.workers_pane = WorkerTable(id="workers")
        self.cores_pane = CoresPane(id="cores")
        self.clock_pane = ElapsedClock(id="clock")
        self.results_pane = ResultsPane(id="results")
        self.log_pane = OutputLog(id="log")
        side = Vertical(self.cores_pane, self.clock_pane, id="side")
        for pane, title in ((self.workers_pane, "workers"), (side, "cores"), (self.results_pane, "results"),
                            (self.log_pane, "output")):
            pane.border_title = title
        yield self.header_pane
        yield Horizontal(self.workers_pane, side, id="top")
        yield self.results_pane
        yield self.log_pane
        yield CompactFooter()

    def on_mount(self) -> None:
        self.mounted = True  # every pane below is mounted by now
        self.busy_at = time.monotonic()
        self.frame()

    def wake(self) -> None:
        """Something happened that the next frame shows (a key): frames at FRAME_HZ again."""
        self.busy_at = time.monotonic()
        self._pace()

    def _pace(self) -> None:
        """Run the frame timer at FRAME_HZ within IDLE_AFTER_S of the last busy moment, else IDLE_HZ."""
        if not self.ticking:
            return
        hz = FRAME_HZ if time.monotonic() - self.busy_at < IDLE_AFTER_S else IDLE_HZ
        if hz != self.frame_hz:
            if self.frames is not None:
                self.frames.stop()
            self.frame_hz = hz
            self.frames = self.set_interval(1 / hz, self.frame)

    def feed(self, events: list[Event]) -> None:
        """Hand the screen a batch of events besides its source's, from any thread."""
        self.inbox.append(events)

    def frame(self, now: float | None = None) -> None:
        """Fold what arrived since the last frame, then let each pane show what changed."""
        if not self.mounted:  # an app's first frames may be stepped before its screen is mounted
            return
        batch: list[Event] = []
        while self.inbox:
            batch.extend(self.inbox.popleft())
        batch.extend(self.source.pull())
        for event in batch:
            apply(self.state, event)
        now = self.source.now(self.state) if now is None else now
        samples = [event.t for event in batch if isinstance(event, Sample)]
        if samples:
            self.heartbeat = max(samples)
        # time-driven text moves with the sampler's heartbeat, so a worker's time and CPU cells
        # change in the same frame (one line sent, not two); without samples, once a tick
        shown = self.heartbeat if self.heartbeat is not None else math.floor(now / self.tick) * self.tick
        run = self.state.current
        with self.app.batch_update():
            header = self.source.header(self.state)
            if header is not None:
                self.header_pane.show(*header)
            if batch or self.state.live:
                self.workers_pane.show(run, shown)
                if run is not None:
                    run.changed.clear()  # shown: the next frame redraws only what changes after this one
                self.clock_pane.show(run, shown)
            if any(isinstance(event, (Sample, GilSample, GilWorkers)) for event in batch):
                self.cores_pane.show(self.state)
            self.log_pane.add([line for e in batch if (line := log_line(e))])
            if any(isinstance(event, RunFinished) for event in batch):
                self.show_results()
        self.source.after_frame()
        if self.state.live is not None or not all(isinstance(event, Sample) for event in batch):
            self.busy_at = time.monotonic()  # idle core samples (every 2 s) do not count
        self._pace()
        self.frame_shown.set()

    def show_results(self) -> None:
        self.figures = [run_figures(run) for run in self.state.runs if run.finished is not None]
        self.results_pane.show(self.figures)
        self.source.run_ended(self.figures)

    def refold(self, events: list[Event]) -> None:
        """Show the state after exactly `events` from an empty session (a backward seek)."""
        self.state = SessionState()
        self.heartbeat = None
        self.inbox.clear()
        self.log_pane.clear()
        self.results_pane.reset()
        self.workers_pane.reset()
        self.feed(events)
        self.frame()
        self.show_results()  # the results of the runs that ended before `t`, and no others
