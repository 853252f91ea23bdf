"""End to end, on the installed command in tmux: a worker printing clears, titles (OSC 0/2),
the clipboard (OSC 52) and every other family leaves the pane's title, tmux's buffers and the
screen as they were; so does the same text inside a recording, replayed and exported to an
asciicast played through pyte."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pyte
import test_e2e_tmux
from conctui.engine.recording import Recorder
from fixtures.hostile import hostile_stream
from test_e2e_tmux import Terminal

pytestmark = test_e2e_tmux.pytestmark  # tmux and the installed command, or a skip saying so
terminal = test_e2e_tmux.terminal  # the fixture: a private tmux server per test, killed after it

HOSTILE = Path(__file__).parent / "fixtures" / "hostile.py"
# the header line, live or replayed (a long name leaves no room for the rest)
HEADER = re.compile(r"^ ?(next: |[▶⏸] .*? · )?\S+ x2 · threads( ·|\s*$)")


def _opened(term: Terminal) -> str:
    """tmux keeps what an application asks for the clipboard (OSC 52) as a buffer when this is on."""
    term.tmux("set-option", "-g", "set-clipboard", "on")
    return term.tmux("display", "-p", "-t", "t", "#{pane_title}")


def _untouched(term: Terminal, title: str, screen: str) -> None:
    assert term.tmux("display", "-p", "-t", "t", "#{pane_title}") == title
    assert term.tmux("list-buffers") == ""  # nothing reached the clipboard
    assert HEADER.match(screen.split("\n")[0]), screen  # the header is still drawn: the screen was never cleared
    assert "owned" not in title


def test_a_worker_printing_every_family_leaves_title_clipboard_and_screen_alone(terminal) -> None:  # noqa: F811
    term = terminal(f"conctui tui {HOSTILE}:escapes --mode threads --workers 2 --start --param pause=1")
    title = _opened(term)
    term.wait_for(r"\[\d\] OSC 52 clipboard: ␛]52;c;b3duZWQ=␇", timeout=60)
    # the line comes last and stays: shown, not obeyed (markup literal, the red kept as colour)
    screen = term.wait_for(re.escape("␛[2J␛[H␛]0;owned␇[bold red]MARKUP[/bold red] RED"), timeout=60)
    _untouched(term, title, screen)
    term.keys("q")
    term.wait_for(r"CONCTUI-EXIT=0")


def test_a_hostile_recording_replayed_and_exported_leaves_title_and_screen_alone(terminal, tmp_path: Path) -> None:  # noqa: F811
    recording = tmp_path / "hostile.jsonl"
    recorder = Recorder.open(recording)
    recorder(hostile_stream())
    recorder.stop()
    term = terminal(f"conctui replay {recording}")
    title = _opened(term)
    screen = term.wait_for(r"▶ \d+/\d+s [\d.]+x end", timeout=60)  # the header: position, speed, end
    _untouched(term, title, screen)
    assert "evil␛]2;name-owned␛\\[red]x[/red]" in screen.split("\n")[0]
    term.keys("q")
    term.wait_for(r"CONCTUI-EXIT=0")

    cast = tmp_path / "hostile.cast"
    done = subprocess.run([sys.executable, "-m", "conctui", "export", str(recording), "--asciicast", str(cast),
                           "--size", "80x24"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    header, *frames = [json.loads(line) for line in cast.read_text().splitlines()]
    played = pyte.Screen(header["width"], header["height"])
    stream = pyte.Stream(played)
    for _, _, data in frames:
        assert not re.search(r"\x1b[\]P_^X]|[\x80-\x9f]", data)  # no OSC, DCS, APC, PM, SOS, C1 ever written
        stream.feed(data)
    assert played.title == "" and played.icon_name == ""
    assert HEADER.match(played.display[0]), played.display[0]
    assert any("␛[2J" in row for row in played.display)
