"""Which cells of a pane's line changed (tui/widgets/spans.py): only they are repainted and sent."""
from __future__ import annotations

from conctui.widgets.spans import changed_rows, changed_spans
from rich.text import Text


def test_a_line_that_did_not_change_has_no_span() -> None:
    assert changed_spans(Text("cruncher  25"), Text("cruncher  25")) == []
    assert changed_spans(Text("ab"), Text("ab  ")) == []  # trailing blanks: the same cells


def test_nearby_changes_are_one_span_far_ones_two() -> None:
    """Two changed digits 3 cells apart are sent together (3 bytes of unchanged cells cost less
    than a cursor move); 20 apart, each on its own."""
    assert changed_spans(Text("x 24  0   17"), Text("x 26  1   17")) == [(3, 7)]
    assert changed_spans(Text("1" + " " * 20 + "2"), Text("3" + " " * 20 + "4")) == [(0, 1), (21, 22)]


def test_a_shifted_sparkline_sends_its_changed_runs_not_its_line() -> None:
    """A history that moved two cells on: the runs of equal blocks in between are not sent again."""
    old = Text("0 ▅▅▅▅▅▅▅▅▅▅▅▅▅▅▅▅▆▆▅▅ 54%")
    new = Text("0 ▅▅▅▅▅▅▅▅▅▅▅▅▅▅▆▆▅▅▅▅ 57%")
    assert changed_spans(old, new) == [(16, 20), (24, 25)]


def test_a_style_that_changed_repaints_the_whole_line() -> None:
    old = Text.assemble("0 ", ("▅▅▅", "green"))
    assert changed_spans(old, Text.assemble("0 ", ("▅▅▅", "yellow"))) == [(0, 5)]


def test_a_row_only_one_side_has_is_drawn_or_blanked_whole() -> None:
    assert list(changed_rows([Text("a"), Text("bcd")], [Text("a")])) == [(1, 0, 3)]
