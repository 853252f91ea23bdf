"""The log pane: what workers printed, and how they failed, newest last, bounded.

Each line passes the untrusted-text boundary once, as it arrives: its SGR colour is drawn,
every other sequence and control is shown (`untrusted_text.coloured`), markup stays literal.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from conctui.engine.state import LOG_LINES
from conctui.widgets.strips import text_strip
from conctui.widgets.untrusted_text import coloured
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from conctui.engine.model import Changes, SessionModel


def log_text(index: int, line: str) -> Text:
    """`[2] line`: the worker's index, then what it printed."""
    return Text.assemble(f"[{index}] ", coloured(line), end="", no_wrap=True)


class OutputLog(ScrollView, can_focus=True):
    """Appends only: a frame adds the lines that arrived since the last one, and follows the end."""

    DEFAULT_CSS = """
    OutputLog {
        background: $surface;
        color: $text;
        overflow: scroll;
        &:focus {
            background-tint: $foreground 5%;
        }
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []
        self._width = 0

    def show(self, model: SessionModel, changes: Changes) -> None:
        """Append the frame's output lines (after forgetting all, on a restart)."""
        if changes.restart:
            self.clear()
        self.add(changes.lines)

    def add(self, lines: list[tuple[int | str, str]]) -> None:
        if not lines:
            return
        following = self.is_vertical_scroll_end
        new = [log_text(index, line) for index, line in lines]
        self.lines.extend(new)
        del self.lines[:-LOG_LINES]
        self._width = max(self._width, *(text.cell_len for text in new))
        self.virtual_size = Size(self._width, len(self.lines))
        if following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.refresh()

    def clear(self) -> None:
        self.lines.clear()
        self._width = 0
        self.virtual_size = Size(0, 0)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self.lines):
            return Strip.blank(self.size.width, self.rich_style)
        return text_strip(self.lines[index], self.app.console, self.rich_style, self.scroll_offset.x, self.size.width)
