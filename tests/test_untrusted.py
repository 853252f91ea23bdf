"""The untrusted-text boundary: nothing a terminal obeys gets through, and widths stay honest."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import wcwidth
from conctui.engine.untrusted import from_bytes, visible
from conctui.widgets.output_log import log_text
from conctui.widgets.strips import text_strip
from fixtures import hostile
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style

# what a terminal obeys: C0 (tab and newline included: they move the cursor), DEL, C1
_OBEYED = re.compile(r"[\x00-\x1f\x7f-\x9f]")

_CONSOLE = Console(width=200, color_system="truecolor", force_terminal=True)
_ESCAPE_RUNS = st.lists(
    st.sampled_from(["\x1b", "\x1b[", "\x1b]", "\x1bP", "\x1b_", "\x1b^", "\x1bX", "\x9b", "\x9d", "\x07",
                     "\x1b\\", "[2J", "0;owned", "52;c;aGk=", "?1049h", "31m", ";", "\r", "\n", "\t"]),
    max_size=60,
).map("".join)


def _assert_harmless(shown: str) -> None:
    assert not _OBEYED.search(shown), repr(shown)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in shown), repr(shown)
    assert "\n" not in shown and "\r" not in shown


@settings(max_examples=3000)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
@example("\u1bab0")  # a virama: wcwidth joins it and the digit into one 2-cell cluster, Rich counts 1
@example("a\U0001171e")  # a mark Unicode 15 made spacing: 1 cell to wcwidth, 0 to Python 3.11's tables
def test_every_code_point_comes_out_harmless_and_as_wide_as_rich_counts(text: str) -> None:
    shown = visible(text)
    _assert_harmless(shown)
    # the pane allots Rich's count of cells; a terminal (pyte's and tmux's model: wcwidth) draws as many
    assert cell_len(shown) == wcwidth.wcswidth(shown)


@given(st.binary(max_size=200))
def test_bytes_that_are_not_utf8_are_shown_not_dropped(data: bytes) -> None:
    shown = visible(from_bytes(data))
    _assert_harmless(shown)
    for byte in data:
        if byte >= 0x80 and not _decodes(data):
            assert shown.count("\\x") >= 1
    if b"\x00" in data:
        assert "\u2400" in shown


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@given(_ESCAPE_RUNS)
def test_long_runs_of_escapes_and_incomplete_sequences_are_shown(text: str) -> None:
    shown = visible(text)
    _assert_harmless(shown)
    assert shown.count("\u241b") == text.count("\x1b")


def test_the_hostile_printer_reads_as_what_it_sent() -> None:
    hostile = "\x1b[2J\x1b[H\x1b]0;owned\x07[bold red]MARKUP[/bold red] \x1b[31mRED"
    assert visible(hostile) == "␛[2J␛[H␛]0;owned␇[bold red]MARKUP[/bold red] ␛[31mRED"


def test_tabs_stop_every_eight_cells_counting_wide_characters() -> None:
    assert visible("a\tb") == "a" + " " * 7 + "b"
    assert visible("中\tb") == "中" + " " * 6 + "b"
    assert visible("\tb", column=3) == " " * 5 + "b"
    for before in ("", "x", "中文", "e\u0301", "\u0915\u093e", "\u1100\u1161", "\x1b[1m"):
        assert cell_len(visible(before + "\t")) == 8, before


@pytest.mark.process
def test_marks_terminals_disagree_on_are_escaped_and_plain_text_is_kept() -> None:
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("👨\u200d👩") == "👨\\u200d👩"
    assert visible("e\u0301 中文 ☃") == "e\u0301 中文 ☃"
    assert visible("\x9b2J") == "\\x9b2J"
    assert visible(from_bytes(b"\xff\x00")) == "\\xff\u2400"


_COLOURED_RUNS = st.lists(
    st.sampled_from(["\x1b[31m", "\x1b[0m", "\x1b[38;5;208m", "\x1b[1;4m", "\x1b[5;8m", "\x1b[38;2;1;2;3m", "\x1b[m",
                     "\x1b[999;999m", "\x1b[38:5:1m", "\x1b]8;;http://x\x1b\\", "\x1b]0;t\x07", "\x1b[2J", "\x1b[",
                     "text", "中文", "e\u0301", "🙂", "\t", "[bold]", "[/]", "\x00", "\udcff"]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)) | _ESCAPE_RUNS | _COLOURED_RUNS)
def test_a_log_line_is_harmless_and_exactly_as_wide_as_the_pane_allots(text: str) -> None:
    line = log_text(3, text)
    _assert_harmless(line.plain)
    assert cell_len(line.plain) == wcwidth.wcswidth(line.plain)  # the pane's count is a terminal's
    assert not any(isinstance(span.style, Style) and (span.style.link or span.style.blink or span.style.conceal)
                   for span in line.spans)
    strip = text_strip(line, _CONSOLE, Style(), 0, 40)
    assert strip.cell_length == 40  # cropped or padded to exactly what the pane allots
    assert not any(_OBEYED.search(segment.text) for segment in strip)


@pytest.mark.process
def test_run_prints_the_hostile_lines_shown_and_json_keeps_them_exact() -> None:
    """The headless table follows the TUI's rules (colour dropped); JSON keeps the exact text."""
    args = [sys.executable, "-m", "conctui", "run", f"{hostile.__file__}:escapes", "--mode", "threads", "-n", "1"]
    table = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert table.returncode == 0, table.stderr
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", table.stdout), repr(table.stdout)
    assert "[0] ␛[2J␛[H␛]0;owned␇[bold red]MARKUP[/bold red] RED" in table.stdout.splitlines()
    document = subprocess.run([*args, "--json"], capture_output=True, text=True, timeout=120)
    (worker,) = json.loads(document.stdout)["runs"][0]["per_worker"]
    assert worker["output"] == [*(f"{name}: {text}" for name, text in hostile.FAMILIES.items()), hostile.ISSUE]
