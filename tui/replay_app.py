"""Replaying a recording: the one app (app.py), with a recording's player as its source.

The Player (engine/replay.py) decides which recorded events fall due; `ReplaySource` hands
them to the panes each frame and declares the replay's keys (pause, seek, speed). It runs in
the conctui process, on the UI thread.
"""
from __future__ import annotations

import time

from conctui.app import ConcApp
from conctui.engine.events import Event, RunStarted
from conctui.engine.recording import Recording
from conctui.engine.replay import Player
from conctui.engine.state import SessionState
from conctui.engine.text import figure, seconds_cell
from conctui.engine.watch.events import WatchStarted
from conctui.panes import TICK_HZ
from conctui.source import HeaderLine, Key, ProgramLine, Restart, Source

SEEK_S = 5.0
REPLAY_KEYS = (
    Key("space", "pause", "pause", tooltip="pause / play"),
    # grouped, the footer reads `← → seek 5s < > speed`
    Key("left", "seek", f"-{SEEK_S:g}s", (-SEEK_S,), key_display="←", tooltip=f"seek back {SEEK_S:g} s",
        group=f"seek {SEEK_S:g}s", priority=True),
    Key("right", "seek", f"+{SEEK_S:g}s", (SEEK_S,), key_display="→", tooltip=f"seek forward {SEEK_S:g} s",
        group=f"seek {SEEK_S:g}s", priority=True),
    Key("less_than_sign", "slower", "slower", key_display="<", tooltip="half speed", group="speed"),
    Key("greater_than_sign", "faster", "faster", key_display=">", tooltip="double speed", group="speed"),
)


class ReplaySource(Source):
    """The panes' source while replaying: the events due on the player's clock."""

    keys = REPLAY_KEYS

    def __init__(self, recording: Recording, speed: float) -> None:
        self.recording = recording
        self.player = Player(recording.events, recording.t0, speed)
        self._last = time.monotonic()
        self._sought: list[Event] = []  # a seek's events, handed over by the next pull
        self.first = next((event for event in recording.events if isinstance(event, RunStarted)), None)
        if any(isinstance(event, WatchStarted) for event in recording.events[:1]):
            self.layout = "program"  # a watch's recording: a watched program's panes (watch_source.py)

    def pull(self) -> list[Event]:
        tick = time.monotonic()
        due = self.player.advance(tick - self._last)
        self._last = tick
        sought, self._sought = self._sought, []
        return type(sought)(sought + due)  # a Restart stays one

    def now(self, state: SessionState) -> float:
        return self.player.clock

    def header(self, state: SessionState) -> HeaderLine | ProgramLine | None:
        """The run on show, or, before the first has started, the recording's first: its facts
        from the first frame; or the watched program. The speed always, so `<` and `>` answer
        even while paused."""
        player = self.player
        where = " paused" if player.paused else (" end" if player.finished else "")
        sign = "⏸" if player.paused else "▶"
        at = f"{figure(player.elapsed, digits=0)}/{seconds_cell(player.duration, 0)}"
        note = f"{sign} {at} {player.speed:g}x{where} · "
        if state.watch is not None:
            return ProgramLine.of_watch(state.watch, False, note)
        started = state.current.started if state.current is not None else self.first
        return None if started is None else HeaderLine.of_run(started, False, note)

    def act(self, action: str, *args: object) -> None:
        if action == "pause":
            self.player.toggle_pause()
        elif action == "seek":
            step = self.player.seek_by(float(args[0]))  # type: ignore[arg-type]
            # backwards: the session is shown again from its start, up to the new time
            self._sought = Restart(step.events) if step.reset else type(self._sought)(self._sought + step.events)
        elif action == "slower":  # the header shows the new speed
            self.player.slower()
        else:
            self.player.faster()

    def help_notes(self) -> list[str]:
        notes = [f"replaying {self.recording.path}"]
        if self.recording.note:
            notes.append(self.recording.note)
        return notes


def replay_app(recording: Recording, speed: float = 1.0, ticking: bool = True,
               tick_hz: float = TICK_HZ) -> ConcApp:
    return ConcApp(ReplaySource(recording, speed), ticking, tick_hz)


def replay(recording: Recording, speed: float = 1.0, tick_hz: float = TICK_HZ) -> int:
    code = replay_app(recording, speed, tick_hz=tick_hz).run()
    return code if isinstance(code, int) else 0
