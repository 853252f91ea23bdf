"""The run's clock while it runs, and its three figures once it has ended."""
from __future__ import annotations

from conctui.engine.figures import run_figures
from conctui.engine.state import RunState
from textual.widgets import Static


def clock_text(run: RunState | None, now: float) -> str:
    if run is None:
        return "no run yet: enter runs, c compares"
    if run.finished is None:
        return f"{run.started.mode}: elapsed {run.elapsed(now):.1f} s"
    figures = run_figures(run)
    parallel = figures["parallelism"]
    return (f"{run.started.mode} {figures['status']} · wall {figures['wall_s']:.2f} s\n"
            f"cpu {figures['cpu_s']:.2f} s · parallelism {'-' if parallel is None else f'{parallel:.2f}'}")


class ElapsedClock(Static):
    """Ticks at 0.1 s resolution while a run is live; silent otherwise."""

    _shown = ""

    def show(self, run: RunState | None, now: float) -> None:
        text = clock_text(run, now)
        if text != self._shown:
            # a layout pass repaints every pane: ask for one only when the number of lines changes,
            # not on each tick (bench/ui_cost.py: live app CPU 12.5% -> 8.4% of a core)
            lines_changed = text.count("\n") != self._shown.count("\n")
            self._shown = text
            self.update(text, layout=lines_changed)
