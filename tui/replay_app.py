"""Replaying a recording: the same panes, fed by a Player instead of a live session.

The Player (engine/replay.py) decides which recorded events fall due; this app only turns
keys into player calls and hands the due events to the frame, exactly as the live app does.
"""
from __future__ import annotations

import time

from conctui.app import REFRESH_HZ, PanesApp
from conctui.engine.recording import Recording
from conctui.engine.replay import Player
from textual.binding import Binding

SEEK_S = 5.0


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
        super().__init__(ticking, refresh_hz)
        self.recording = recording
        self.player = Player(recording.events, recording.t0, speed)
        self._last = time.monotonic()

    def now(self) -> float:
        return self.player.clock

    def frame(self, now: float | None = None) -> None:
        tick = time.monotonic()
        self.feed(self.player.advance(tick - self._last))
        self._last = tick
        super().frame(now)

    def show_header(self, note: str = "") -> None:
        player = self.player
        state = "paused" if player.paused else ("end" if player.finished else f"{player.speed:g}x")
        super().show_header(note=f"▶ {player.elapsed:.0f}/{player.duration:.0f}s {state} · ")

    def help_notes(self) -> list[str]:
        notes = [f"replaying {self.recording.path}"]
        if self.recording.note:
            notes.append(self.recording.note)
        return notes

    def action_pause(self) -> None:
        self.player.toggle_pause()

    def action_seek(self, seconds: float) -> None:
        step = self.player.seek_by(seconds)
        if step.reset:
            self.refold(step.events)
        else:
            self.feed(step.events)

    def action_slower(self) -> None:
        self.notify(f"{self.player.slower():g}x", timeout=1)

    def action_faster(self) -> None:
        self.notify(f"{self.player.faster():g}x", timeout=1)


def replay(recording: Recording, speed: float = 1.0, refresh_hz: float = REFRESH_HZ) -> int:
    code = ReplayApp(recording, speed, refresh_hz=refresh_hz).run()
    return code if isinstance(code, int) else 0
