"""The cores pane stays readable from 2 to 128 cores and across hosts."""
from __future__ import annotations

import pytest
from conctui.engine.events import Sample
from conctui.engine.state import SessionState, apply
from conctui.widgets.cores import core_lines, level


def _state(hosts: dict[str, int], samples: int = 3) -> SessionState:
    state = SessionState()
    for tick in range(samples):
        for name, cores in hosts.items():
            apply(state, Sample(tick * 0.25, [float((i * 7 + tick) % 101) for i in range(cores)], [], 1.0, name))
    return state


@pytest.mark.parametrize("cores", [2, 8, 32, 64, 128])
@pytest.mark.parametrize("width, height", [(30, 5), (30, 30), (60, 12)])
def test_every_core_is_shown_within_the_pane(cores, width, height) -> None:
    state = _state({"": cores})
    lines = core_lines(state, width, height)
    assert len(lines) <= max(height, 1 + cores // (width - 12))
    assert all(len(line.plain) <= width for line in lines)
    if cores <= height:  # a sparkline row per core, with its percentage
        assert len(lines) == cores and all(line.plain.rstrip().endswith("%") for line in lines)
        assert [int(line.plain.split()[0]) for line in lines] == list(range(cores))
    else:  # a heat strip: after the label, one block per core, every core in order, none dropped
        strip = "".join(line.plain[line.spans[-1].start:line.spans[-1].end] for line in lines)
        assert strip == "".join(level(percent) for percent in state.hosts[""].now)


def test_hosts_are_labelled_apart() -> None:
    lines = core_lines(_state({"node-a": 2, "node-b": 2}), 30, 10)
    plain = [line.plain for line in lines]
    assert plain[0].startswith("node-a") and plain[3].startswith("node-b")
    squeezed = [line.plain for line in core_lines(_state({"node-a": 2, "node-b": 2}), 30, 3)]
    assert [line.split()[0] for line in squeezed] == ["node-a", "node-b"]
