"""The cores pane stays readable from 2 to 128 cores and across hosts: every core numbered with its
own history while the pane can hold it, a heat map of core ranges past that."""
from __future__ import annotations

import re

import pytest
from conctui.engine.events import Sample
from conctui.engine.state import SessionState, apply
from conctui.widgets.core_grid import (
    BLOCKS,
    MIN_HISTORY_S,
    columns_that_fit,
    core_lines,
    seconds_per_cell,
    stretch_means,
)

SPARK = f"[{BLOCKS} ]+"


def _state(hosts: dict[str, int], samples: int = 60, step: float = 0.25) -> SessionState:
    state = SessionState()
    for tick in range(samples):
        for name, cores in hosts.items():
            apply(state, Sample(tick * step, [float((i * 7 + tick) % 101) for i in range(cores)], [], 1.0, name))
    return state


def _lines(state: SessionState, width: int, height: int) -> list[str]:
    return [line.plain for line in core_lines(list(state.hosts.values()), width, height)]


def _numbers(lines: list[str]) -> list[int]:
    return [int(n) for line in lines for n in re.findall(rf"(\d+) ?{SPARK}", line)]


@pytest.mark.parametrize("cores, width, height", [(2, 30, 2), (4, 30, 2), (16, 30, 4), (16, 30, 14), (64, 46, 13),
                                                  (32, 30, 14)])
def test_every_core_has_its_number_and_history_where_the_pane_holds_it(cores, width, height) -> None:
    lines = _lines(_state({"": cores}), width, height)
    assert len(lines) <= height and all(len(line) <= width for line in lines)
    assert sorted(_numbers(lines)) == list(range(cores))  # each core once, numbered
    layout = columns_that_fit([cores], width, height)
    assert layout is not None and layout.cells * seconds_per_cell(layout.cells) >= MIN_HISTORY_S


@pytest.mark.parametrize("cores, width, height", [(128, 30, 13), (128, 46, 13), (64, 30, 13), (16, 30, 2)])
def test_past_that_a_heat_map_of_core_ranges_names_the_busiest_and_idlest(cores, width, height) -> None:
    state = _state({"": cores})
    lines = _lines(state, width, height)
    assert len(lines) <= height and all(len(line) <= width for line in lines)
    now = state.hosts[""].now
    busiest, idlest = now.index(max(now)), now.index(min(now))
    assert lines[0].startswith(f"busiest {busiest} {max(now):.0f}%, idlest {idlest} {min(now):.0f}%")
    ranges = [tuple(map(int, m.groups())) for line in lines[1:] if (m := re.match(r"\s*(\d+)-(\d+) ", line))]
    assert ranges and ranges[0][0] == 0 and ranges[-1][1] == cores - 1  # every core in one range
    assert all(b[0] == a[1] + 1 for a, b in zip(ranges, ranges[1:]))


def test_hosts_are_labelled_apart() -> None:
    lines = _lines(_state({"node-a": 2, "node-b": 2}), 30, 10)
    assert lines[0] == "node-a: 2 cores" and lines[3] == "node-b: 2 cores"
    assert _numbers(lines[1:3]) == [0, 1] and _numbers(lines[4:6]) == [0, 1]
    squeezed = _lines(_state({"node-a": 64, "node-b": 64}), 30, 6)
    assert squeezed[0].startswith("node-a busiest") and squeezed[3].startswith("node-b busiest")


def test_a_cell_is_a_stretch_of_the_clock_and_a_gap_takes_the_next_sample() -> None:
    """Idle samples come every 2 s: a 0.5 s stretch between two takes the later one's value."""
    times, values = [2.0, 4.0, 4.25, 4.5], [10.0, 50.0, 70.0, 90.0]
    assert stretch_means(times, values, 0.5, 7) == [None, 10.0, 50.0, 50.0, 50.0, 50.0, 80.0]
    assert stretch_means([], [], 1.0, 3) == [None, None, None]


def test_a_cell_stands_for_no_less_than_the_seconds_between_samples() -> None:
    """23 cells at a sample a second: a second a cell (23 s of history), not half a second drawn
    twice, whose shift each second resent twice the cells; a late tick does not change it."""
    from conctui.widgets.core_grid import sample_seconds

    assert seconds_per_cell(23) == 0.5 and seconds_per_cell(23, 1.0) == 1.0
    assert sample_seconds([0.0, 1.0, 2.0, 3.4, 4.0, 5.0]) == 1.0
    assert seconds_per_cell(23, sample_seconds([0.0, 0.25, 0.5, 0.75])) == 0.5
