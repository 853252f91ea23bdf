"""A partial update sends the dirty span's cells, from its first cell (tui/changed_cells.py)."""
from __future__ import annotations

from conctui import changed_cells
from rich.console import Console
from rich.segment import Segment
from textual._compositor import ChopsUpdate
from textual.strip import Strip

CONSOLE = Console(color_system=None, width=80, force_terminal=True)


def sent(texts: list[str], x1: int, x2: int, at: int = 0, end: int = 40) -> str:
    """What one chop of `texts` (segments) at column `at` sends for the dirty span x1..x2 of row 0."""
    update = ChopsUpdate([{at: Strip([Segment(text) for text in texts])}], [(0, x1, x2)], [[end]])
    return changed_cells.render_segments(update, CONSOLE)


def test_a_span_inside_a_line_sends_only_its_cells() -> None:
    """A worker's time column: the border, id and state left of it are not sent again."""
    assert sent(["│", "  0 p4101 run ", "░▓▓▓░░ 2.0s 1.6s"], 22, 26) == "\x1b[1;23H2.0s"


def test_a_chop_right_of_the_span_start_is_sent_from_its_own_start() -> None:
    assert sent(["abcdef"], 2, 14, at=10, end=16) == "\x1b[1;11Habcd"


def test_a_wide_character_cut_by_the_span_is_sent_whole() -> None:
    """A blank over a wide character's right half would erase it on the terminal."""
    assert sent(["ab", "中文cd"], 3, 8) == "\x1b[1;3H中文cd"
    assert sent(["ab", "中文cd"], 4, 8) == "\x1b[1;3H中文cd"


def test_the_app_installs_it() -> None:
    import conctui.app  # noqa: F401  (installs at import)

    assert ChopsUpdate.render_segments is changed_cells.render_segments
