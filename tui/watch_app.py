"""`conctui watch` with no target: this user's Python processes, busiest first; enter picks one.

Runs in conctui's process, on the UI thread, before any watch starts; the pid picked is then
watched in the one app (app.py) over a WatchSource (watch_source.py).
"""
from __future__ import annotations

from conctui.engine.text import load_percent
from conctui.engine.untrusted import visible
from conctui.terminal_driver import terminal_driver
from rich.text import Text
from textual.app import App
from textual.driver import Driver


class ChooseApp(App[int]):
    """The list, as a picker; exits with the pid chosen, or 0."""

    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, rows: list) -> None:
        super().__init__()
        self.rows = rows

    def get_driver_class(self) -> type[Driver]:
        return terminal_driver(super().get_driver_class())  # a lost terminal ends it (terminal_driver.py)

    def on_mount(self) -> None:
        from conctui.widgets.picker import Picker
        from textual.widgets.option_list import Option

        options = [Option(Text.assemble(f"{row.pid:>7} ", (f"{load_percent(row.cpu * 100):>6}", "bold"),
                                        f" {row.threads:>4} thr  ", visible(" ".join(row.argv))[:200]), id=str(row.pid))
                   for row in self.rows]
        self.push_screen(Picker("Python processes (pid, CPU, threads, argv)", options, ""),
                         lambda chosen: self.exit(int(chosen) if chosen else 0))
