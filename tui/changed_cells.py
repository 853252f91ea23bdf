"""Send a dirty span's cells, not its line: the app's process, between Textual's compositor and driver.

The panes mark only their changed cells dirty (widgets/spans.py), but Textual 8's partial
update (`ChopsUpdate.render_segments`) crops each widget's line ("chop") at the dirty span's
end only: a worker's ticking time column went out with the 20 unchanged cells on its left,
the pane's border included (bench/ssh_bytes.py counts the bytes by pane). `install` makes the
update start at the span's first cell too. A wide character the span starts inside of is sent
whole, from its segment's start: a blank over its right half would erase it on the terminal
(tests/test_terminal_matches_app.py plays the bytes in a terminal, cell by cell). The styles'
codes go out only where they change (sgr.py), from one update to the next.
"""
from __future__ import annotations

from conctui.sgr import PLAIN, RESET, Pen, leave, left
from rich.cells import cell_len
from rich.color import ColorSystem
from rich.console import Console
from rich.control import Control
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.strip import Strip

TEXTUAL_LAYOUT = LayoutUpdate.render_segments  # Textual's own, before `install`


def first_cell(strip: Strip, start: int) -> int:
    """`start`, or where the segment holding it begins if a wide character might be cut there."""
    x = 0
    for segment in strip:
        width = cell_len(segment.text)
        if x + width > start:
            return start if width == len(segment.text) else x
        x += width
    return start


def render_segments(self: ChopsUpdate, console: Console) -> str:
    """As Textual's, but each chop is cropped to the span at both ends, its styles' codes are
    sent only where they change (sgr.py), and no newline follows a row: the next span's cursor
    move is all the terminal needs. The chops are sent in the order that changes style least:
    each starts at its own cell, so the order is free, and a pane's digits, a sparkline's
    colour and a dim label on alternate rows changed colour there and back on each."""
    chops: list[tuple[int, int, Strip]] = []
    for y, x1, x2 in self.spans:
        for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items()):
            if strip is None or x >= x2 or end <= x1:
                continue
            start = first_cell(strip, x1 - x) if x1 > x else 0
            if start or end > x2:
                strip = strip.crop(start, min(end, x2) - x)
            chops.append((x + start, y, strip))
    sequences: list[str] = []
    append = sequences.append
    pen = Pen(console._color_system or ColorSystem.TRUECOLOR, left(console))  # as Strip.render picks it
    while chops:
        x, y, strip = chops.pop(next((i for i, chop in enumerate(chops) if pen.starts_as_now(chop[2])), 0))
        append(Control.move_to(x, y).segment.text)
        for text, style, control in strip:
            append(pen.write(text, None if control else style))
    leave(console, pen.now)  # the next update starts from it
    return "".join(sequences)


def render_layout(self: LayoutUpdate, console: Console) -> str:
    """Textual's whole-region update, after a reset where the last partial one left a style."""
    before = RESET if left(console) != PLAIN else ""
    leave(console, PLAIN)  # Textual's own rendering ends every segment reset
    return before + TEXTUAL_LAYOUT(self, console)


def install() -> None:
    """Use `render_segments` for every partial update of this process's Textual apps, and
    `render_layout` for every whole one."""
    ChopsUpdate.render_segments = render_segments  # type: ignore[method-assign]
    LayoutUpdate.render_segments = render_layout  # type: ignore[method-assign]
