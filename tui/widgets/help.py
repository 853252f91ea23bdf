"""The help screen: every key, read from the app's bindings, and what each figure means."""
from __future__ import annotations

from conctui.engine.untrusted import visible
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

FIGURES = {
    "wall": "seconds from the first worker launched to the last one ended (process start-up included).",
    "CPU": "CPU seconds the OS charged to the workers, summed; CPU % is the share of one core in a moment.",
    "parallelism": "CPU seconds / wall seconds: how many cores were busy on average (pure-Python threads stay near 1).",
    "speedup": "the sequential run's wall time / this run's wall time, same workload, workers and Python.",
    "efficiency": "speedup / min(workers, usable cores): 1 means every usable core was put to work.",
    "GIL wait": "share of time a thread that wants to run Python waits for the GIL (a probe thread's lateness).",
    "GIL held": "summed CPU share of the process's Python threads, from the OS's per-thread CPU times.",
}


def key_table(bindings: list[Binding]) -> Table:
    table = Table.grid(padding=(0, 2))
    seen = set()
    for binding in bindings:
        if binding.action in seen or not binding.description:
            continue
        seen.add(binding.action)
        keys = binding.key_display or binding.key.replace("question_mark", "?")
        table.add_row(Text(keys, "bold"), binding.tooltip or binding.description)
    return table


def figure_table() -> Table:
    table = Table.grid(padding=(0, 2))
    for name, meaning in FIGURES.items():
        table.add_row(Text(name, "bold"), meaning)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "close")]

    def __init__(self, bindings: list[Binding], notes: list[str]) -> None:
        super().__init__()
        self._keys = bindings
        self._notes = notes

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Keys", "bold underline"))
            yield Static(key_table(self._keys))
            for note in self._notes:
                yield Static(Text(visible(note), "yellow"))  # notes quote paths and runners' reasons
            yield Static(Text("\nFigures", "bold underline"))
            yield Static(figure_table())
            yield Static(Text("\nescape closes", "dim"))
