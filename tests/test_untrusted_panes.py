"""Every pane through the untrusted-text boundary: hostile names, hosts, errors and printed lines
are shown, never obeyed; coloured logging stays coloured and aligned; markup stays literal."""
from __future__ import annotations

import re
from pathlib import Path

import wcwidth
from conctui.engine.events import Output
from conctui.engine.recording import Recorder, read_recording
from conctui.export import render_screen
from conctui.replay_app import replay_app
from conctui.widgets.help import HelpScreen
from fixtures import demo
from fixtures.hostile import ESC, coloured_logging_lines, hostile_stream
from rich.cells import cell_len
from rich.style import Style

SIZE = (100, 40)
SGR = re.compile(r"\x1b\[[0-9;]*m")


def _only_colour(screen: str) -> None:
    """The terminal output of the screen carries SGR colour and nothing else a terminal obeys."""
    rest = SGR.sub("", screen)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", rest), repr(rest[:200])


def _aligned(screen: str, width: int) -> None:
    """Each row is exactly the width in a terminal's count (wcwidth, as tmux and pyte count)."""
    for row in screen.split("\n"):
        assert wcwidth.wcswidth(row) == width, (wcwidth.wcswidth(row), row)


async def test_a_hostile_session_is_shown_in_every_pane_and_obeyed_in_none() -> None:
    app = demo.demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, hostile_stream()[:-1])  # the run still live: the header shows its strings
        _only_colour(render_screen(app))
        plain = render_screen(app, color_system=None)
        _aligned(plain, SIZE[0])
        header = plain.split("\n")[0]
        assert "evil␛]2;name-owned␛\\[red]x[/red]" in header and "3.12␛[2J" in header
        assert "tcp://sched␛]0;c␇:8786" in plain  # the clock's cluster line
        assert "remote␛]0;t␇中文" in plain  # the cores pane's host names
        log = [line.plain for line in app.panes.log_pane.lines]
        assert "[1] failed: ValueError: ␛[2J␛]0;err-owned␇[b]boom[/b]␊line 2" in log
        assert "[1] markup: [bold red]MARKUP[/bold red] [link=http://example.invalid]link[/link] [/]" in log
        assert "[0] 8-bit C1: \\x9b2J\\x9d0;c1-owned␇\\x90q\\x9c" in log
        await pilot.press("question_mark")
        await pilot.pause()
        _only_colour(render_screen(app))


async def test_coloured_logging_keeps_its_colour_and_its_columns() -> None:
    app = demo.demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, hostile_stream())
        logged = {line.plain.split()[1]: line for line in app.panes.log_pane.lines
                  if line.plain.split()[1:2] in (["DEBUG"], ["INFO"], ["WARNING"], ["ERROR"])}
        assert set(logged) == {"DEBUG", "INFO", "WARNING", "ERROR"}
        for level, colour in (("DEBUG", 6), ("INFO", 2), ("WARNING", 3), ("ERROR", 1)):  # cyan green yellow red
            line = logged[level]
            colours = [span.style.color.number for span in line.spans if isinstance(span.style, Style)]
            assert colour in colours, (level, colours)
            # the name column starts where it does for every level: the SGR took no cells
            assert line.plain.index("conctui.hostile") == len("[1] ") + 8
        assert "[bold]950[/bold]" in logged["WARNING"].plain  # markup in a message stays literal
        assert cell_len(logged["INFO"].plain) == cell_len(re.sub(r"\x1b\[[0-9;]*m", "", "[1] " +
                                                                 coloured_logging_lines()[1]))


async def test_blink_and_conceal_are_dropped_but_colour_is_kept() -> None:
    app = demo.demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await demo.show(pilot, hostile_stream())
        (line,) = [t for t in app.panes.log_pane.lines if "SGR colour" in t.plain]
        styles = [span.style for span in line.spans]
        assert any(isinstance(s, Style) and s.color and s.color.name == "color(208)" for s in styles)
        assert not any(isinstance(s, Style) and (s.blink or s.conceal) for s in styles)
        assert "hidden" in line.plain


async def test_a_notification_quoting_outside_text_is_literal() -> None:
    app = demo.demo_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.notify(f"cannot load [bold]x[/bold]{ESC}]0;owned\x07.py")
        for _ in range(50):  # the toast is mounted and drawn a few refreshes later
            await pilot.pause()
            if "cannot load" in (screen := render_screen(app, color_system=None)):
                break
        assert "cannot load [bold]x[/bold]␛]0;owned␇.py" in screen
        _only_colour(render_screen(app))


async def test_a_replay_help_quoting_a_hostile_file_name_is_literal(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative name: the note fits one line whatever this machine's temp folder
    path = Path(f"talk{ESC}]0;file-owned\x07.jsonl")
    recorder = Recorder.open(path)
    recorder(hostile_stream())
    recorder.stop()
    app = replay_app(read_recording(path), ticking=False)
    async with app.run_test(size=SIZE) as pilot:
        app.feed(app.source.player.seek(app.source.player.start + app.source.player.duration).events)
        app.frame()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        screen = render_screen(app, color_system=None)
        assert "talk␛]0;file-owned␇" in screen  # the help's note on the file replayed
        _only_colour(render_screen(app))


def test_coloured_logging_snapshot(snap_compare) -> None:
    """Coloured, aligned logging lines and literal markup in the log pane (80x24, fixed stream)."""

    async def run_before(pilot) -> None:
        stream = demo.download_threads()[:-1]  # the run not ended yet: no toast over the log
        end = stream[-1].t
        stream += [Output(end + 0.01 * i, i % 3, line) for i, line in enumerate(coloured_logging_lines()[1:])]
        await demo.show(pilot, stream)

    assert snap_compare(demo.demo_app(), terminal_size=(80, 24), run_before=run_before)


async def test_bytes_that_are_not_utf8_and_nul_in_a_recording_are_shown_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    recorder = Recorder.open(path)
    recorder([*demo.download_threads()[:3], Output(0.3, 0, "MARK nul\x00 end")])
    recorder.stop()
    raw = path.read_bytes()
    assert b"MARK" in raw
    path.write_bytes(raw.replace(b"MARK", b"bad \xff\xfe utf-8"))  # raw bytes inside a JSON string
    app = replay_app(read_recording(path), ticking=False)
    async with app.run_test(size=SIZE) as pilot:
        app.feed(app.source.player.seek(app.source.player.start + app.source.player.duration).events)
        app.frame()
        await pilot.pause()
        assert "[0] bad \\xff\\xfe utf-8 nul␀ end" in [line.plain for line in app.panes.log_pane.lines]
        _only_colour(render_screen(app))
