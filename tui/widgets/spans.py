"""Which cells of a pane changed: a pane repaints only those, and only they cross an SSH link.

Textual sends every cell of a dirty region; a pane that refreshes a whole line (or itself)
for a clock's last digit sends the line's unchanged cells again. `changed_span` finds the
first and last cell that differs on screen, so the pane marks just that stretch dirty
(bench/ssh_bytes.py counts the bytes by pane). A terminal keeps whatever is not sent: a line
that got shorter must send the blanks past its new end, and a pane with fewer rows the rows
it no longer draws (tests/test_terminal_matches_app.py plays the bytes in a terminal).
"""
from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from rich.text import Text


def changed_span(old: Text, new: Text) -> tuple[int, int] | None:
    """(first, end) cells where `new`, drawn over `old`, differs from it, None if nowhere. Cells
    are compared where they sit, the shorter line padded with the blanks the pane draws there.
    A line whose styles changed, or with wide characters (its cells are not its characters),
    changes as a whole."""
    if old == new:
        return None
    a, b = old.plain, new.plain
    width = max(cell_len(a), cell_len(b))
    if cell_len(a) != len(a) or cell_len(b) != len(b) or old.spans != new.spans:
        return 0, width  # a style that moved or changed: the whole line
    a, b = a.ljust(width), b.ljust(width)
    start = 0
    while start < width and a[start] == b[start]:
        start += 1
    if start == width:
        return None  # only trailing blanks differ: the same cells
    end = width
    while a[end - 1] == b[end - 1]:
        end -= 1
    return start, end


def changed_rows(old: list[Text], new: list[Text]) -> Iterator[tuple[int, int, int]]:
    """(row, first, end) of each row's changed cells, for a pane whose every line is one row:
    a row only one side has is drawn whole, or blanked whole."""
    blank = Text()
    for y in range(max(len(old), len(new))):
        span = changed_span(old[y] if y < len(old) else blank, new[y] if y < len(new) else blank)
        if span is not None:
            yield y, *span
