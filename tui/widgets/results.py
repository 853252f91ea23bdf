"""The results pane: every finished run of the session, and wall time per mode as a bar chart."""
from __future__ import annotations

from conctui.engine.figures import speedups, summarize
from conctui.engine.modes import MODES
from conctui.engine.untrusted import visible
from conctui.widgets.table import ReadOnlyTable
from conctui.widgets.untrusted_text import plain
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual_plotext import PlotextPlot


def _num(value: float | None, unit: str = "", digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


class ResultsPane(Horizontal):
    """The table is rebuilt whenever the number of finished runs changes (a session has a few
    rows, and a new run changes every speedup); the chart shows medians for the current workload."""

    def compose(self) -> ComposeResult:
        yield ReadOnlyTable(id="results-table", cursor_type="row", zebra_stripes=False)
        yield PlotextPlot(id="results-chart")

    def on_mount(self) -> None:
        table = self.query_one(ReadOnlyTable)
        for name in ("mode", "n", "wall", "cpu", "par", "speedup", "status"):
            table.add_column(name)
        self._count = 0

    def reset(self) -> None:
        self._count = -1

    def show(self, runs: list[dict]) -> None:
        """`runs`: figures of every finished run so far, oldest first."""
        if len(runs) == self._count:
            return
        table = self.query_one(ReadOnlyTable)
        table.clear()
        for figures, speedup in zip(runs, speedups(runs)):
            status = figures["status"]
            # Text cells, never str: a DataTable reads a str cell as markup
            table.add_row(plain(figures["mode"]), str(figures["workers"]), _num(figures["wall_s"], "s"),
                          _num(figures["cpu_s"], "s"), _num(figures["parallelism"]), _num(speedup, "x"),
                          plain(status[:7], "" if status == "done" else "bold red"))
        self._count = len(runs)
        if runs:
            table.move_cursor(row=len(runs) - 1)
        self._chart(runs)

    def _chart(self, runs: list[dict]) -> None:
        """Median wall per mode for the latest run's workload, workers and interpreter."""
        latest = runs[-1] if runs else None
        rows = [r for r in summarize(runs) if latest and r["wall_s"] is not None
                and (r["workload"], r["workers"], r["python"]) ==
                (latest["workload"], latest["workers"], latest["python"].get("executable", ""))]
        plot = self.query_one(PlotextPlot)
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
