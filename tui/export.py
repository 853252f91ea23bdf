"""Rendering a recording without a terminal: an asciicast v2 file, a self-playing HTML page, or
one frame as SVG.

All three drive the replay app headlessly on the recording's own clock (never the wall clock),
so the same file always renders the same frames, however busy the machine is.
"""
from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from conctui.app import ConcApp
from conctui.engine.recording import Recording
from conctui.engine.text import seconds
from conctui.engine.untrusted import visible
from conctui.replay_app import ReplaySource
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from textual.app import App
from textual.pilot import Pilot

FPS = 4  # frames per recorded second: the panes change at most this often that matters
Line = list[Segment]


def screen_lines(app: App) -> list[Line]:
    """The whole screen as one list of Rich segments per terminal row, every text through the
    untrusted-text boundary: the panes show recorded text through it already, and an export
    must not carry a control character even if one pane let it through.

    Textual has no public call that returns the composed screen: its own `export_screenshot`
    (SVG only) makes this same `_compositor.render_update` call. pyproject.toml pins Textual's
    major version for that reason, and tests/test_export_html.py fails if the call changes.
    """
    width, height = app.size
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    lines = Segment.split_lines(segment for segment in console.render(update) if not segment.control)
    return [[Segment(visible(segment.text), segment.style) for segment in line] for line in lines][:height]


def ansi_line(line: Line, color_system: ColorSystem | None = ColorSystem.EIGHT_BIT) -> str:
    """One row as terminal output in 256 colours (plain text without a colour system)."""
    if color_system is None:
        return "".join(segment.text for segment in line)
    return "".join(segment.style.render(segment.text, color_system=color_system) if segment.style else segment.text
                   for segment in line)


def render_screen(app: App, color_system: str | None = "256") -> str:
    """The whole screen as terminal output, rows joined by newlines (plain text without a colour system)."""
    system = None if color_system is None else {"256": ColorSystem.EIGHT_BIT,
                                                "truecolor": ColorSystem.TRUECOLOR}[color_system]
    return "\n".join(ansi_line(line, system) for line in screen_lines(app))


SETTLE_TRIES = 50  # rounds before a frame is taken as it is, still moving (a widget that never settles)


def work_queued(app: App) -> bool:
    """Whether the app has work waiting: a widget's unhandled messages, or the screen's pending
    layout, repaint, recompose or after-refresh callbacks (how the footer composes after the
    bindings' refresh). Textual has no public call for this; its major version is pinned."""
    screen = app.screen
    if (screen._callbacks or screen._dirty_widgets or screen._layout_required or screen._scroll_required
            or screen._repaint_required or screen._recompose_required):
        return True
    return any(not pump._message_queue.empty() for pump in (app, *screen.walk_children(with_self=True)))


async def next_frame(app: App, pilot: Pilot) -> bool:
    """One round of the app's work, waited for by events, not by the clock (Pilot.pause sleeps
    until the CPU looks idle: 3 of every 4 seconds of an export): any animation runs out (a
    table's scroll, in wall-clock steps), every widget handles the messages queued so far, and
    the screen's update is made now rather than on its 1/60 s timer. True when no work is left
    queued: a handled message may queue more."""
    animator = app.animator
    if animator._animations or animator._scheduled:  # Textual has no public "any animation?"
        await pilot.wait_for_scheduled_animations()
    await pilot._wait_for_screen()  # the wait Pilot.pause makes before its sleep
    app.screen._on_timer_update()
    return not work_queued(app)


async def _settled(app: App, pilot: Pilot) -> None:
    """Rounds until one leaves no work queued and the screen looks as after the round before:
    the same frames however busy the machine (24 exports at once gave one SVG)."""
    shown = None
    for _ in range(SETTLE_TRIES):
        done = await next_frame(app, pilot)
        now = screen_lines(app)
        if done and now == shown:
            return
        shown = now


async def render_frames(recording: Recording, size: tuple[int, int], at: float | None,
                        on_frame: Callable[[ConcApp, float], None], keys: Sequence[str] = ()) -> None:
    """Step the replay to each frame time (every 1/FPS s, or only `at`) and hand over the screen,
    after pressing `keys` (a one-frame export opens a screen such as the sweep's this way)."""
    source = ReplaySource(recording, 1.0)
    player = source.player
    player.paused = True  # the clock moves only when we step it
    app = ConcApp(source, ticking=False)
    async with app.run_test(size=size) as pilot:
        if at is None:
            stops = [i / FPS for i in range(int(player.duration * FPS) + 2)]
        else:
            stops = [player.duration if at < 0 else at]
        for elapsed in stops:
            app.feed(player.seek(player.start + elapsed).events)
            app.frame()
            if keys:
                await pilot.press(*keys)
            await _settled(app, pilot)
            on_frame(app, min(elapsed, player.duration))


class ChangedRows:
    """Remembers the rows last written, so each frame writes only the rows that changed."""

    def __init__(self) -> None:
        self.shown: list[str] = []

    def __call__(self, rows: list[str]) -> list[tuple[int, str]]:
        changed = [(i, row) for i, row in enumerate(rows) if i >= len(self.shown) or self.shown[i] != row]
        self.shown = rows
        return changed


def replay_frames(recording: Recording, size: tuple[int, int],
                  row: Callable[[Line], str]) -> list[tuple[float, list[tuple[int, str]]]]:
    """Every frame of the replay as (seconds, the rows that changed, each made by `row`)."""
    frames: list[tuple[float, list[tuple[int, str]]]] = []
    changed_rows = ChangedRows()

    def keep(app: ConcApp, elapsed: float) -> None:
        changed = changed_rows([row(line) for line in screen_lines(app)])
        if changed:
            frames.append((round(elapsed, 3), changed))

    asyncio.run(render_frames(recording, size, None, keep))
    return frames


def title(recording: Recording) -> str:
    return f"conctui replay of {visible(os.path.basename(recording.path))}"


def export_asciicast(recording: Recording, out: str | Path, size: tuple[int, int]) -> None:
    """Write the replay as asciicast v2: a header line, then [time, "o", text] lines, each putting
    only the rows that changed in place with a cursor move."""
    width, height = size
    with open(out, "w", encoding="utf-8") as cast:
        header = {"version": 2, "width": width, "height": height, "title": title(recording),
                  "env": {"TERM": "xterm-256color"}}
        cast.write(json.dumps(header) + "\n")
        for elapsed, changed in replay_frames(recording, size, ansi_line):
            clear = "\x1b[H\x1b[2J" if elapsed == 0 else ""
            text = clear + "".join(f"\x1b[{row + 1};1H{line}" for row, line in changed)
            cast.write(json.dumps([elapsed, "o", text]) + "\n")


def export_svg(recording: Recording, out: str | Path, size: tuple[int, int], at: float | None,
               keys: Sequence[str] = ()) -> None:
    """One frame, at `at` seconds into the recording (its end by default), after pressing `keys`."""
    shots: list[str] = []

    def keep(app: ConcApp, elapsed: float) -> None:
        shots.append(app.export_screenshot(title=f"{title(recording)} at {seconds(elapsed, 1)}"))

    asyncio.run(render_frames(recording, size, -1.0 if at is None else at, keep, keys))
    Path(out).write_text(shots[-1], encoding="utf-8")
