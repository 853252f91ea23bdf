"""A modal list to pick one thing from: a workload (with kind and description) or a Python."""
from __future__ import annotations

from conctui.engine.pythons import FoundPython
from conctui.engine.spec import builtin_module, kind_label
from conctui.engine.untrusted import visible
from conctui.workloads import BUILTINS
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option


def _workload_row(name: str, kind: str, description: str) -> Table:
    """Name, kind and description in columns: a long description wraps under itself at 80x24."""
    row = Table.grid(padding=(0, 1), expand=True)
    row.add_column(width=max(len(n) for n in BUILTINS), no_wrap=True, style="bold")
    row.add_column(width=max(len(kind_label(builtin_module(n).KIND)) for n in BUILTINS), no_wrap=True)
    row.add_column(ratio=1, style="dim")
    row.add_row(name, kind, description)
    return row


def workload_options(extra: list[str]) -> list[Option]:
    options = []
    for name in BUILTINS:
        module = builtin_module(name)
        options.append(Option(_workload_row(name, kind_label(module.KIND), module.DESCRIPTION), id=name))
    for text in extra:
        options.append(Option(Text.assemble((visible(text), "bold"), "  your workload"), id=text))
    return options


def python_options(found: list[FoundPython]) -> list[Option]:
    """Pythons below the floor are listed greyed out, with the reason, never hidden."""
    return [Option(Text.assemble((f"{visible(p.label):<13}", "bold"), f"{p.source:<14}", (visible(p.path), "dim"),
                                 (f"  {visible(p.unavailable)}" if p.unavailable else "", "yellow")),
                   id=p.choice, disabled=p.unavailable is not None) for p in found]


class Picker(ModalScreen[str | None]):
    """Returns the chosen option's id, None if dismissed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "close")]

    def __init__(self, title: str, options: list[Option], current: str) -> None:
        super().__init__()
        self._title = title
        self._options = options
        self._current = current

    def compose(self) -> ComposeResult:
        picker = OptionList(*self._options, id="picker")
        picker.border_title = f"{self._title}: enter picks, escape closes"
        yield picker

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        ids = [option.id for option in self._options]
        picker.highlighted = ids.index(self._current) if self._current in ids else 0
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
