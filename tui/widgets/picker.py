"""A modal list to pick one thing from: a workload (with kind and description) or a Python."""
from __future__ import annotations

from conctui.engine.pythons import FoundPython
from conctui.engine.spec import builtin_module, kind_label
from conctui.workloads import BUILTINS
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option


def workload_options(extra: list[str]) -> list[Option]:
    options = []
    for name in BUILTINS:
        module = builtin_module(name)
        options.append(Option(Text.assemble((f"{name:<9}", "bold"), f"{kind_label(module.KIND):<27}",
                                            (module.DESCRIPTION, "dim")), id=name))
    for text in extra:
        options.append(Option(Text.assemble((text, "bold"), "  your workload"), id=text))
    return options


def python_options(found: list[FoundPython]) -> list[Option]:
    """Pythons below the floor are listed greyed out, with the reason, never hidden."""
    return [Option(Text.assemble((f"{p.label:<8}", "bold"), f"{p.source:<14}", (p.path, "dim"),
                                 (f"  {p.unavailable}" if p.unavailable else "", "yellow")),
                   id=p.path, disabled=p.unavailable is not None) for p in found]


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
