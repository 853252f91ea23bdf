"""The cores pane: every core's recent history (widgets/core_grid.py lays it out for the room the
pane has), then conctui's own CPU and the run's GIL figures.

Each line the pane draws is one row (a long one is wrapped here, not by Textual), so it knows
which cells each change moves: it marks only those dirty, and the blanks a shorter line or a
pane with fewer rows leaves behind (widgets/spans.py).
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from conctui.engine.figures import gil_figures, gil_scope
from conctui.engine.state import SessionState
from conctui.engine.text import gil_held_cell, load_percent, percent
from conctui.engine.untrusted import visible
from conctui.widgets.core_grid import core_lines, crop, load_style
from conctui.widgets.spans import changed_rows
from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel

NOTE_CELLS = 16  # a GIL reason's room at 80x24: 30 cells less `app 100% GIL: `


def gil_line(state: SessionState) -> Text:
    """The run's GIL figures (engine/figures.gil_figures): the workers' wait and held with one
    GIL; held `each` where every worker has its own (a mean, never a sum); or why there are none."""
    run = state.current
    if run is None and state.watch is not None:  # a watched program: a GIL per process, each thread's share
        return Text("GIL: see threads", "dim")
    if run is None or (run.gil_workers is None and gil_scope(run) != "none"):
        return Text("GIL -", "dim")
    figures = gil_figures(run, state.t)
    if figures["gil_note"] is not None:
        note = visible(figures["gil_note"].split(":")[0].split(" (")[0])  # `ptrace refused`, `no GIL`
        if note == "no GIL":
            return Text.assemble(("no GIL", "bold"), (" (free-threaded)", "dim"))
        # a reason the side pane cannot hold whole is not cut: the output pane has it in full
        return Text.assemble(("GIL", "bold"), (f": {note}" if len(note) <= NOTE_CELLS else " - (why: output)", "dim"))
    held = gil_held_cell(figures["gil_held"], figures["gil_scope"], None)
    if figures["gil_scope"] != "one":  # each worker alone on its GIL: waiting for it says nothing here
        return Text.assemble(("GIL held ", "bold"), held)
    wait = figures["gil_wait"]
    if wait is None and figures["gil_wait_note"]:  # held is read, wait cannot be on this CPU: say why
        reason = visible(figures["gil_wait_note"].split(":")[0])  # `not measured on riscv64`
        return Text.assemble(("GIL held ", "bold"), held, (f", wait {reason}", "dim"))
    return Text.assemble(("GIL wait ", "bold"), (percent(wait), load_style(100 * (wait or 0))), f" held {held}")


def in_use(model: SessionModel) -> SessionState:
    """The state with the hosts the current run uses, or, between runs, the next one will: a
    Dask cluster's hosts only for a Dask run (once it has ended, only while Dask is next)."""
    state = model.state
    if state.live is not None:
        cluster = state.live.started.mode == "dask" or state.live.cluster is not None
    else:
        cluster = getattr(model.header, "mode", "") == "dask"  # a watched program's line has no mode
    if cluster or state.local_host not in state.hosts:
        return state
    return replace(state, hosts={state.local_host: state.hosts[state.local_host]})


def room_classes(cores: int, width: int, height: int) -> dict[str, bool]:
    """The screen classes (app.tcss) that give the pane room its cores need, from the machine
    and the screen alone (never the pane's own size, which they change): on a short screen,
    rows for more than 4 cores' sparklines (16 in 4 rows of 4 columns); on a wide one, columns
    for more than 16 (64 in 13 rows of 5)."""
    return {"cores-tall": cores > 4 and height < 30, "cores-wide": cores > 16 and width >= 110}


class CoresPane(Widget):
    """Re-rendered only when the text it would show differs from what it shows."""

    def on_mount(self) -> None:
        self._text = Text()
        self._rows: list[Text] = []
        self._state: SessionState | None = None
        self._hosts: tuple[str, ...] = ()  # the hosts drawn (in_use)

    def on_resize(self) -> None:
        """A new size may change what fits: sparklines or a heat map."""
        if self._state is not None:
            self.draw(self._state)

    def show(self, model: SessionModel, changes: Changes) -> None:
        """Redraw when a host's cores were sampled or the GIL figures moved."""
        state = in_use(model)
        if changes.hosts or changes.gil or changes.restart or tuple(state.hosts) != self._hosts:
            self._hosts = tuple(state.hosts)
            self.draw(state)

    def draw(self, state: SessionState) -> None:
        self._state = state
        cores = sum(len(host.now) for host in state.hosts.values())
        for name, wanted in room_classes(cores, *self.app.size).items():
            self.screen.set_class(wanted, name)
        self._draw(self.pane_rows(state, self.content_size.width or 30, self.content_size.height or 1))

    def pane_rows(self, state: SessionState, width: int, height: int) -> list[Text]:
        """The pane's rows: the cores above; below, wrapped, the app's CPU, the GIL line and (a watch
        while no core is idle) that sampling is halved."""
        watch = state.watch.last if state.watch is not None and state.current is None else None
        halved = " · sampling halved: no core idle" if watch is not None and watch.busy else ""  # sampler.BACK_OFF
        footer = Text.assemble((f"app {load_percent(state.app_cpu or 0)}", "dim"), " ", gil_line(state),
                               (halved, "dim"))
        below = [crop(row, width) for row in footer.wrap(self.app.console, width)][:height]
        return core_lines(list(state.hosts.values()), width, height - len(below)) + below

    def _draw(self, rows: list[Text]) -> None:
        """Show `rows`, marking dirty only the cells that differ from the rows shown."""
        old, self._rows = self._rows, rows
        self._text = Text("\n").join(rows)
        dirty = [Region(start, y, end - start, 1) for y, start, end in changed_rows(old, rows)]
        if dirty:  # one refresh for them all; none would repaint it all
            self.refresh(*dirty)

    def render(self) -> Text:
        return self._text
