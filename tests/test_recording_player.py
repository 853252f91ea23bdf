"""The Player: a virtual clock over recorded events, tested without waiting."""
from __future__ import annotations

import pytest
from conctui.engine.events import Progress, Sample
from conctui.engine.replay import SPEEDS, Player, Step


def _events() -> list:
    # t steps back 0.05 s at index 3: a runner batch that arrived after a later sample
    times = [0.5, 1.0, 2.0, 1.95, 3.0, 4.0]
    return [Sample(t, [1.0], [], 0.0) if i % 2 else Progress(t, 0, 0.1 * i) for i, t in enumerate(times)]


def test_advance_releases_what_fell_due_scaled_by_speed() -> None:
    events = _events()
    player = Player(events)
    assert player.advance(0.4) == []
    assert player.advance(0.1) == events[:1]
    player.speed = 2.0
    assert player.advance(0.75) == events[1:4]  # 0.5 + 1.5 = 2.0: the back-step is released in file order
    player.speed = 0.25
    assert player.advance(3.9) == []  # 2.0 + 0.975
    assert player.advance(0.1) == events[4:5]
    assert player.advance(100) == events[5:]
    assert player.finished and player.clock == player.end == 4.0


def test_pause_stops_the_clock() -> None:
    player = Player(_events())
    assert player.toggle_pause()
    assert player.advance(10) == [] and player.clock == 0.0
    assert not player.toggle_pause()
    assert len(player.advance(1.0)) == 2


def test_speed_steps_and_bounds() -> None:
    player = Player(_events())
    assert [player.faster() for _ in range(4)] == [2.0, 4.0, 8.0, 8.0]
    assert [player.slower() for _ in range(7)] == [4.0, 2.0, 1.0, 0.5, 0.25, 0.25, 0.25]
    for bad in (0.1, 16.0):
        with pytest.raises(ValueError):
            player.speed = bad
    assert SPEEDS[0] == 0.25 and SPEEDS[-1] == 8.0


def test_seek_forward_releases_backward_asks_for_a_refold() -> None:
    events = _events()
    player = Player(events)
    step = player.seek(2.5)
    assert not step.reset and step.events == events[:4]
    step = player.seek_by(-2.0)  # to 0.5
    assert step.reset and step.events == events[:1]
    assert player.advance(0.5) == events[1:2]  # playing on continues from the seek
    assert player.seek(-5).events == [] and player.clock == 0.0
    step = player.seek(99)
    assert step.events == events and player.clock == 4.0 and player.finished


def test_a_backward_seek_refolds_from_what_was_due_in_file_order() -> None:
    events = _events()
    player = Player(events)
    player.seek(99)
    assert player.seek(1.96) == Step(True, events[:2])  # index 3 (t 1.95) waits for index 2 (t 2.0)
    assert player.seek(2.0).events == events[2:4]


def test_events_before_t0_are_due_at_once() -> None:
    """A recording begun mid-run: its prelude is older than t0 and shows at the start."""
    events = _events()
    player = Player(events, t0=2.0)
    assert player.advance(0) == events[:4]
    assert player.elapsed == 0.0 and player.duration == 2.0
    assert player.seek(0).events == [] and player.clock == 2.0


def test_an_empty_recording_is_finished_at_once() -> None:
    player = Player([], t0=3.0)
    assert player.advance(1) == [] and player.finished and player.duration == 0.0
