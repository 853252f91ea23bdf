"""The workers pane: one line per worker under a fixed header, scrolling for hundreds of them.

Each line is drawn with one style (its state keeps its colour), so a worker whose figures
changed costs one short line over SSH: a table's per-cell styles cost twice the bytes
(bench/ssh_bytes.py). Only lines whose text changed are rebuilt and redrawn.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.state import RunState, WorkerState
from conctui.engine.text import percent, short_seconds
from conctui.engine.untrusted import visible
from conctui.widgets.spans import changed_spans
from conctui.widgets.strips import styled_strip, text_strip
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel

BAR = 6
# 45 cells: what the pane holds at 80x24 beside its 1-cell scrollbar; ids up to t9999999
# (Linux's largest pid_max, 4194304, has 7 digits)
COLUMNS = ((">3", "#"), ("<8", "id"), ("<6", "state"), ("<6", "prog"), (">4", "time"), (">4", "cpu"),
           (">3", "gil"), (">4", "core"))
HEADER = Text(" ".join(f"{label:{fmt}}" for fmt, label in COLUMNS), "bold")
STATE_STYLE = {"running": "yellow", "done": "green", "failed": "bold red", "crashed": "bold red",
               "cancelled": "magenta", "waiting": "dim"}
SHORT = {"cancelled": "cancel", "running": "run", "waiting": "wait", "crashed": "crash"}  # each fits 6 cells


def progress_bar(worker: WorkerState, now: float) -> str:
    """A fixed-width bar; a worker that never reports gets a sweeping block, not a fake %."""
    if worker.fraction is not None:
        filled = round(worker.fraction * BAR)
        return "█" * filled + "░" * (BAR - filled)
    if worker.status != "running" or worker.started_t is None:
        return "·" * BAR
    at = int((now - worker.started_t) * 4) % (2 * (BAR - 3))  # 4 steps a second, back and forth
    at = at if at < BAR - 3 else 2 * (BAR - 3) - at
    return "░" * at + "▓▓▓" + "░" * (BAR - 3 - at)


def held_share(value: float | None) -> str:
    """Three cells: `48%`, `100`, or `-` where it was not (or could not be) sampled."""
    return "100" if value is not None and value >= 0.995 else percent(value)


def worker_cells(worker: WorkerState, now: float) -> tuple[str, ...]:
    """Each column's text, padded to its width: what the worker's line shows, cheaper to build
    and compare than the line (most progress events move no cell of a 6-cell bar)."""
    ident = "-" if worker.pid is None else (f"t{worker.tid}" if worker.tid != worker.pid else f"p{worker.pid}")
    cells = (worker.index, ident, visible(SHORT.get(worker.status, worker.status)), progress_bar(worker, now),
             short_seconds(worker.elapsed(now)), short_seconds(worker.cpu_s), held_share(worker.gil_held),
             "-" if worker.core is None else worker.core)
    return tuple(f"{cell:{fmt}}" for cell, (fmt, _) in zip(cells, COLUMNS))


def cells_line(cells: tuple[str, ...], status: str) -> Text:
    """The line of `worker_cells`, its state cell in its state's colour:
    `  0 t41233  run    ████░░  1.4s  0.0s 48%    1`."""
    return Text.assemble(" ".join(cells[:2]) + " ", (cells[2], STATE_STYLE.get(status, "")), " " + " ".join(cells[3:]))


class WorkerTable(ScrollView):
    """Line 0 is the header; worker i is virtual line i + 1, scrolled beneath it.

    A frame rebuilds the shown lines of the workers the fold marked changed (`Changes.workers`),
    and on a tick those of the running workers, whose time moves; a line out of view is only
    marked stale, and rebuilt when it is drawn (scrolled into view) or read: one progress
    event costs one line, and a tick the lines on screen, at any number of workers. Each line's
    styled Strip is kept until its text changes, as Textual's Log keeps its lines'."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._lines: list[Text] = []
        self._cells: list[tuple[str, ...]] = []  # what each line shows, by worker index
        self._stale: set[int] = set()  # lines out of view whose worker (or time) moved since they were built
        self._workers: list[WorkerState] = []  # the shown run's
        self._run: int | None = None
        self._now = 0.0  # the time the time-driven cells are built at
        self._strips: LRUCache[int, Strip] = LRUCache(1024)  # by worker index, uncropped

    @property
    def lines(self) -> list[Text]:
        """Every worker's line as it would be drawn now."""
        for index in list(self._stale):
            self._rebuild(index)
        return self._lines

    def reset(self) -> None:
        """Forget what is shown: the next `show` redraws every line."""
        self._run = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the strips are drawn over the pane's own style

    def show(self, model: SessionModel, changes: Changes) -> None:
        """Redraw the lines `changes.workers` names, and the running workers' when the time moved."""
        if changes.restart:
            self.reset()
        if changes.events or model.state.live is not None:
            self.draw(model.state.current, changes.workers, changes.now)

    def draw(self, run: RunState | None, dirty: set[int], now: float) -> None:
        if run is None:
            return
        if run.started.run != self._run:
            self._run, self._now, self._workers = run.started.run, now, run.workers
            self._cells = [worker_cells(worker, now) for worker in run.workers]
            self._lines = [cells_line(cells, worker.status) for cells, worker in zip(self._cells, run.workers)]
            self._stale.clear()
            self._strips.clear()
            self.virtual_size = Size(max(len(HEADER), *(line.cell_len for line in self._lines)), len(self._lines) + 1)
            self.refresh()
            return
        if now != self._now:
            self._now = now
            dirty = dirty | {worker.index for worker in run.workers if worker.status == "running"}
        scroll_x, scroll_y = self.scroll_offset
        height = self.size.height
        for index in dirty:
            y = index + 1 - scroll_y
            if not 1 <= y < height:  # out of view: built when it is drawn
                self._stale.add(index)
                continue
            old = self._lines[index]
            if self._rebuild(index) and (spans := changed_spans(old, self._lines[index])):
                # only the changed cells: a ticking time column is 4 cells, not the whole line
                self.refresh(*(Region(first - scroll_x, y, end - first, 1) for first, end in spans))

    def _rebuild(self, index: int) -> bool:
        """Bring worker `index`'s line up to date; whether its text changed."""
        self._stale.discard(index)
        worker = self._workers[index]
        cells = worker_cells(worker, self._now)
        if cells == self._cells[index]:
            return False
        self._cells[index] = cells
        self._lines[index] = cells_line(cells, worker.status)
        self._strips.discard(index)
        return True

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            return text_strip(HEADER, self.app.console, self.rich_style, scroll_x, width)
        index = scroll_y + y - 1
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, self.rich_style)
        if index in self._stale:
            self._rebuild(index)
        strip = self._strips.get(index)
        if strip is None:
            strip = self._strips[index] = styled_strip(self._lines[index], self.app.console, self.rich_style)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)
