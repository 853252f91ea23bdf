"""The session as the app holds it, and the one fold a frame's events go through.

`SessionModel` is the folded state (state.py), each ended run's figures (computed once, when
the run ends: engine/figures.py) and the time the clocks show. `fold(model, batch, now)` folds
a frame's batch into it and returns `Changes`: which workers, hosts, runs and output lines
moved, so each pane redraws only those. Both steps of an event go through a table of
`handle_<wire name>` functions (schema.handler_table): state.py's FOLD changes the state, and
MARKS here says what the panes redraw and which log line the event adds. A Changes is new
each frame: nothing has to be cleared after it is shown. No Textual here: the panes screen
(panes.py) calls `fold` on the UI thread of the conctui process, and tests call it directly.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conctui.engine.events import (
    Event,
    GilReenabled,
    GilSample,
    GilWorkers,
    Output,
    RunStarted,
    Sample,
    SweepStarted,
    WorkerFinished,
    handler_table,
)
from conctui.engine.figures import run_figures
from conctui.engine.state import RunState, SessionState, apply
from conctui.engine.untrusted import visible
from conctui.engine.watch.events import WatchEnded, WatchOutput, WatchSample, WatchStarted

if TYPE_CHECKING:
    from conctui.source import HeaderLine, ProgramLine


@dataclass
class Changes:
    """What one frame's batch changed; panes redraw these and nothing else."""

    now: float = 0.0  # the time time-driven cells show: the sampler's latest heartbeat, else the tick
    ticked: bool = False  # `now` moved since the last frame: running workers' times and the clock move
    events: int = 0
    moved: bool = False  # an event other than a core sample arrived (idle samples keep the screen idle)
    workers: set[int] = field(default_factory=set)  # indices, in the current run, whose worker moved
    hosts: set[str] = field(default_factory=set)  # hosts whose cores were sampled
    gil: bool = False  # the GIL meter or the per-worker sampler spoke
    ended: list[RunState] = field(default_factory=list)  # runs whose figures were (re)computed
    lines: list[tuple[int | str, str]] = field(default_factory=list)  # output lines, oldest first
    restart: bool = False  # the model was emptied first (a replay's backward seek): panes forget all
    heartbeat: float | None = None  # the latest core sample's time in this batch
    program: bool = False  # a watched program's figures moved (conctui watch: its start, a sample, its end)


@dataclass
class SessionModel:
    """Owned by the app, one per session (a replay's backward seek restarts it)."""

    tick: float = 1.0  # seconds between moves of what moves with time alone (clocks, elapsed cells)
    state: SessionState = field(default_factory=SessionState)
    header: HeaderLine | ProgramLine | None = None  # what the source says of itself this frame
    heartbeat: float | None = None  # the latest core sample's time
    shown: float | None = None  # the `now` the last frame showed
    _figures: dict[int, dict] = field(default_factory=dict)  # by the run's index in state.runs
    _restart: bool = False

    @property
    def figures(self) -> list[dict]:
        """Every ended run's figures, oldest first."""
        return [self._figures[index] for index in sorted(self._figures)]

    def figures_of(self, run: RunState) -> dict | None:
        """An ended run's figures, as computed when it ended; None while it runs."""
        index = len(self.state.runs) - 1 if run is self.state.current else self.state.runs.index(run)
        return self._figures.get(index)

    def restart(self) -> None:
        """Empty the model: the next fold starts a session over (its Changes say `restart`)."""
        self.state, self.heartbeat, self.shown, self._figures = SessionState(), None, None, {}
        self._restart = True


def fold(model: SessionModel, batch: list[Event], now: float) -> Changes:
    """Fold `batch` (in stream order) into `model`; `now` is the source's clock this frame."""
    state = model.state
    changes = Changes(events=len(batch), restart=model._restart)
    model._restart = False
    ended: set[int] = set()
    for event in batch:
        changes.workers.update(apply(state, event))
        mark = MARKS.get(type(event))
        if mark is None or mark(changes, event):
            changes.moved = True
            run = state.current
            if run is not None and run.finished is not None:
                ended.add(len(state.runs) - 1)  # its end, or a word after it (the GIL sampler's final figures)
    for index in sorted(ended):
        model._figures[index] = run_figures(state.runs[index])
        changes.ended.append(state.runs[index])
    if changes.heartbeat is not None:
        model.heartbeat = changes.heartbeat
    # time-driven text moves with the sampler's heartbeat, so a worker's time and CPU cells
    # change in the same frame (one line sent, not two); without samples, once a tick
    changes.now = model.heartbeat if model.heartbeat is not None else math.floor(now / model.tick) * model.tick
    changes.ticked = changes.now != model.shown
    model.shown = changes.now
    return changes


# ---- what each event marks for the panes: handle_<wire name>(changes, event) -> whether it moves
# the screen out of idle and may end a run's figures (False: a core sample, a sweep's plan). A
# type without one moves the screen and marks nothing else.

def handle_run_started(changes: Changes, event: RunStarted) -> bool:
    changes.workers.clear()  # indices of the run before: the new run is drawn whole
    return True


def handle_sample(changes: Changes, event: Sample) -> bool:
    changes.hosts.add(event.host)
    changes.heartbeat = event.t if changes.heartbeat is None else max(changes.heartbeat, event.t)
    return False  # idle samples keep the screen idle


def handle_sweep_started(changes: Changes, event: SweepStarted) -> bool:
    changes.moved = True
    return False  # a plan ends no run


def handle_gil(changes: Changes, event: GilSample) -> bool:
    changes.gil = True
    return True


def handle_gil_workers(changes: Changes, event: GilWorkers) -> bool:
    """Why the per-worker GIL figures are missing, said once a run (the sampler's first note)."""
    changes.gil = True
    if event.note and not event.final:
        changes.lines.append(("gil", f"held/wait/off CPU per worker: {visible(event.note)}"))  # py-spy's words
    return True


def handle_gil_reenabled(changes: Changes, event: GilReenabled) -> bool:
    changes.lines.append(("gil", f"the GIL was re-enabled {event.when} the run by importing "
                                 f"{visible(event.module)}, which does not declare free-threading support"))
    return True


def handle_output(changes: Changes, event: Output) -> bool:
    changes.lines.append((event.index, event.line))
    return True


def handle_worker_finished(changes: Changes, event: WorkerFinished) -> bool:
    if event.error:  # how a worker ended badly
        changes.lines.append((event.index, f"{event.status}: {event.error}"))
    return True


# ---- a watched program (conctui watch)

def handle_watch_started(changes: Changes, event: WatchStarted) -> bool:
    changes.program = True
    return True


def handle_watch_sample(changes: Changes, event: WatchSample) -> bool:
    changes.program = True
    changes.hosts.add("")  # its cores are conctui's own host's
    changes.heartbeat = event.t if changes.heartbeat is None else max(changes.heartbeat, event.t)
    return False  # a sample a second keeps the screen at its idle frame rate


def handle_watch_output(changes: Changes, event: WatchOutput) -> bool:
    changes.lines.append(("out", event.line))  # the output pane passes it through the boundary
    return True


def handle_watch_ended(changes: Changes, event: WatchEnded) -> bool:
    changes.program = True
    return True


MARKS = handler_table(globals())  # event type -> its handle_<wire name> above
