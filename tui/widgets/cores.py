"""The cores pane: a sparkline per core while they fit, a heat strip (one cell a core) past that.

Drawn as plain text with one style per row: a colour per cell would multiply the bytes
sent over SSH. Cores are grouped by host, so a cluster's machines read apart.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from conctui.engine.figures import gil_figures, gil_scope
from conctui.engine.state import CoreHost, SessionState
from conctui.engine.text import gil_held_cell, percent, short_note
from conctui.engine.untrusted import visible
from conctui.widgets.spans import changed_span
from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel

BLOCKS = " ▁▂▃▄▅▆▇█"


def level(percent: float) -> str:
    return BLOCKS[min(8, max(0, round(percent / 100 * 8)))]


def load_style(percent: float) -> str:
    return "red" if percent >= 85 else "yellow" if percent >= 50 else "green"


def _sparklines(host: CoreHost, width: int) -> list[Text]:
    lines = []
    span = max(1, width - 9)
    for index, (history, now) in enumerate(zip(host.history, host.now)):
        spark = "".join(level(v) for v in list(history)[-span:]).rjust(span, " ")
        lines.append(Text.assemble(f"{index:>3} ", (spark, load_style(now)), f" {now:>3.0f}%"))
    return lines


def _heat_strips(host: CoreHost, width: int, label: str) -> list[Text]:
    """Many cores: one cell per core, as many rows as needed, after the host's label and mean."""
    mean = sum(host.now) / len(host.now)
    head = f"{label} {mean:>3.0f}% "
    per_row = max(1, width - cell_len(head))
    cells = "".join(level(v) for v in host.now)
    rows = [cells[i:i + per_row] for i in range(0, len(cells), per_row)]
    return [Text.assemble(head if i == 0 else " " * cell_len(head), (row, load_style(mean)))
            for i, row in enumerate(rows)]


def host_label(host: CoreHost) -> str:
    """A host's name as it may be shown (a cluster or a recording names it), or `local`."""
    return visible(host.name) or "local"


def core_lines(state: SessionState, width: int, height: int) -> list[Text]:
    """Sparklines per core while every core of every host fits; else a heat strip per host."""
    hosts = [h for h in state.hosts.values() if h.now]
    named = len(hosts) > 1
    if sum(len(h.now) for h in hosts) + (len(hosts) if named else 0) <= height:
        lines: list[Text] = []
        for host in hosts:
            if named:
                lines.append(Text(f"{host_label(host)}: {len(host.now)} cores", "bold"))
            lines += _sparklines(host, width)
        return lines
    label = min(12, max((cell_len(host_label(h)) for h in hosts), default=5))
    return [line for host in hosts for line in _heat_strips(host, width, set_cell_size(host_label(host), label))]


def gil_line(state: SessionState) -> Text:
    """The run's GIL figures (engine/figures.gil_figures): the workers' wait and held with one
    GIL; held `each` where every worker has its own (a mean, never a sum); or why there are none."""
    run = state.current
    if run is None or (run.gil_workers is None and gil_scope(run) != "none"):
        return Text("GIL -", "dim")
    figures = gil_figures(run, state.t)
    if figures["gil_note"] is not None:  # two words fit the side pane: `ptrace refused`, `own GIL`
        note = short_note(figures["gil_note"])
        if note == "no GIL":
            return Text.assemble(("no GIL", "bold"), (" (free-threaded)", "dim"))
        return Text.assemble(("GIL", "bold"), (f": {note}", "dim"))
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
        cluster = (model.header.mode if model.header is not None else "") == "dask"
    if cluster or state.local_host not in state.hosts:
        return state
    return replace(state, hosts={state.local_host: state.hosts[state.local_host]})


class CoresPane(Widget):
    """Re-rendered only when the text it would show differs from what it shows."""

    def on_mount(self) -> None:
        self._text = Text()
        self._plain = ""
        self._lines: list[Text] = []
        self._state: SessionState | None = None
        self._hosts: tuple[str, ...] = ()  # the hosts drawn (in_use)

    def on_resize(self) -> None:
        """A new size may change what fits: sparklines or heat strips."""
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
        lines = core_lines(state, self.content_size.width or 30, max(1, self.content_size.height - 1))
        lines.append(Text.assemble((f"app {state.app_cpu or 0:.0f}%", "dim"), " ", gil_line(state)))
        text = Text("\n").join(lines)
        if text.plain == self._plain:
            return
        old, self._lines = self._lines, lines
        self._text, self._plain = text, text.plain
        width = self.content_size.width
        if len(old) != len(lines) or any(line.cell_len > width for line in lines):
            self.refresh()  # lines came or went, or one wraps: every line may have moved
            return
        for y, (before, line) in enumerate(zip(old, lines)):
            # only the changed cells: a core's percentage is 4 cells, its sparkline's tail as far as it moved
            if (span := changed_span(before, line)) is not None:
                self.refresh(Region(span[0], y, span[1] - span[0], 1))

    def render(self) -> Text:
        return self._text
