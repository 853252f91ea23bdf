"""A line of `Text` as the `Strip` a line-by-line pane draws: styled over the pane's own style,
cropped to what the pane shows of it."""
from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def styled_strip(text: Text, console: Console, base: Style) -> Strip:
    """The whole line, uncropped: what a pane may keep and crop again as it scrolls."""
    return Strip([Segment(s.text, base + s.style if s.style else base) for s in text.render(console)])


def text_strip(text: Text, console: Console, base: Style, scroll_x: int, width: int) -> Strip:
    return styled_strip(text, console, base).crop_extend(scroll_x, scroll_x + width, base)
