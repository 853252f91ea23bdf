"""One frame's cost with rendering, in the conctui this Python imports (scale.py runs it, and
under --before an older tree's Python): prints JSON, per measured frame its seconds (`cpu`,
`wall`) and the CPU its garbage collections took inside it (`gc`).

A panes app (headless, 80x24, stepped frames) is fed a threads run of `download` with N
workers, all running. Each measured frame gets one batch, then the clock runs from the start
of frame() to the end of the terminal write that follows it: the app's driver here renders the
screen's update to the escape sequences a terminal would get (Textual's headless driver skips
that step) and the sequences go to a counter, not a tty. What is imported is frozen out of the
garbage collector first, as `conctui.app.launch` does (a full collection of an unfrozen heap
took 20-45 ms: one such frame was the whole "p95" of 20 frames).

    python bench/_frame_cost.py WORKERS {one,tick} [FRAMES]

`one`: one visible worker's progress changes (the clock does not move). `tick`: a sample
moves every running worker's time and CPU (what each tick costs). FRAMES is at least
MIN_FRAMES: a p95 of fewer frames is the cost of one or two of them.
"""
from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
from collections.abc import Callable

from _common import app_css
from conctui.app import ConcApp
from conctui.engine.events import Event, Progress, PythonInfo, RunStarted, Sample, WorkerStarted
from conctui.engine.state import SessionState
from conctui.source import HeaderLine, Source
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver

PYTHON = PythonInfo(executable=sys.executable, version="3", logical_cores=2, usable_cores=2)
PID = 4100
WARM = 3
MIN_FRAMES = 200  # a p95 with 10 frames above it, not the slowest one or two


class SteppedSource(Source):
    """Hands the screen exactly the batch the bench queued for the next frame."""

    def __init__(self) -> None:
        self.queued: list[Event] = []
        self.started: RunStarted | None = None

    def pull(self) -> list[Event]:
        batch, self.queued = self.queued, []
        return batch

    def now(self, state: SessionState) -> float:
        return state.t

    def header(self, state: SessionState) -> HeaderLine | None:
        return None if state.current is None else HeaderLine.of_run(state.current.started, False)


class WritingDriver(HeadlessDriver):
    """Textual's headless driver, except the app renders to it as to a terminal: each screen
    update becomes escape sequences, counted here; `flushed()` is called when a write ends."""

    flushed: Callable[[], None]
    bytes_out = 0

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self.bytes_out += len(data.encode())

    def flush(self) -> None:
        self.flushed()


def render_to_counter(app: App, flushed: Callable[[], None]) -> WritingDriver:
    """Make a running headless app (run_test) render its updates as to a terminal from now on."""
    driver = app._driver
    driver.__class__ = WritingDriver
    driver.flushed = flushed
    return driver


class FrameApp(ConcApp):
    CSS_PATH = app_css()


def opening(workers: int) -> list[Event]:
    events: list[Event] = [RunStarted(0.0, 1, "threads", "download", {}, workers, PYTHON, "spawn", PID)]
    events += [WorkerStarted(0.01, i, PID, PID + 1 + i) for i in range(workers)]
    events += [Progress(0.02, i, 0.0) for i in range(workers)]
    events.append(Sample(0.25, [1.0, 1.0], [[i, 0.0, i % 2] for i in range(workers)], 1.0))
    return events


def batch(case: str, workers: int, k: int, shown: int) -> list[Event]:
    """Frame k's events; `shown`: how many workers' lines the pane shows."""
    t = 0.3 + k / 1000
    if case == "one":  # each visit moves the worker's bar by a cell (6 cells: sixths)
        return [Progress(t, k % shown, (k // shown % 6 + 1) / 6)]
    return [Sample(1.0 + k, [1.0, 1.0], [[i, 0.01 * (k + 1), i % 2] for i in range(workers)], 1.0)]


class Collections:
    """The UI thread's CPU seconds in garbage collection, from gc's own callbacks."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._began = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._began = time.thread_time()
        else:
            self.spent += time.thread_time() - self._began


async def costs(workers: int, case: str, frames: int) -> dict[str, list[float]]:
    """Per measured frame: `cpu`, the UI thread's CPU seconds from frame() to the write's end
    (the work); `wall`, the seconds between them, which also hold Textual's wait for its next
    screen update (it paints at most 60 times a second); `gc`, the CPU of collections in it."""
    source = SteppedSource()
    app = FrameApp(source, ticking=False)
    out: dict[str, list[float]] = {"cpu": [], "wall": [], "gc": []}
    collections = Collections()
    async with app.run_test(size=(80, 24)) as pilot:
        written = asyncio.Event()
        render_to_counter(app, written.set)
        for k in range(WARM + frames):  # the first frames (the run's first paint) unmeasured
            shown = max(1, min(workers, app.panes.workers_pane.size.height - 1))  # under its header
            source.queued = opening(workers) if k == 0 else batch(case, workers, k, shown)
            written.clear()
            cpu, wall, collected = time.thread_time(), time.perf_counter(), collections.spent
            app.frame()
            await asyncio.wait_for(written.wait(), 5)
            if k >= WARM:
                out["cpu"].append(time.thread_time() - cpu)
                out["wall"].append(time.perf_counter() - wall)
                out["gc"].append(collections.spent - collected)
        await pilot.pause()
    return out


if __name__ == "__main__":
    count, kind = int(sys.argv[1]), sys.argv[2]
    many = max(MIN_FRAMES, int(sys.argv[3])) if len(sys.argv) > 3 else MIN_FRAMES
    gc.freeze()  # as conctui.app.launch does before the app exists
    print(json.dumps(asyncio.run(costs(count, kind, many))))
