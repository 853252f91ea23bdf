"""The sweep's plan, shown before it starts: each mode's worker counts, how many runs and about
how long they take. Enter starts it, escape closes without running anything."""
from __future__ import annotations

from conctui.engine.events import SweepStarted
from conctui.engine.sweep import plan
from conctui.engine.text import seconds
from conctui.engine.untrusted import visible
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static


def plan_text(planned: SweepStarted, time_s: float | None) -> Table:
    """Each mode's worker counts, the number of runs, about how long, and how to stop it."""
    table = Table.grid()
    table.add_row(Text.assemble(("Sweep of ", "bold"), (visible(planned.workload), "bold"),
                                ": speedup against the number of workers"))
    for mode in planned.modes:
        table.add_row(f"  {mode:<10} at {', '.join(map(str, planned.workers))} workers")
    runs = len(plan(planned.modes, planned.workers, planned.repeat))
    took = ("its time left shows once its first run ends" if time_s is None
            else f"about {seconds(time_s, 0)}, from one worker's time in this session's runs")
    table.add_row(f"{runs} runs, one after another: {took}")
    table.add_row(Text("x stops it at any time, keeping the points so far", "dim"))
    return table


class SweepPlan(ModalScreen[bool]):
    """Returns True to start the sweep, False if closed."""

    BINDINGS = [Binding("enter", "dismiss(True)", "start"), Binding("escape,q,S", "dismiss(False)", "close")]

    def __init__(self, planned: SweepStarted, time_s: float | None) -> None:
        super().__init__()
        self._plan = plan_text(planned, time_s)

    def compose(self) -> ComposeResult:
        box = Static(self._plan, id="sweep-plan")
        box.border_title = "sweep: enter starts, escape closes"
        yield box
