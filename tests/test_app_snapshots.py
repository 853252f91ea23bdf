"""Layout snapshots at 80x24 and 120x40, fed the deterministic demo stream (stable on any machine).

Regenerate after an intended change of layout: `python -m pytest tests/test_app_snapshots.py --snapshot-update`.
"""
from __future__ import annotations

import pytest
from fixtures import demo

SIZES = [(80, 24), (120, 40)]


def _before(stream, keys=()):
    async def run_before(pilot) -> None:
        await demo.show(pilot, stream())
        # a run's "done" toast lives for seconds of wall time: whether it is still up when the
        # picture is taken depends on the machine's load, so no picture keeps it
        pilot.app.clear_notifications()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_threads_download(snap_compare, size) -> None:
    assert snap_compare(demo.demo_app("download", "threads", 3), terminal_size=size,
                        run_before=_before(demo.download_threads))


@pytest.mark.parametrize("size", SIZES)
def test_cpu_compare_results(snap_compare, size) -> None:
    assert snap_compare(demo.demo_app("cpu", "processes", 4), terminal_size=size,
                        run_before=_before(demo.cpu_compare))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, size) -> None:
    assert snap_compare(demo.demo_app(), terminal_size=size,
                        run_before=_before(demo.download_threads, ["question_mark"]))


def test_memory_lines_under_the_results(snap_compare) -> None:
    """After a compare of `shared`: the highlighted run's memory lines and IPC line, at 80x24."""
    assert snap_compare(demo.demo_app("shared", "processes", 2), terminal_size=(80, 24),
                        run_before=_before(demo.shared_compare))


def test_empty_start_screen(snap_compare) -> None:
    """What `conctui` shows before anything runs: nothing to fold yet."""

    async def run_before(pilot) -> None:
        pilot.app.frame(now=0.0)
        await pilot.pause()

    assert snap_compare(demo.demo_app(), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_dask_cores_grouped_by_host(snap_compare, size) -> None:
    # the next run a Dask run too: the cores pane keeps the cluster's hosts (test_panes_80x24: not otherwise)
    assert snap_compare(demo.demo_app("cpu", "dask", 4), terminal_size=size,
                        run_before=_before(demo.dask_two_hosts))


def test_workload_picker_is_centred_and_wraps_each_column_apart(snap_compare) -> None:
    """At 80x24 the picker sits in the middle, and a long description wraps under itself."""
    assert snap_compare(demo.demo_app(), terminal_size=(80, 24), run_before=_before(demo.download_threads, ["w"]))


def test_gil_held_per_worker(snap_compare) -> None:
    """Two pure-Python threads mid-run: the workers pane's gil column, the run's held share beside the wait."""
    assert snap_compare(demo.demo_app("cpu", "threads", 2), terminal_size=(80, 24),
                        run_before=_before(demo.cpu_threads_live))


def test_claims_screen(snap_compare) -> None:
    """After the demo's download and cpu compare: three claims measured, four with their keys."""

    async def run_before(pilot) -> None:
        await demo.show(pilot, demo.download_threads() + demo.shifted(demo.cpu_compare(), 3.0, 1))
        pilot.app.clear_notifications()  # the runs' "done" toasts would cover the screen
        await pilot.press("T")
        await pilot.pause()

    assert snap_compare(demo.demo_app("cpu", "processes", 4), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_sweep_screen(snap_compare, size) -> None:
    """A finished sweep of pure-Python CPU on 4 cores: threads flat at 1x, processes up to the cores."""

    async def run_before(pilot) -> None:
        await demo.show(pilot, demo.cpu_sweep())
        pilot.app.clear_notifications()
        pilot.app.open_sweep()
        await pilot.pause()

    assert snap_compare(demo.demo_app("cpu", "processes", 4), terminal_size=size, run_before=run_before)
