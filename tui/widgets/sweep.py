"""The sweep screen: speedup against workers (a plotext line per mode, and the ideal), the
points, each mode's serial fraction, the progress (runs done of planned, the time left) and,
once it is over, the advice for this machine and this function.

It reads a view of the session (the app's: the latest sweep's document and its progress line)
twice a second while ticking, and redraws only when that changed; frames stepped by a test
call `show` instead. plotext is imported when the screen first opens, not at start-up.
"""
from __future__ import annotations

from collections.abc import Callable

from conctui.engine.sweep import draw
from conctui.engine.text import figure, mode_label, percent, ratio, seconds_cell
from conctui.engine.untrusted import visible
from conctui.widgets.footer import CompactFooter
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

SweepView = Callable[[], tuple[dict | None, str]]  # (the sweep's document or None, its progress line)


def points_table(sweep: dict) -> Table:
    table = Table(box=None, padding=(0, 0, 0, 1), header_style="bold")
    for name in ("mode", "N", "wall", "speedup", "effic."):
        table.add_column(name, justify="left" if name == "mode" else "right")
    for p in sweep["points"]:
        table.add_row(mode_label(p["mode"]), str(p["workers"]), seconds_cell(p["wall_s"]), ratio(p["speedup"]),
                      figure(p["efficiency"]))
    return table


def fits_text(sweep: dict) -> Text:
    """Each mode's serial fraction and how well the model fits, or why there is no fit."""
    text = Text()
    for number, (mode, found) in enumerate(sweep["fits"].items()):
        if number:
            text.append("\n")
        if found["serial_fraction"] is None:
            text.append(f"{mode}: no fit yet ({found['note']})", "dim")
            continue
        text.append(f"{mode}: ", "bold")
        text.append(f"serial fraction {figure(found['serial_fraction'])}")
        if found["quality"] is not None:
            text.append(f", fit {found['quality']} (RMS error {percent(found['rms_error'])})")
        if found["note"]:
            text.append(f": {found['note']}", "dim")
    text.append("\nfixed work per worker: speedup = N·wall(1)/wall(N); ideal min(N, cores)", "dim")
    return text


def advice_text(sweep: dict) -> Text:
    """What to run on this machine, once the sweep is over (engine/sweep.py's advice), else nothing."""
    if sweep["status"] == "running" or sweep["advice"] is None:
        return Text()
    return Text.assemble("\n", ("advice: ", "bold green"), visible(sweep["advice"]["text"]))


class SweepScreen(Screen[None]):
    BINDINGS = [Binding("escape,S", "app.pop_screen", "back to the panes"),
                Binding("x", "stop", "stop the sweep (keeps the points)", id="sweep-stop")]

    def __init__(self, view: SweepView, ticking: bool = True, can_stop: bool = False) -> None:
        super().__init__()
        self.view = view
        self.ticking = ticking
        self.can_stop = can_stop  # a live sweep: x cancels its run and the rest of its queue
        self._shown: tuple | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_stop if action == "stop" else True

    def action_stop(self) -> None:
        self.can_stop = False
        self.app.action_cancel()  # the live app's: the run so far is kept, the queue emptied
        self.refresh_bindings()

    def compose(self) -> ComposeResult:
        from textual_plotext import PlotextPlot

        yield Static(id="sweep-progress")
        with Horizontal(id="sweep-body"):
            yield PlotextPlot(id="sweep-chart")
            with Vertical(id="sweep-side"):
                yield Static(id="sweep-points")
        yield Static(id="sweep-fits")
        yield CompactFooter()

    def on_mount(self) -> None:
        self.show()
        if self.ticking:
            self.set_interval(0.5, self.show)

    def show(self) -> None:
        """Redraw from the view, if anything in it changed."""
        sweep, progress = self.view()
        shown = (progress, sweep and sweep["runs_done"], sweep and sweep["status"])
        if shown == self._shown:
            return
        self._shown = shown
        self.query_one("#sweep-progress", Static).update(Text(progress, "bold"))
        if sweep is None:
            return
        from textual_plotext import PlotextPlot

        plot = self.query_one(PlotextPlot)
        draw(plot.plt, sweep)
        plot.refresh()
        self.query_one("#sweep-points", Static).update(points_table(sweep))
        self.query_one("#sweep-fits", Static).update(Text.assemble(fits_text(sweep), advice_text(sweep)))
