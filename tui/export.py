"""Rendering a recording without a terminal: an asciicast v2 file, or one frame as SVG.

Both drive the replay app headlessly on the recording's own clock (never the wall clock),
so the same file always renders the same frames, however busy the machine is.
"""
from __future__ import annotations

import asyncio
import io
import json
import os
from collections.abc import Callable
from pathlib import Path

from conctui.engine.recording import Recording
from conctui.replay_app import ReplayApp
from rich.console import Console
from textual.app import App

FPS = 4  # frames per recorded second: the panes change at most this often that matters


def render_screen(app: App, color_system: str | None = "256") -> str:
    """The whole screen as terminal output (plain text without a colour system), built the way
    Textual builds its own screenshots."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=color_system is not None,
                      color_system=color_system, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.file.getvalue()


async def _render(recording: Recording, size: tuple[int, int], at: float | None,
                  on_frame: Callable[[ReplayApp, float], None]) -> None:
    """Step the replay to each frame time (every 1/FPS s, or only `at`) and hand over the screen."""
    app = ReplayApp(recording, ticking=False)
    app.player.paused = True  # the clock moves only when we step it
    async with app.run_test(size=size) as pilot:
        player = app.player
        if at is None:
            stops = [i / FPS for i in range(int(player.duration * FPS) + 2)]
        else:
            stops = [player.duration if at < 0 else at]
        for elapsed in stops:
            app.feed(player.seek(player.start + elapsed).events)
            app.frame()
            await pilot.pause()
            on_frame(app, min(elapsed, player.duration))


def export_asciicast(recording: Recording, out: str | Path, size: tuple[int, int]) -> None:
    """Write the replay as asciicast v2: a header line, then [time, "o", screen] lines."""
    width, height = size
    with open(out, "w", encoding="utf-8") as cast:
        header = {"version": 2, "width": width, "height": height, "title": f"conctui replay of "
                  f"{os.path.basename(recording.path)}", "env": {"TERM": "xterm-256color"}}
        cast.write(json.dumps(header) + "\n")
        shown: list[str] = []

        def write(app: ReplayApp, elapsed: float) -> None:
            """Only the lines that changed since the last frame, each put in place by a cursor move."""
            lines = render_screen(app).split("\n")
            changed = [(row, line) for row, line in enumerate(lines) if row >= len(shown) or shown[row] != line]
            if changed:
                shown[:] = lines
                clear = "\x1b[H\x1b[2J" if elapsed == 0 else ""
                text = clear + "".join(f"\x1b[{row + 1};1H{line}" for row, line in changed)
                cast.write(json.dumps([round(elapsed, 3), "o", text]) + "\n")

        asyncio.run(_render(recording, size, None, write))


def export_svg(recording: Recording, out: str | Path, size: tuple[int, int], at: float | None) -> None:
    """One frame, at `at` seconds into the recording (its end by default)."""
    shots: list[str] = []

    def keep(app: ReplayApp, elapsed: float) -> None:
        shots.append(app.export_screenshot(title=f"conctui · {os.path.basename(recording.path)} at {elapsed:.1f} s"))

    asyncio.run(_render(recording, size, -1.0 if at is None else at, keep))
    Path(out).write_text(shots[-1], encoding="utf-8")
