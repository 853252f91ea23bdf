"""The workload picker: built-ins with their kind and one-line description."""
from __future__ import annotations

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


class WorkloadPicker(ModalScreen[str | None]):
    """Returns the chosen workload's name (or the user's FILE:FUNCTION), None if dismissed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "close")]

    def __init__(self, extra: list[str], current: str) -> None:
        super().__init__()
        self._extra = extra
        self._current = current

    def compose(self) -> ComposeResult:
        options = workload_options(self._extra)
        picker = OptionList(*options, id="picker")
        picker.border_title = "workload: enter picks, escape closes"
        yield picker

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        picker.highlighted = picker.get_option_index(self._current) if self._current in \
            [o.id for o in picker.options] else 0
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
