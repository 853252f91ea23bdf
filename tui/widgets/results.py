"""The results pane: every finished run of the session, wall time per mode as a bar chart, and
under them what the highlighted run left in memory and what crossing cost (engine/memory.py).

The chart (textual-plotext, ~50 ms of imports on a quiet machine, a third of conctui's own)
is mounted after the first frame: the first frame has no run to chart (bench/startup.py).
"""
from __future__ import annotations

from conctui.engine.figures import speedups, summarize
from conctui.engine.modes import MODES
from conctui.engine.untrusted import visible
from conctui.widgets.table import ReadOnlyTable
from conctui.widgets.untrusted_text import plain
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import DataTable, Static

MEMORY_LINES = 3  # at 80x24: the lesson's two names and the IPC line


def _num(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def ipc_share(ipc: dict | None) -> str:
    """The share of wall a worker spent moving values; `ref` where they are passed by reference."""
    if ipc is None or ipc["share"] is None:
        return "-"
    return "ref" if not ipc["in_bytes"] and not ipc["out_bytes"] else f"{ipc['share']:.0%}"


def memory_text(figures: dict) -> str:
    """`threads  counter: parent 0 → 200000` and the IPC line, each shown safely on one line."""
    lines = list(figures["memory"]["lines"]) if figures.get("memory") else []
    if figures.get("ipc"):
        lines.append(figures["ipc"]["line"])
    label = MODES[figures["mode"]].label if figures["mode"] in MODES else figures["mode"]
    return "\n".join(f"{label if number == 0 else '':<8}{visible(line)}"
                     for number, line in enumerate(lines[:MEMORY_LINES]))


class ResultsPane(Vertical):
    """The table is rebuilt whenever the number of finished runs changes (a session has a few
    rows, and a new run changes every speedup); the chart shows medians for the current workload;
    under them, the highlighted run's memory lines."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="results-top"):
            yield ReadOnlyTable(id="results-table", cursor_type="row", zebra_stripes=False)
        yield Static(id="results-memory", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(ReadOnlyTable)
        for name in ("mode", "n", "wall", "cpu", "par", "speedup", "ipc", "status"):
            table.add_column(name)
        self._count = 0
        self._runs: list[dict] = []
        self._plot: Widget | None = None
        self._charted: list[dict] = []  # what the chart shows, or will once it is mounted
        self.call_after_refresh(self._mount_chart)

    def _mount_chart(self) -> None:
        from textual_plotext import PlotextPlot

        self._plot = PlotextPlot(id="results-chart")
        self.query_one("#results-top").mount(self._plot)
        self._chart(self._charted)

    def reset(self) -> None:
        self._count = -1

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The highlighted run's memory lines: the latest after a run, any one by moving the cursor."""
        figures = self._runs[event.cursor_row] if 0 <= event.cursor_row < len(self._runs) else {}
        text = memory_text(figures) if figures else ""
        memory = self.query_one("#results-memory", Static)
        memory.update(text)
        self.set_class(bool(text), "with-memory")

    def show(self, runs: list[dict]) -> None:
        """`runs`: figures of every finished run so far, oldest first."""
        if len(runs) == self._count:
            return
        table = self.query_one(ReadOnlyTable)
        table.clear()
        self._runs = runs
        for figures, speedup in zip(runs, speedups(runs)):
            status = figures["status"]
            # Text cells, never str: a DataTable reads a str cell as markup
            table.add_row(plain(figures["mode"]), str(figures["workers"]), _num(figures["wall_s"], "s"),
                          _num(figures["cpu_s"], "s"), _num(figures["parallelism"]), _num(speedup, "x"),
                          ipc_share(figures.get("ipc")), plain(status[:7], "" if status == "done" else "bold red"))
        self._count = len(runs)
        if runs:
            table.move_cursor(row=len(runs) - 1)
        self._chart(runs)

    def _chart(self, runs: list[dict]) -> None:
        """Median wall per mode for the latest run's workload, workers and interpreter."""
        self._charted = runs
        if self._plot is None:
            return
        latest = runs[-1] if runs else None
        rows = [r for r in summarize(runs) if latest and r["wall_s"] is not None
                and (r["workload"], r["workers"], r["python"]) ==
                (latest["workload"], latest["workers"], latest["python"].get("executable", ""))]
        plot = self._plot
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if rows:
            # one row per bar, no frame or ticks: at 80x24 every row is a bar (the table has the numbers)
            plt.bar([MODES[r["mode"]].label if r["mode"] in MODES else visible(r["mode"]) for r in rows],
                    [r["wall_s"] for r in rows], orientation="h", width=0.3)
            plt.frame(False)
            plt.xticks([])
        plot.refresh()
