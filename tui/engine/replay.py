"""Playing a recording back on a virtual clock: pure logic, so the TUI only feeds what it returns.

No Textual, no threads, no real clock: the caller says how much real time passed and gets
the events that became due, so playback is deterministic and tested without waiting.
Events are released in file order (the order the live fold applied them) at the running
maximum of their times, so the small back-steps between runner and sampler threads never
reorder anything. Events before the recording's `t0` (the live run's prelude of a
recording begun mid-run) are due at once.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from conctui.engine.events import Event

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass(frozen=True)
class Step:
    """What a seek asks of the caller: start from an empty state first if `reset`, then apply `events`."""

    reset: bool
    events: list[Event]


class Player:
    def __init__(self, events: Sequence[Event], t0: float = 0.0, speed: float = 1.0) -> None:
        self.events = list(events)
        self._due = list(accumulate((e.t for e in self.events), max))  # non-decreasing release times
        self.start = t0
        self.end = max([t0, *self._due[-1:]])
        self.clock = self.start
        self.speed = speed
        self.paused = False
        self._next = 0  # index of the first event not yet handed out

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        if not SPEEDS[0] <= value <= SPEEDS[-1]:
            raise ValueError(f"speed {value} is outside {SPEEDS[0]}x..{SPEEDS[-1]}x")
        self._speed = value

    def faster(self) -> float:
        self.speed = next((s for s in SPEEDS if s > self._speed), SPEEDS[-1])
        return self._speed

    def slower(self) -> float:
        self.speed = next((s for s in reversed(SPEEDS) if s < self._speed), SPEEDS[0])
        return self._speed

    def toggle_pause(self) -> bool:
        self.paused = not self.paused
        return self.paused

    @property
    def elapsed(self) -> float:
        """Recording seconds played so far (what a progress bar or the `--at` of an export means)."""
        return self.clock - self.start

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def finished(self) -> bool:
        return self._next == len(self.events) and self.clock >= self.end

    def _upto(self, t: float) -> int:
        return bisect_right(self._due, max(t, self.start))

    def advance(self, dt_real: float) -> list[Event]:
        """Move the clock by `dt_real` real seconds times the speed (not while paused); return what fell due."""
        if not self.paused and dt_real > 0:
            self.clock = min(self.end, self.clock + dt_real * self._speed)
        return self._release(self._upto(self.clock))

    def seek(self, t: float) -> Step:
        """Jump to session time `t` (clamped to the recording); backwards means refolding from the start."""
        self.clock = min(self.end, max(self.start, t))
        upto = self._upto(self.clock)
        if upto >= self._next:
            return Step(False, self._release(upto))
        self._next = upto
        return Step(True, self.events[:upto])

    def seek_by(self, seconds: float) -> Step:
        return self.seek(self.clock + seconds)

    def _release(self, upto: int) -> list[Event]:
        due, self._next = self.events[self._next:upto], max(self._next, upto)
        return due
