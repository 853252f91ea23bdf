"""Which cells of a line changed: a pane repaints only those, and only they cross an SSH link.

Textual sends every cell of a dirty region; a pane that refreshes a whole line (or itself)
for a clock's last digit sends the line's unchanged cells again. `changed_span` finds the
first and last differing cell, so the pane marks just that stretch dirty
(bench/ssh_bytes.py counts the bytes by pane).
"""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text


def changed_span(old: Text, new: Text) -> tuple[int, int] | None:
    """(first, end) cells where `new` differs from `old`, None if nowhere. A line whose styles
    changed, or with wide characters (its cells are not its characters), changes as a whole."""
    if old == new:
        return None
    a, b = old.plain, new.plain
    if cell_len(a) != len(a) or cell_len(b) != len(b) or old.spans != new.spans:
        return 0, max(len(a), len(b))  # a style that moved or changed: the whole line
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    return start, max(end_a, end_b, start + 1)
