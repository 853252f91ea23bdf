"""The cores pane at 2, 16, 64 and 128 cores (and two hosts of 32), at 80x24 and 120x40, from the
deterministic streams of tests/fixtures/cores.py: a `processes` run of `cpu` 12 s in.

Regenerate after an intended change of layout: `python -m pytest tests/test_cores_snapshots.py --snapshot-update`.
"""
from __future__ import annotations

import pytest
from fixtures import cores, demo

SIZES = [(80, 24), (120, 40)]


def _shown(events):
    async def run_before(pilot) -> None:
        await demo.show(pilot, events)

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("count", [2, 16, 64, 128])
def test_every_core_drawn(snap_compare, count, size) -> None:
    assert snap_compare(demo.demo_app("cpu", "processes", count), terminal_size=size,
                        run_before=_shown(cores.processes_live(count)))


@pytest.mark.parametrize("size", SIZES)
def test_two_hosts_each_drawn(snap_compare, size) -> None:
    """A Dask run's hosts, each under its name, drawn the same way."""
    assert snap_compare(demo.demo_app("cpu", "dask", 64), terminal_size=size,
                        run_before=_shown(cores.processes_live(32, hosts=("node-a", "node-b"))))
