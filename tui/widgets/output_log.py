"""The log pane: what workers printed, and how they failed, newest last, bounded.

Each line passes the untrusted-text boundary once, as it arrives: its SGR colour is drawn,
every other sequence and control is shown (`untrusted_text.coloured`), markup stays literal.
A line wider than the pane wraps onto the next rows, indented under its text (nothing is cut
off), and the border says how many rows are above and below what shows, and how to reach them.
"""
from __future__ import annotations

from collections import deque
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
        self.rows: deque[tuple[int, Text]] = deque()  # (the line's number, one row of it) at the pane's width
        self._added = 0  # lines added so far: the next line's number
        self._width = 0  # the width `rows` were wrapped at

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
        for text in new:
            self.rows.extend((self._added, row) for row in self.wrap(text))
            self._added += 1
        first = self._added - len(self.lines)  # the number of the oldest line kept
        while self.rows and self.rows[0][0] < first:
            self.rows.popleft()
        self.virtual_size = Size(self.size.width, len(self.rows))
        if following:
            self.scroll_end(animate=False, immediate=True, x_axis=False)
        self.show_hint()
        self.refresh()

    def wrap(self, text: Text) -> list[Text]:
        """`text` as rows of the pane's width, the later ones indented under its text (after `[2] `)."""
        width = self.size.width
        if width <= 8 or text.cell_len <= width:
            return [text]
        indent = len(text.plain) - len(text.plain.split("] ", 1)[-1]) if text.plain.startswith("[") else 0
        first = text.wrap(self.app.console, width, no_wrap=False, overflow="fold")[0]
        tail = text[len(first.plain):]
        tail = tail[len(tail.plain) - len(tail.plain.lstrip(" ")):]  # the break's spaces
        first.rstrip()
        return [first] + [Text(" " * indent) + row
                          for row in tail.wrap(self.app.console, width - indent, no_wrap=False, overflow="fold")]

    def on_resize(self) -> None:
        """Rows are wrapped at the pane's width: a new width wraps them again."""
        if self.size.width != self._width:
            self._width = self.size.width
            first = self._added - len(self.lines)
            self.rows = deque((first + number, row) for number, text in enumerate(self.lines)
                              for row in self.wrap(text))
            self.virtual_size = Size(self.size.width, len(self.rows))
            self.scroll_end(animate=False, immediate=True, x_axis=False)
            self.show_hint()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.show_hint()

    def show_hint(self) -> None:
        """`↑ 12 more · tab, ↑↓`: the rows out of sight above and below, and the keys that reach them."""
        above = round(self.scroll_y)
        below = max(0, len(self.rows) - above - self.size.height)
        parts = [f"↑ {above} more"] * bool(above) + [f"↓ {below} more"] * bool(below)
        self.border_subtitle = f"{' '.join(parts)} · tab, ↑↓" if parts else ""

    def clear(self) -> None:
        self.lines.clear()
        self.rows.clear()
        self.virtual_size = Size(0, 0)
        self.show_hint()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self.rows):
            return Strip.blank(self.size.width, self.rich_style)
        return text_strip(self.rows[index][1], self.app.console, self.rich_style, 0, self.size.width)
