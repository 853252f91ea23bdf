"""The log pane: what workers printed, and how they failed, newest last, bounded."""
from __future__ import annotations

from conctui.engine.state import LOG_LINES
from textual.widgets import Log


class OutputLog(Log):
    """Appends only: a frame writes the lines that arrived since the last one."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=LOG_LINES, auto_scroll=True, **kwargs)

    def add(self, lines: list[tuple[int, str]]) -> None:
        if lines:
            self.write_lines(f"[{index}] {line}" for index, line in lines)
