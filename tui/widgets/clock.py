"""The run's clock while it runs, and its three figures once it has ended."""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.state import RunState
from conctui.engine.text import busy_cores, mode_label, seconds, seconds_cell
from conctui.engine.untrusted import visible
from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel
    from conctui.source import HeaderLine


def cluster_text(run: RunState, roomy: bool) -> str:
    """A Dask run's cluster: where, how big, and what it cost apart from the run's own wall time."""
    cluster = run.cluster
    if cluster is None:
        return ""
    text = f"{visible(cluster.scheduler)} {cluster.workers}w×{cluster.threads}t\n"
    if cluster.dashboard and roomy:
        text += f"{visible(cluster.dashboard)}\n"
    if cluster.startup_s is not None:
        text += f"{visible(cluster.kind)}: up {seconds_cell(cluster.startup_s)}"
        text += f" down {seconds_cell(cluster.shutdown_s)}\n" if cluster.shutdown_s is not None else "\n"
    return text


def clock_text(run: RunState | None, now: float, roomy: bool = True, figures: dict | None = None,
               width: int = 30, cluster: bool = True) -> str:
    """`figures`: the ended run's (engine/model.py computed them when it ended). Each line fits
    `width`: a long mode name gives way to its label (`interp`). `cluster`: the Dask cluster's
    lines (not once the next run will not use it)."""
    if run is None:
        return "no run yet: ⏎ run, c compare"
    above = cluster_text(run, roomy) if cluster else ""
    mode = visible(run.started.mode)
    if run.finished is None or figures is None:
        return f"{above}{mode}: elapsed {seconds(run.elapsed(now), 1)}"
    ended = f"{figures['status']} · wall {seconds(figures['wall_s'])}"
    if len(mode) + 1 + len(ended) > width:
        mode = mode_label(run.started.mode)
    return (f"{above}{mode} {ended}\n"
            f"cpu {seconds(figures['cpu_s'])} · parallelism {busy_cores(figures['parallelism'])}")


class ElapsedClock(Static):
    """Moves once a tick (the sampler's heartbeat, 1 s by default) while a run is live; silent otherwise."""

    _shown = ""
    _header: HeaderLine | None = None

    def show(self, model: SessionModel, changes: Changes) -> None:
        if not changes.events and model.state.live is None and model.header == self._header:
            return
        self._header = model.header
        run = model.state.current
        figures = model.figures_of(run) if run is not None else None
        # the ended run's cluster only while the next run is a Dask run too
        cluster = model.state.live is not None or model.header is None or model.header.mode == "dask"
        text = clock_text(run, changes.now, roomy=self.app.size.height >= 30, figures=figures,  # 80x24: lines for cores
                          width=self.content_size.width or 30, cluster=cluster)
        if text != self._shown:
            # a layout pass repaints every pane: ask for one only when the number of lines changes,
            # not on each tick (bench/ui_cost.py: live app CPU 12.5% -> 8.4% of a core)
            lines_changed = text.count("\n") != self._shown.count("\n")
            self._shown = text
            self.update(Text(text), layout=lines_changed)  # Text: an address's "[...]" is not markup
