"""Replaying a recording: the same panes screen, with a recording's player as its source.

The Player (engine/replay.py) decides which recorded events fall due; `ReplaySource` hands
them to the panes each frame, and this app only turns keys into player calls. It runs in the
conctui process, on the UI thread.
"""
from __future__ import annotations

import time

from conctui.app import PanesApp
from conctui.engine.events import Event
from conctui.engine.recording import Recording
from conctui.engine.replay import Player
from conctui.engine.state import SessionState
from conctui.panes import REFRESH_HZ
from conctui.source import HeaderLine
from textual.binding import Binding

SEEK_S = 5.0


class ReplaySource:
    """The panes' source while replaying: the events due on the player's clock."""

    def __init__(self, recording: Recording, speed: float) -> None:
        self.recording = recording
        self.player = Player(recording.events, recording.t0, speed)
        self._last = time.monotonic()

    def pull(self) -> list[Event]:
        tick = time.monotonic()
        due = self.player.advance(tick - self._last)
        self._last = tick
        return due

    def now(self, state: SessionState) -> float:
        return self.player.clock

    def header(self, state: SessionState) -> HeaderLine | None:
        if state.current is None:
            return None
        player = self.player
        where = "paused" if player.paused else ("end" if player.finished else f"{player.speed:g}x")
        note = f"▶ {player.elapsed:.0f}/{player.duration:.0f}s {where} · "
        return HeaderLine.of_run(state.current.started, False, note)

    def run_ended(self, figures: list[dict]) -> None:
        """Nothing to do: the results pane already shows them."""

    def after_frame(self) -> None:
        """Nothing to do: the player's clock moves on its own."""

    def help_notes(self) -> list[str]:
        notes = [f"replaying {self.recording.path}"]
        if self.recording.note:
            notes.append(self.recording.note)
        return notes


class ReplayApp(PanesApp, inherit_bindings=False):
    BINDINGS = [
        Binding("space", "pause", "pause", id="pause", tooltip="pause / play"),
        Binding("left", f"seek({-SEEK_S})", f"-{SEEK_S:g}s", id="back", tooltip=f"seek back {SEEK_S:g} s"),
        Binding("right", f"seek({SEEK_S})", f"+{SEEK_S:g}s", id="forward", tooltip=f"seek forward {SEEK_S:g} s"),
        Binding("less_than_sign", "slower", "slower", key_display="<", id="slower", tooltip="half speed"),
        Binding("greater_than_sign", "faster", "faster", key_display=">", id="faster", tooltip="double speed"),
        *PanesApp.BINDINGS,
    ]

    def __init__(self, recording: Recording, speed: float = 1.0, ticking: bool = True,
                 refresh_hz: float = REFRESH_HZ) -> None:
        source = ReplaySource(recording, speed)
        super().__init__(source, ticking, refresh_hz)
        self.recording = recording
        self.player = source.player

    def action_pause(self) -> None:
        self.player.toggle_pause()

    def action_seek(self, seconds: float) -> None:
        step = self.player.seek_by(seconds)
        if step.reset:
            self.panes.refold(step.events)
        else:
            self.feed(step.events)

    def action_slower(self) -> None:
        self.notify(f"{self.player.slower():g}x", timeout=1)

    def action_faster(self) -> None:
        self.notify(f"{self.player.faster():g}x", timeout=1)


def replay(recording: Recording, speed: float = 1.0, refresh_hz: float = REFRESH_HZ) -> int:
    code = ReplayApp(recording, speed, refresh_hz=refresh_hz).run()
    return code if isinstance(code, int) else 0
