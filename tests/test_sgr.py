"""A partial update sends a style's codes only where they change (tui/sgr.py), and a terminal
shows the same cells as with Textual's own codes around every segment."""
from __future__ import annotations

import random

import pyte
import pytest
from conctui import changed_cells
from conctui.sgr import PLAIN, Pen, leave, left, parts, step
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

CONSOLE = Console(color_system="256", width=80, force_terminal=True)
STYLES = [None, Style(color="grey85", bgcolor="grey11"), Style(color="dark_orange", bgcolor="grey11"),
          Style(bold=True, color="grey85", bgcolor="grey11"), Style(dim=True, color="grey50"),
          Style(underline=True), Style(color="red"), Style(bgcolor="blue"), Style(reverse=True, color="#102030"),
          Style(color="default", bgcolor="default"), Style(bold=True, italic=True, strike=True, bgcolor="grey11")]
FIELDS = ("data", "fg", "bg", "bold", "italics", "underscore", "strikethrough", "reverse")


def test_parts_split_attributes_and_both_colours() -> None:
    assert parts("1;38;5;253;48;5;233") == (("1",), "38;5;253", "48;5;233")
    assert parts("2;38;2;16;32;48") == (("2",), "38;2;16;32;48", "")
    assert parts("31;104;4") == (("4",), "31", "104")
    assert parts("") == PLAIN


def test_a_step_sends_only_what_changed_and_resets_what_must_go() -> None:
    grey, orange = parts("38;5;253;48;5;233"), parts("38;5;208;48;5;233")
    assert step(grey, grey, "38;5;253;48;5;233") == ""
    assert step(grey, orange, "38;5;208;48;5;233") == "\x1b[38;5;208m"
    assert step(grey, parts("1;38;5;253;48;5;233"), "1;38;5;253;48;5;233") == "\x1b[1m"
    assert step(parts("1;38;5;253;48;5;233"), grey, "38;5;253;48;5;233") == "\x1b[0;38;5;253;48;5;233m"
    assert step(grey, parts("38;5;208"), "38;5;208") == "\x1b[0;38;5;208m"  # the background must go
    assert step(grey, PLAIN, "") == "\x1b[0m"


def played(data: str) -> pyte.Screen:
    screen = pyte.Screen(80, 6)
    pyte.Stream(screen).feed(data)
    return screen


def cells(screen: pyte.Screen) -> list[tuple]:
    return [tuple(getattr(screen.buffer[y][x], field) for field in FIELDS) for y in range(6) for x in range(80)]


def update(rows: list[list[Segment]], spans: list[tuple[int, int, int]]) -> ChopsUpdate:
    chops = [{0: Strip(row)} if row else {} for row in rows]
    return ChopsUpdate(chops, spans, [[80] if row else [] for row in rows])


def random_update(rng: random.Random) -> tuple[ChopsUpdate, str]:
    """A partial update of random styled rows and spans, and what Textual itself would send for it
    (every segment's codes, then a reset)."""
    rows = [[Segment(rng.choice("ab█▅ 12"), rng.choice(STYLES)) for _ in range(80)] for _ in range(6)]
    spans = sorted({(y, *sorted(rng.sample(range(81), 2))) for y in rng.sample(range(6), 4)})
    spans = [(y, x1, x2) for y, x1, x2 in spans if x1 < x2]
    textual = "".join(f"\x1b[{y + 1};{x1 + 1}H" + Strip(rows[y]).crop(x1, x2).render(CONSOLE) for y, x1, x2 in spans)
    return update(rows, spans), textual


@pytest.mark.parametrize("seed", range(20))
def test_a_terminal_shows_the_cells_textual_s_own_codes_would(seed) -> None:
    """Two partial updates, then a whole-screen one of Textual's own: played in a terminal after
    the same first screen, the pen's bytes and Textual's leave the same cells, colours and
    attributes after each (the second update starts from the style the first left)."""
    rng = random.Random(seed)
    leave(CONSOLE, PLAIN)
    first = "\x1b[48;5;20m\x1b[2J\x1b[0m"  # a screen there already, in some colour
    pen, textual = first, first
    for _ in range(2):
        chops, plain = random_update(rng)
        sent = changed_cells.render_segments(chops, CONSOLE)
        assert len(sent) < len(plain)
        pen, textual = pen + sent, textual + plain
        assert cells(played(pen)) == cells(played(textual))
    whole = LayoutUpdate([[Strip([Segment("plain text")])]], Region(0, 5, 80, 1))  # unstyled: as reset
    pen += changed_cells.render_layout(whole, CONSOLE)
    textual += changed_cells.TEXTUAL_LAYOUT(whole, CONSOLE)
    assert cells(played(pen)) == cells(played(textual)) and left(CONSOLE) == PLAIN


def test_a_row_of_one_style_sends_its_codes_once() -> None:
    """Four spans of grey digits: the codes once (Textual: each span's codes and reset, and a
    newline between rows); the next update in that style sends none."""
    grey = Style(color="grey85", bgcolor="grey11")
    rows = [[Segment(f"#{y} 42", grey)] for y in range(4)]
    leave(CONSOLE, PLAIN)
    sent = changed_cells.render_segments(update(rows, [(y, 1, 5) for y in range(4)]), CONSOLE)
    assert sent == "\x1b[1;2H\x1b[38;5;253;48;5;234m0 42\x1b[2;2H1 42\x1b[3;2H2 42\x1b[4;2H3 42"
    assert changed_cells.render_segments(update(rows[:1], [(0, 3, 5)]), CONSOLE) == "\x1b[1;4H42"


def test_a_link_is_written_as_textual_writes_it() -> None:
    link = Style(link="https://example.org", color="red")
    pen = Pen(ColorSystem.EIGHT_BIT)
    pen.write("x", Style(color="blue"))
    out = pen.write("y", link)
    assert out.startswith("\x1b[0m\x1b]8;") and out.endswith("\x1b]8;;\x1b\\") and pen.now == PLAIN


def test_chops_are_sent_in_the_order_that_changes_style_least() -> None:
    """Rows alternating two colours (a pane's digits, a dim label between them): each colour's
    codes once, its rows together, each still at its own cell."""
    grey, dim = Style(color="grey85", bgcolor="grey11"), Style(color="grey50", bgcolor="grey11")
    rows = [[Segment(f"#{y} 42", grey if y % 2 == 0 else dim)] for y in range(4)]
    leave(CONSOLE, PLAIN)
    sent = changed_cells.render_segments(update(rows, [(y, 1, 5) for y in range(4)]), CONSOLE)
    assert sent == "\x1b[1;2H\x1b[38;5;253;48;5;234m0 42\x1b[3;2H2 42\x1b[2;2H\x1b[38;5;244m1 42\x1b[4;2H3 42"
