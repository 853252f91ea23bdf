"""What feeds the panes screen: the Source protocol and the header's line. No Textual here.

Two sources exist: the live session's controller (live.py) and a recording's player
(replay_app.py). The panes screen (panes.py) calls these methods on the UI thread, once a frame.
"""
from __future__ import annotations

from typing import NamedTuple, Protocol

from conctui.engine.events import Event, PythonInfo, RunStarted
from conctui.engine.state import SessionState


class HeaderLine(NamedTuple):
    """The header's facts, in RunHeader.show's order."""

    workload: str
    workers: int
    mode: str
    python: PythonInfo
    start_method: str
    recording: bool
    note: str = ""
    switch_ms: float | None = None

    @classmethod
    def of_run(cls, started: RunStarted, recording: bool, note: str = "") -> HeaderLine:
        return cls(started.workload, started.workers, started.mode, started.python, started.start_method,
                   recording, note, started.options.get("switch_interval_ms"))


class Source(Protocol):
    """What feeds the panes: the live session's controller, or a recording's player."""

    def pull(self) -> list[Event]:
        """The events that fell due since the last frame."""

    def now(self, state: SessionState) -> float:
        """The time the clocks show, on the events' clock."""

    def header(self, state: SessionState) -> HeaderLine | None:
        """What the header says now (None: nothing yet)."""

    def run_ended(self, figures: list[dict]) -> None:
        """A run ended; `figures` are those of every finished run, oldest first."""

    def after_frame(self) -> None:
        """Called once a frame is shown (a compare starts its next run here)."""

    def help_notes(self) -> list[str]:
        """Lines the help screen adds under the keys."""
