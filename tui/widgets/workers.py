"""The workers pane: one row per worker, updated cell by cell (never cleared per frame)."""
from __future__ import annotations

from typing import Any

from conctui.engine.state import RunState, WorkerState
from conctui.widgets.table import ReadOnlyTable
from rich.text import Text
from textual.geometry import Region

BAR = 8
ID_WIDTH = 9
COLUMNS = ("#", "id", "state", "progress", "time", "cpu", "core")
SHORT = {"cancelled": "cancel", "running": "run"}
STATE_STYLE = {"running": "yellow", "done": "green", "failed": "bold red", "crashed": "bold red",
               "cancelled": "magenta", "waiting": "dim"}


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
    return "-" if value is None else f"{value:.1f}s" if value < 100 else f"{value:.0f}s"


def worker_cells(worker: WorkerState, now: float) -> tuple:
    """The row's cells, each led by a space: the table has no cell padding, to fit 80 columns."""
    ident = "-" if worker.pid is None else (f"t{worker.tid}" if worker.tid != worker.pid else f"p{worker.pid}")
    state = SHORT.get(worker.status, worker.status)
    return (
        f"{worker.index:>3}", f" {ident}", Text(f" {state}", STATE_STYLE.get(worker.status, "")),
        f" {progress_bar(worker, now)}", f" {_seconds(worker.elapsed(now)):>5}", f" {_seconds(worker.cpu_s):>5}",
        f" {'-' if worker.core is None else worker.core:>4}",
    )


class WorkerTable(ReadOnlyTable):
    """Scrolls for hundreds of workers; only cells whose text changed are sent to the terminal."""

    _cells_only = False

    def on_mount(self) -> None:
        self.cursor_type = "none"
        self.cell_padding = 0
        for name, label in zip(COLUMNS, ("  #", " id", " state", " progress", "  time", "   cpu", " core")):
            # the id is sized for a 7-digit pid from the start: it is "-" until the worker starts
            self.add_column(label, key=name, width=ID_WIDTH if name == "id" else None)
        self._run: int | None = None
        self._shown: dict[tuple[int, str], str] = {}

    def reset(self) -> None:
        """Forget what is shown: the next `show` rebuilds the rows."""
        self._run = None
        self.clear()

    def show(self, run: RunState | None, now: float) -> None:
        if run is None:
            return
        if run.started.run != self._run:
            self._run = run.started.run
            self.clear()
            self._shown = {}
            for worker in run.workers:
                cells = worker_cells(worker, now)
                self.add_row(*cells, key=str(worker.index))
                self._shown.update({(worker.index, c): str(v) for c, v in zip(COLUMNS, cells)})
            return
        self._cells_only = True
        try:
            for worker in run.workers:
                for column, value in zip(COLUMNS, worker_cells(worker, now)):
                    if self._shown.get((worker.index, column)) != str(value):
                        self._shown[(worker.index, column)] = str(value)
                        self.update_cell(str(worker.index), column, value)
                        self.refresh_coordinate(self.get_cell_coordinate(str(worker.index), column))
        finally:
            self._cells_only = False

    def refresh(self, *regions: Region, **kwargs: Any) -> WorkerTable:
        """While cells change, repaint those cells only: update_cell repaints the whole table
        (borders, header, every row), over twice the bytes on the wire (bench/ssh_bytes.py)."""
        if self._cells_only and not regions and not kwargs:
            return self
        return super().refresh(*regions, **kwargs)
