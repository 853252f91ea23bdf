"""A line of `Text` as the `Strip` a line-by-line pane draws: styled over the pane's own style,
cropped to what the pane shows of it."""
from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def text_strip(text: Text, console: Console, base: Style, scroll_x: int, width: int) -> Strip:
    segments = [Segment(s.text, base + s.style if s.style else base) for s in text.render(console)]
    return Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
