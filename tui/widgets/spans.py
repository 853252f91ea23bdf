"""Which cells of a pane changed: a pane repaints only those, and only they cross an SSH link.

Textual sends every cell of a dirty region; a pane that refreshes a whole line (or itself)
for a clock's last digit sends the line's unchanged cells again. `changed_span` finds the
stretches of cells that differ on screen, so the pane marks just those dirty
(bench/ssh_bytes.py counts the bytes by pane). A terminal keeps whatever is not sent: a line
that got shorter must send the blanks past its new end, and a pane with fewer rows the rows
it no longer draws (tests/test_terminal_matches_app.py plays the bytes in a terminal).
"""
from __future__ import annotations

from collections.abc import Iterator

from rich.cells import cell_len
from rich.text import Text

MOVE_BYTES = 8  # `ESC[12;34H`: a cursor move, what sending a stretch apart costs


def changed_spans(old: Text, new: Text) -> list[tuple[int, int]]:
    """(first, end) cells of each stretch where `new`, drawn over `old`, differs from it, none if
    nowhere. Cells are compared where they sit, the shorter line padded with the blanks the pane
    draws there. Unchanged cells between two stretches are sent with them where they take fewer
    bytes than a cursor move (a sparkline's shifted history keeps runs of equal cells: three
    cells of it are 9 bytes). A line whose styles changed, or with wide characters (its cells
    are not its characters), changes as a whole."""
    if old == new:
        return []
    a, b = old.plain, new.plain
    width = max(cell_len(a), cell_len(b))
    if cell_len(a) != len(a) or cell_len(b) != len(b) or old.spans != new.spans:
        return [(0, width)]  # a style that moved or changed: the whole line
    a, b = a.ljust(width), b.ljust(width)
    spans: list[tuple[int, int]] = []
    x = 0
    while x < width:
        if a[x] == b[x]:
            x += 1
            continue
        start = x
        while x < width and a[x] != b[x]:
            x += 1
        if spans and len(b[spans[-1][1]:start].encode()) < MOVE_BYTES:
            spans[-1] = (spans[-1][0], x)
        else:
            spans.append((start, x))
    return spans


def changed_rows(old: list[Text], new: list[Text]) -> Iterator[tuple[int, int, int]]:
    """(row, first, end) of each stretch of changed cells, for a pane whose every line is one row:
    a row only one side has is drawn whole, or blanked whole."""
    blank = Text()
    for y in range(max(len(old), len(new))):
        for first, end in changed_spans(old[y] if y < len(old) else blank, new[y] if y < len(new) else blank):
            yield y, first, end
