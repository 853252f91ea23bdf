"""The workers pane: one line per worker under a fixed header, scrolling for hundreds of them.

Each line is drawn with one style (its state keeps its colour), so a worker whose figures
changed costs one short line over SSH: a table's per-cell styles cost twice the bytes
(bench/ssh_bytes.py). Only lines whose text changed are redrawn.
"""
from __future__ import annotations

from conctui.engine.state import RunState, WorkerState
from conctui.engine.untrusted import visible
from conctui.widgets.spans import changed_span
from conctui.widgets.strips import text_strip
from rich.text import Text
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


def worker_line(worker: WorkerState, now: float) -> Text:
    """`  0 t41233  run    ████░░  1.4s  0.0s 48%    1`: a worker as its line shows it."""
    ident = "-" if worker.pid is None else (f"t{worker.tid}" if worker.tid != worker.pid else f"p{worker.pid}")
    cells = (worker.index, ident, visible(SHORT.get(worker.status, worker.status)), progress_bar(worker, now),
             _seconds(worker.elapsed(now)), _seconds(worker.cpu_s), held_share(worker.gil_held),
             "-" if worker.core is None else worker.core)
    shown = [f"{cell:{fmt}}" for cell, (fmt, _) in zip(cells, COLUMNS)]
    return Text.assemble(" ".join(shown[:2]) + " ", (shown[2], STATE_STYLE.get(worker.status, "")),
                         " " + " ".join(shown[3:]))


class WorkerTable(ScrollView):
    """Line 0 is the header; worker i is virtual line i + 1, scrolled beneath it."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self._run: int | None = None

    def reset(self) -> None:
        """Forget what is shown: the next `show` redraws every line."""
        self._run = None

    def show(self, run: RunState | None, now: float) -> None:
        if run is None:
            return
        lines = [worker_line(worker, now) for worker in run.workers]
        if run.started.run != self._run:
            self._run = run.started.run
            self.lines = lines
            self.virtual_size = Size(max(len(HEADER), *(line.cell_len for line in lines)), len(lines) + 1)
            self.refresh()
            return
        for index, line in enumerate(lines):
            span = changed_span(self.lines[index], line)
            if span is not None:
                self.lines[index] = line
                # only the changed cells: a ticking time column is 4 cells, not the whole line
                start, end = span
                self.refresh(Region(start - self.scroll_offset.x, index + 1 - self.scroll_offset.y, end - start, 1))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            text = HEADER
        else:
            index = self.scroll_offset.y + y - 1
            if not 0 <= index < len(self.lines):
                return Strip.blank(width, self.rich_style)
            text = self.lines[index]
        return text_strip(text, self.app.console, self.rich_style, self.scroll_offset.x, width)
