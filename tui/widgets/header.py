"""The one-line header: what runs, under which Python, with or without a GIL, on how many cores."""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.events import PythonInfo
from conctui.engine.modes import MODES
from conctui.engine.untrusted import visible
from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel
    from conctui.source import HeaderLine


def python_text(python: PythonInfo) -> str:
    """`CPython 3.13.0 · GIL off (free-threaded)`: the facts that decide what threads can do."""
    gil = "GIL on" if python.gil_enabled else "GIL off"
    if python.free_threaded and python.gil_enabled:
        if python.gil_reenabled:
            gil = f"GIL re-enabled by {visible(python.gil_reenabled)}"
        elif python.python_gil == "1":
            gil = "GIL on (PYTHON_GIL=1)"
        else:
            gil = "GIL re-enabled"
    return f"{python.implementation} {python.version} · {gil}"


class RunHeader(Static):
    """Redrawn only when its text changes: it is a line of facts, not a clock."""

    _shown: HeaderLine | None = None

    def show(self, model: SessionModel, changes: Changes) -> None:
        """Show the source's line (`model.header`), if it changed."""
        line = model.header
        if line is None or line == self._shown:
            return
        self._shown = line
        python = line.python
        caveat = MODES[line.mode].caveat(python) if line.mode in MODES else None
        # a recording or another Python says what runs: every word of theirs passes the boundary
        text = Text.assemble(
            (visible(line.note), "dim"), f"{visible(line.workload)} x{line.workers} · ", (visible(line.mode), "bold"),
            (f" ({caveat})" if caveat else "", "yellow"),
            visible(f" · {python_text(python)} · {line.start_method} · {python.usable_cores} cores"),
        )
        if line.switch_ms is not None:
            text.append(f" · switch {line.switch_ms:g}ms")
        if line.recording:
            text.append("  ●REC", "bold red")
        self.update(text)
