"""The workers pane: one line per worker under a fixed header, scrolling for hundreds of them.

Each line is drawn with one style (its state keeps its colour), so a worker whose figures
changed costs one short line over SSH: a table's per-cell styles cost twice the bytes
(bench/ssh_bytes.py). Only lines whose text changed are rebuilt and redrawn.
"""
from __future__ import annotations

from conctui.engine.state import RunState, WorkerState
from conctui.engine.untrusted import visible
from conctui.widgets.spans import changed_span
from conctui.widgets.strips import styled_strip, text_strip
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

BAR = 6
COLUMNS = ((">3", "#"), ("<7", "id"), ("<6", "state"), ("<6", "prog"), (">4", "time"), (">4", "cpu"),
           (">3", "gil"), (">4", "core"))  # 44 cells: what the pane holds at 80x24 beside its scrollbar
HEADER = Text(" ".join(f"{label:{fmt}}" for fmt, label in COLUMNS), "bold")
STATE_STYLE = {"running": "yellow", "done": "green", "failed": "bold red", "crashed": "bold red",
               "cancelled": "magenta", "waiting": "dim"}
SHORT = {"cancelled": "cancel", "running": "run"}


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


def _seconds(value: float | None) -> str:
    """Four cells up to 999 s: tenths below 10 s, whole seconds above."""
    return "-" if value is None else f"{value:.1f}s" if value < 10 else f"{value:.0f}s"


def held_share(value: float | None) -> str:
    """Three cells: `48%`, `100`, or `-` where it was not (or could not be) sampled."""
    return "-" if value is None else "100" if value >= 0.995 else f"{value:.0%}"


def worker_cells(worker: WorkerState, now: float) -> tuple[str, ...]:
    """Each column's text, padded to its width: what the worker's line shows, cheaper to build
    and compare than the line (most progress events move no cell of a 6-cell bar)."""
    ident = "-" if worker.pid is None else (f"t{worker.tid}" if worker.tid != worker.pid else f"p{worker.pid}")
    cells = (worker.index, ident, visible(SHORT.get(worker.status, worker.status)), progress_bar(worker, now),
             _seconds(worker.elapsed(now)), _seconds(worker.cpu_s), held_share(worker.gil_held),
             "-" if worker.core is None else worker.core)
    return tuple(f"{cell:{fmt}}" for cell, (fmt, _) in zip(cells, COLUMNS))


def cells_line(cells: tuple[str, ...], status: str) -> Text:
    """The line of `worker_cells`, its state cell in its state's colour."""
    return Text.assemble(" ".join(cells[:2]) + " ", (cells[2], STATE_STYLE.get(status, "")), " " + " ".join(cells[3:]))


def worker_line(worker: WorkerState, now: float) -> Text:
    """`  0 t41233  run    ████░░  1.4s  0.0s 48%    1`: a worker as its line shows it."""
    return cells_line(worker_cells(worker, now), worker.status)


class WorkerTable(ScrollView):
    """Line 0 is the header; worker i is virtual line i + 1, scrolled beneath it.

    A frame rebuilds the lines of the workers the fold marked changed (`RunState.changed`), and
    on a tick those of the running workers, whose time moves: one progress event costs one
    line at any number of workers. Each line's styled Strip is kept until its text changes, as
    Textual's Log keeps its lines'."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self._cells: list[tuple[str, ...]] = []  # what each line shows, by worker index
        self._run: int | None = None
        self._now: float | None = None  # the time the time-driven cells were built at
        self._strips: LRUCache[int, Strip] = LRUCache(1024)  # by worker index, uncropped

    def reset(self) -> None:
        """Forget what is shown: the next `show` redraws every line."""
        self._run = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # the strips are drawn over the pane's own style

    def show(self, run: RunState | None, now: float) -> None:
        """Redraw the lines `run.changed` names, and the running workers' when `now` moved."""
        if run is None:
            return
        if run.started.run != self._run:
            self._run, self._now = run.started.run, now
            self._cells = [worker_cells(worker, now) for worker in run.workers]
            self.lines = [cells_line(cells, worker.status) for cells, worker in zip(self._cells, run.workers)]
            self._strips.clear()
            self.virtual_size = Size(max(len(HEADER), *(line.cell_len for line in self.lines)), len(self.lines) + 1)
            self.refresh()
            return
        dirty = run.changed
        if now != self._now:
            self._now = now
            dirty = dirty | {worker.index for worker in run.workers if worker.status == "running"}
        scroll_x, scroll_y = self.scroll_offset
        height = self.size.height
        for index in dirty:
            worker = run.workers[index]
            cells = worker_cells(worker, now)
            if cells == self._cells[index]:
                continue
            line = cells_line(cells, worker.status)
            self._cells[index] = cells
            old, self.lines[index] = self.lines[index], line
            self._strips.discard(index)
            y = index + 1 - scroll_y
            if 1 <= y < height:  # a line scrolled out of view is drawn when it scrolls in
                # only the changed cells: a ticking time column is 4 cells, not the whole line
                start, end = changed_span(old, line)
                self.refresh(Region(start - scroll_x, y, end - start, 1))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            return text_strip(HEADER, self.app.console, self.rich_style, scroll_x, width)
        index = scroll_y + y - 1
        if not 0 <= index < len(self.lines):
            return Strip.blank(width, self.rich_style)
        strip = self._strips.get(index)
        if strip is None:
            strip = self._strips[index] = styled_strip(self.lines[index], self.app.console, self.rich_style)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)
