"""A modal list to pick one thing from: a workload (with kind and description) or a Python."""
from __future__ import annotations

import os

from conctui.engine.pythons import FoundPython, by_version
from conctui.engine.runner_process import MIN_PYTHON
from conctui.engine.spec import builtin_module, kind_label
from conctui.engine.untrusted import visible
from conctui.workloads import BUILTINS
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist


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


def python_options(found: list[FoundPython]) -> list[Option | None]:
    """One option per version, by version, with its other paths under its own; those below the
    floor after a line that says why, greyed, one line each: listed, never hidden."""
    entries = by_version(found)
    widths = (max(len(e.label) for e in entries), max(len(e.source) for e in entries))
    usable = [e for e in entries if e.unavailable is None]
    too_old = [e for e in entries if e.unavailable is not None]
    options: list[Option | None] = [Option(_python_row(e, widths), id=e.choice) for e in usable]
    if too_old:
        options += [None, Option(Text("below conctui's floor of %d.%d, not usable:" % MIN_PYTHON, "dim"),
                                 disabled=True)]
        options += [Option(_python_row(e, widths, "dim"), id=e.choice, disabled=True) for e in too_old]
    return options


def _python_row(entry: FoundPython, widths: tuple[int, int], style: str = "") -> Table:
    """Version, where it was found, and its path; a usable one's other paths under it, one a line."""
    row = Table.grid(padding=(0, 1), expand=True)
    row.add_column(width=widths[0], no_wrap=True, style=f"bold {style}")
    row.add_column(width=widths[1], no_wrap=True, style=style)
    row.add_column(ratio=1, style="dim", no_wrap=bool(style), overflow="ellipsis" if style else "fold")
    paths = [_home_as_tilde(entry.path)]
    if entry.also and style:
        paths[0] += f" (+{len(entry.also)} more)"
    elif entry.also:
        paths += [f"also {_home_as_tilde(path)}" for path in entry.also]
    row.add_row(visible(entry.label), entry.source, "\n".join(paths))
    return row


def _home_as_tilde(path: str) -> str:
    """A path as a shell would let you type it: the home folder as ~ (it saves a line at 80 columns)."""
    home = os.path.expanduser("~")
    shown = "~" + path[len(home):] if home != "/" and path.startswith(home + os.sep) else path
    return visible(shown)


class Picker(ModalScreen[str | None]):
    """Returns the chosen option's id, None if dismissed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "close")]

    def __init__(self, title: str, options: list[Option | None], current: str) -> None:
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
        try:
            picker.highlighted = picker.get_option_index(self._current)
        except OptionDoesNotExist:
            picker.highlighted = 0
        picker.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
