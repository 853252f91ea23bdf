"""The panes screen: the layout and the frame loop, fed by one source of events.

One app (app.py) shows this one screen over any source (source.py): the live session's
controller, a recording's player, a test's fixed stream. It runs in the conctui process, on the
UI thread. Events wait in the source (or in `feed`'s inbox, from any thread) until a frame:
15 times a second (4 once nothing has run, arrived or been pressed for a second). A frame is
pull, fold, update: it takes the batch, folds it into the app's model (engine/model.py), and
calls every pane's `show(model, changes)` (`Pane`); each redraws only what `changes` names.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Protocol

from conctui.engine.events import Event
from conctui.engine.model import Changes, SessionModel, fold
from conctui.source import Restart, Source, drain
from conctui.widgets.clock import ElapsedClock
from conctui.widgets.cores import CoresPane
from conctui.widgets.footer import CompactFooter
from conctui.widgets.header import RunHeader
from conctui.widgets.output_log import OutputLog
from conctui.widgets.results import ResultsPane
from conctui.widgets.threads import ThreadsPane
from conctui.widgets.verdict_lines import VerdictLines
from conctui.widgets.workers import WorkerTable
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer

FRAME_HZ = 15
IDLE_HZ = 4  # frames a second once nothing has run, arrived or been pressed for IDLE_AFTER_S
IDLE_AFTER_S = 1.0
# ticks a second (the CLI's --refresh): how often clocks and per-worker times move, and the live
# run's core samples come; what crosses an SSH link each second. Frames come at FRAME_HZ.
TICK_HZ = 1.0


class Pane(Protocol):
    """The one call every pane takes, once a frame (not `update`: that is Textual's Static's)."""

    def show(self, model: SessionModel, changes: Changes) -> None: ...


class PanesScreen(Screen[None]):
    """Header, workers, cores and clock, results, output, footer; one frame loop. A watched
    program's source (`layout = "program"`) fills the workers slot with its threads and
    processes and the results slot with its verdict, and has no run clock."""

    AUTO_FOCUS = "#results-table"  # the arrow keys reach older runs; tab moves them to the output

    def __init__(self, source: Source, model: SessionModel, ticking: bool = True) -> None:
        super().__init__()
        self.source = source
        self.model = model  # the app's: what a frame folds into
        self.ticking = ticking  # False: frames are stepped by the caller (exports, snapshot tests)
        self.inbox: deque[list[Event]] = deque()
        self.mounted = False  # frames asked for before the panes are mounted wait for on_mount's
        self.frame_shown = asyncio.Event()  # set after every frame: tests wait on it, not on sleeps
        # Frames come FRAME_HZ times a second while anything happens, IDLE_HZ once nothing has:
        # an idle timer at 15 Hz alone cost ~1.2% of a core (bench/ui_cost.py's idle row).
        self.frames: Timer | None = None
        self.frame_hz = 0.0
        # the last activity, for frame pacing only: the monotonic time a run was live, events other
        # than idle samples arrived, or a key was pressed
        self.active_at = 0.0

    def compose(self) -> ComposeResult:
        # kept, not queried per frame: a modal screen on top would hide them from query_one
        self.header_pane = RunHeader(id="header")
        self.cores_pane = CoresPane(id="cores")
        self.log_pane = OutputLog(id="log")
        if self.source.layout == "program":  # a watched program: its threads and processes, its verdict
            self.workers_pane, workers_title = ThreadsPane(id="workers"), "threads and processes"
            self.results_pane, results_title = VerdictLines(id="program-verdict"), "verdict"
            side_panes: tuple[Pane, ...] = (self.cores_pane,)
        else:
            self.workers_pane, workers_title = WorkerTable(id="workers"), "workers"
            self.results_pane, results_title = ResultsPane(id="results"), "results"
            self.clock_pane = ElapsedClock(id="clock")
            side_panes = (self.cores_pane, self.clock_pane)
        side = Vertical(*side_panes, id="side")  # type: ignore[arg-type]
        self.panes = (self.header_pane, self.workers_pane, *side_panes, self.results_pane, self.log_pane)
        for pane, title in ((self.workers_pane, workers_title), (side, "cores"), (self.results_pane, results_title),
                            (self.log_pane, "output")):
            pane.border_title = title
        yield self.header_pane
        yield Horizontal(self.workers_pane, side, id="top")
        yield self.results_pane
        yield self.log_pane
        yield CompactFooter()

    def on_mount(self) -> None:
        self.mounted = True  # every pane below is mounted by now
        self.active_at = time.monotonic()
        self.frame()

    def wake(self) -> None:
        """Something happened that the next frame shows (a key): frames at FRAME_HZ again."""
        self.active_at = time.monotonic()
        self._pace()

    def _pace(self) -> None:
        """Run the frame timer at FRAME_HZ within IDLE_AFTER_S of the last activity, else IDLE_HZ."""
        if not self.ticking:
            return
        hz = FRAME_HZ if time.monotonic() - self.active_at < IDLE_AFTER_S else IDLE_HZ
        if hz != self.frame_hz:
            if self.frames is not None:
                self.frames.stop()
            self.frame_hz = hz
            self.frames = self.set_interval(1 / hz, self.frame)

    def feed(self, events: list[Event]) -> None:
        """Hand the screen a batch of events besides its source's, from any thread."""
        self.inbox.append(events)

    def frame(self, now: float | None = None) -> None:
        """Pull what arrived since the last frame, fold it into the model, update every pane."""
        if not self.mounted:  # an app's first frames may be stepped before its screen is mounted
            return
        pulled = self.source.pull()
        if isinstance(pulled, Restart):  # the session from its start (a replay's backward seek)
            self.inbox.clear()
            self.model.restart()
        batch = drain(self.inbox)
        batch.extend(pulled)
        model = self.model
        changes = fold(model, batch, self.source.now(model.state) if now is None else now)
        model.header = self.source.header(model.state)
        with self.app.batch_update():
            for pane in self.panes:
                pane.show(model, changes)
        if model.state.live is not None or changes.moved:
            self.active_at = time.monotonic()  # idle core samples (every 2 s) do not count
        self._pace()
        self.frame_shown.set()
