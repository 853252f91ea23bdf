"""The one-line header: what runs, under which Python, with or without a GIL, on how many cores."""
from __future__ import annotations

from conctui.engine.events import PythonInfo
from conctui.engine.modes import MODES
from conctui.engine.untrusted import visible
from rich.text import Text
from textual.widgets import Static


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

    _shown: tuple | None = None

    def show(self, workload: str, workers: int, mode: str, python: PythonInfo, start_method: str,
             recording: bool, note: str = "", switch_ms: float | None = None) -> None:
        key = (workload, workers, mode, python, start_method, recording, note, switch_ms)
        if key == self._shown:
            return
        self._shown = key
        cores = python.usable_cores
        caveat = MODES[mode].caveat(python) if mode in MODES else None
        # a recording or another Python says what runs: every word of theirs passes the boundary
        text = Text.assemble(
            (visible(note), "dim"), f"{visible(workload)} x{workers} · ", (visible(mode), "bold"),
            (f" ({caveat})" if caveat else "", "yellow"),
            visible(f" · {python_text(python)} · {start_method} · {cores} cores"),
        )
        if switch_ms is not None:
            text.append(f" · switch {switch_ms:g}ms")
        if recording:
            text.append("  ●REC", "bold red")
        self.update(text)
