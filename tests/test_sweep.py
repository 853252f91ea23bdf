"""The sweep: worker counts, the serial-fraction fit, time left, the chart, and real sweeps.

The fit is checked on walls made by hand under its own model (exact), then on a real sweep
of pure-Python CPU: processes' serial fraction must come out well below threads' (skipped,
with the figure, when other programs took the cores the sweep needed).
"""
from __future__ import annotations

import os
import signal
from pathlib import Path

import plotext
import pytest
from conctui.engine.events import PythonInfo
from conctui.engine.sweep import default_counts, document, draw, fit, plan, time_left
from conctui.runner.info import usable_cores
from fixtures.command import LiveRun, conctui, task


@pytest.mark.parametrize(("cores", "counts"), [
    (1, [1, 2]), (2, [1, 2, 4]), (6, [1, 2, 4, 6, 8, 12]),
    (128, [1, 2, 4, 8, 16, 32, 64, 128, 256]), (96, [1, 2, 4, 8, 16, 32, 64, 96, 128, 192]),
])
def test_default_counts_run_from_one_to_twice_the_cores(cores: int, counts: list[int]) -> None:
    assert default_counts(cores, 1024) == counts


def test_default_counts_are_capped() -> None:
    assert default_counts(4096, 1024)[-1] == 1024


def _points(mode: str, walls: dict[int, float], cores: int = 4) -> list[dict]:
    return [{"mode": mode, "workers": n, "wall_s": w, "usable_cores": cores} for n, w in walls.items()]


@pytest.mark.parametrize("serial", [0.0, 0.3, 1.0])
def test_the_fit_recovers_the_serial_fraction_of_its_own_model(serial: float) -> None:
    walls = {n: 2.0 * (serial * n + (1 - serial) * max(1, n / 4)) for n in (1, 2, 4, 8)}
    found = fit(_points("m", walls), cores=4)
    assert found["serial_fraction"] == pytest.approx(serial, abs=1e-3)
    assert found["rms_error"] == pytest.approx(0, abs=1e-6) and found["quality"] == "good"


def test_waiting_that_beats_the_cores_fits_poorly_and_says_why() -> None:
    found = fit(_points("threads", {1: 2.0, 2: 2.0, 4: 2.0, 8: 2.0}, cores=2), cores=2)
    assert found["serial_fraction"] == 0 and found["quality"] == "poor" and "wait" in found["note"]


def test_no_fit_without_a_one_worker_point() -> None:
    assert fit(_points("m", {2: 1.0, 4: 2.0}), cores=2)["serial_fraction"] is None


def test_one_count_beyond_one_worker_gives_a_serial_fraction_but_no_fit_quality() -> None:
    found = fit(_points("m", {1: 1.0, 2: 1.5}, cores=2), cores=2)
    assert found["serial_fraction"] == pytest.approx(0.5)
    assert (found["quality"], found["rms_error"], found["points"]) == (None, None, 1)
    assert "not a fit" in found["note"]


def _run(mode: str, workers: int, wall: float) -> dict:
    return {"mode": mode, "workers": workers, "wall_s": wall, "status": "done", "workload": "cpu",
            "python": PythonInfo(executable="/py", usable_cores=2).as_dict(), "cpu_s": wall, "parallelism": 1.0,
            "cluster": None}


def test_the_time_left_follows_the_fit_so_far() -> None:
    runs = [_run("threads", 1, 1.0), _run("threads", 2, 2.0)]  # s = 1: 4 workers take 4 s
    found = document(runs, "cpu", {}, ["threads"], [1, 2, 4], 1, 2, "running")["points"]
    assert time_left(found, [("threads", 4)], elapsed_s=3.0, measured_wall_s=3.0) == pytest.approx(4.0)
    assert time_left([], [("threads", 4)], 0.0, 0.0) is None


def test_the_document_says_what_was_planned_and_what_was_measured() -> None:
    runs = [_run("processes", 1, 1.0), _run("processes", 2, 1.0)]
    sweep = document(runs, "cpu", {"n": 1}, ["processes"], [1, 2, 4], 2, 2, "stopped")
    assert (sweep["runs_planned"], sweep["runs_done"], sweep["status"]) == (6, 2, "stopped")
    assert [(p["workers"], p["speedup"], p["efficiency"]) for p in sweep["points"]] == [(1, 1.0, 1.0), (2, 2.0, 1.0)]
    assert sweep["fits"]["processes"]["serial_fraction"] == 0
    assert "fixed work per worker" in sweep["model"]
    assert len(plan(["a", "b"], [1, 2], 3)) == 12


def test_the_chart_has_a_line_per_mode_and_the_ideal() -> None:
    runs = [_run("threads", 1, 1.0), _run("threads", 2, 2.0), _run("processes", 1, 1.0), _run("processes", 2, 1.0)]
    draw(plotext, document(runs, "cpu", {}, ["threads", "processes"], [1, 2], 1, 2, "done"))
    plotext.plotsize(60, 15)
    chart = plotext.uncolorize(plotext.build())
    assert "threads" in chart and "processes" in chart and "ideal" in chart and "workers" in chart


@pytest.mark.process
def test_bad_worker_counts_are_one_line_and_exit_2() -> None:
    for counts in ("1,x", "0,2", "2000"):
        result = conctui("sweep", "download", "--workers", counts)
        assert result.code == 2 and len(result.err.strip().splitlines()) == 1, result.err


@pytest.mark.process
def test_ctrl_c_stops_the_sweep_and_keeps_the_points_so_far(tmp_path: Path) -> None:
    run = LiveRun("sweep", task("nap_after_the_first"), "--modes", "threads", "--workers", "1,2", "--json",
                  ready_dir=tmp_path)
    try:
        run.wait_ready(2)  # worker 1 of the second run naps: the first run is over
        os.kill(run.process.pid, signal.SIGINT)
        result = run.finish(within=10)
    finally:
        run.kill()
    assert result.code == 130, result.err
    sweep = result.json()["sweep"]
    assert sweep["status"] == "stopped" and sweep["runs_done"] == 2
    assert [(p["mode"], p["workers"]) for p in sweep["points"]] == [("threads", 1)]
    assert "sweep: 1/2 runs" in result.err


@pytest.mark.process
@pytest.mark.timing
def test_processes_serial_fraction_is_below_threads_for_pure_python() -> None:
    if usable_cores() < 2:
        pytest.skip(f"needs 2 usable cores, this process may use {usable_cores()}")
    # 3 repeats: each point is their median, so one run slowed by a burst of load cannot move the fit;
    # ~0.5 s a worker, so a child's start (~60 ms) and a burst of load are small beside its work
    result = conctui("sweep", "cpu", "--modes", "threads,processes", "--workers", "1,2", "--repeat", "3",
                     "--param", "n=10000000", "--param", "steps=10", "--json", timeout=300)
    assert result.code == 0, result.err
    document = result.json()
    others = max(run["other_load"] or 0.0 for run in document["runs"])
    if others > 0.5:
        pytest.skip(f"other programs took up to {others:.1f} cores during the sweep's runs")
    fits = document["sweep"]["fits"]
    threads, processes = fits["threads"]["serial_fraction"], fits["processes"]["serial_fraction"]
    assert processes < threads - 0.4, fits


@pytest.mark.process
def test_a_recorded_sweep_replays_to_the_same_document(tmp_path: Path) -> None:
    recording = tmp_path / "sweep.jsonl"
    result = conctui("sweep", "download", "--modes", "threads", "--workers", "1,2", "--param", "seconds=0.2",
                     "--param", "steps=2", "--record", str(recording), "--json")
    assert result.code == 0, result.err
    replayed = conctui("replay", str(recording), "--json")
    assert replayed.code == 0, replayed.err
    assert replayed.json()["sweep"] == result.json()["sweep"]


def test_the_sweep_event_is_checked_like_every_other() -> None:
    from conctui.engine.events import EventError, SweepStarted, decode, encode

    event = SweepStarted(1.0, "cpu", {"n": 1}, ["threads"], [1, 2], 1, 2)
    assert decode(encode(event)) == event
    for bad in ({"workers": [0]}, {"modes": []}, {"repeat": 0}):
        with pytest.raises(EventError):
            decode({**encode(event), **bad})


def test_a_fit_says_when_other_programs_took_the_cores() -> None:
    points = [{**p, "other_load": 1.5} for p in _points("processes", {1: 2.0, 2: 2.0}, cores=2)]
    assert "other programs took up to 1.5 of the 2 cores" in fit(points, cores=2)["note"]


# ---- the advice, from hand-made points ------------------------------------------------------

def _sweep(walls: dict[str, dict[int, float | list[float]]], cores: int = 16, cpu_share: float = 1.0,
           others: float = 0.0) -> dict:
    """A finished sweep's document from walls by mode and count (a list: one wall per repeat);
    fixed work per worker, each worker computing `cpu_share` of its time."""
    runs = []
    for mode, by_count in walls.items():
        for n, each in by_count.items():
            for wall in each if isinstance(each, list) else [each]:
                busy = cpu_share * min(n, cores) if mode != "threads" or cpu_share < 0.5 else 1.0
                runs.append({**_run(mode, n, wall), "python": PythonInfo(executable="/py", usable_cores=cores)
                             .as_dict(), "parallelism": busy, "other_load": others})
    counts = sorted({n for by_count in walls.values() for n in by_count})
    repeat = max(len(w) if isinstance(w, list) else 1 for by_count in walls.values() for w in by_count.values())
    return document(runs, "count_primes", {}, list(walls), counts, repeat, cores, "done")


CPU = {"threads": {1: 2.0, 4: 7.8, 16: 31.0, 32: 62.0},
       "processes": {1: [2.0, 2.0, 2.0], 4: [2.05, 2.0, 2.1], 16: [2.2, 2.16, 2.3], 32: [4.3, 4.2, 4.4]}}


def test_cpu_work_is_advised_processes_at_the_knee_with_its_range() -> None:
    found = _sweep(CPU)["advice"]
    assert (found["mode"], found["workers"], found["largest_tried"]) == ("processes", 16, False)
    assert found["speedup_range"] == [pytest.approx(16 * 2.0 / 2.3, abs=0.01), pytest.approx(16 * 2.0 / 2.16, abs=0.01)]
    text = found["text"]
    assert text.startswith("On these 16 cores, for count_primes, use processes at 16 workers: 14.5x")
    assert "over 3 runs" in text and "--repeat" not in text
    assert "Threads gained nothing (serial fraction" in text
    assert "Beyond 16 workers the gain stopped: 32 reached 14.9x." in text


def test_the_best_at_the_largest_count_tried_says_so_and_to_sweep_higher() -> None:
    found = _sweep({"processes": {1: 2.0, 2: 2.0, 4: 2.0}})["advice"]
    assert found["workers"] == 4 and found["largest_tried"] and found["gain_stopped_at"] is None
    assert "4 is the largest count tried and still gained: sweep higher" in found["text"]
    interior = _sweep({"processes": {1: 2.0, 2: 2.0, 4: 4.0}})["advice"]
    assert not interior["largest_tried"] and "sweep higher" not in interior["text"]


def test_one_run_per_point_says_the_range_needs_repeat() -> None:
    found = _sweep({"processes": {1: 2.0, 2: 2.0}})["advice"]
    assert found["speedup_range"] is None and "--repeat 3" in found["text"]


def test_waiting_work_is_advised_threads_and_where_the_gain_stopped() -> None:
    walls = {"threads": {1: 2.0, 2: 2.0, 4: 2.0, 8: 2.0, 16: 4.0}, "processes": {1: 2.3, 2: 2.3, 4: 2.35, 8: 2.4,
                                                                                  16: 2.5}}
    found = _sweep(walls, cores=2, cpu_share=0.01)["advice"]
    assert found["waits"] and (found["mode"], found["workers"]) == ("threads", 8)  # not processes' 16, though faster
    assert found["text"].startswith("The work mostly waits: one worker computed 1% of its time, so threads")
    assert "Beyond 8 workers the gain stopped" in found["text"]
    alone = _sweep({"processes": walls["processes"]}, cores=2, cpu_share=0.01)["advice"]
    assert alone["mode"] == "processes" and "--modes threads,asyncio" in alone["text"]


def test_the_advice_never_names_a_count_that_was_not_measured() -> None:
    for walls in (CPU, {"processes": {1: 2.0, 2: 2.0, 4: 2.0}}, {"threads": {1: 2.0, 3: 6.0}}):
        sweep = _sweep(walls)
        measured = {p["workers"] for p in sweep["points"]}
        found = sweep["advice"]
        assert found["workers"] in measured
        named = {int(word) for word in found["text"].replace(",", " ").split() if word.isdigit()}
        assert named <= measured | {sweep["usable_cores"], 3}, (named, found["text"])  # 3: "--repeat 3"


def test_nothing_gained_is_said_plainly() -> None:
    found = _sweep({"threads": {1: 2.0, 2: 4.0, 4: 8.0}})["advice"]
    assert "no mode did more than 1.00x" in found["text"] and "threads" not in found["text"].split(":")[0]


def test_no_points_no_advice() -> None:
    assert document([], "cpu", {}, ["threads"], [1, 2], 1, 2, "running")["advice"] is None


def test_the_advised_mode_is_the_one_that_scaled_best_so_no_other_sentence_beats_it() -> None:
    """On a busy machine the modes' 1-worker walls differed (7.04 s, 10.20 s for the same work):
    the advice follows the speedup it cites, never 'use threads at 1.80x' beside 'processes 2.01x'."""
    found = _sweep({"threads": {1: 7.04, 2: 7.82, 4: 18.15}, "processes": {1: 10.2, 2: 10.13, 4: 35.77}},
                   cores=2)["advice"]
    assert (found["mode"], found["workers"], found["speedup"]) == ("processes", 2, pytest.approx(2.01, abs=0.01))
    assert "Threads reached 1.80x at 2 workers." in found["text"]


def test_a_sweep_crowded_by_other_programs_advises_nothing_but_to_sweep_again() -> None:
    """Here, with 1.7 of 2 cores taken, pure-Python threads read 1.94x and processes 1.43x."""
    walls = {"threads": {1: 7.05, 2: 10.79, 4: 14.56}, "processes": {1: 8.63, 2: 13.12, 4: 24.17}}
    crowded = _sweep(walls, cores=2, others=1.7)["advice"]
    assert crowded["mode"] is None and crowded["workers"] is None
    assert "cannot say which mode is best: sweep again when the machine is quieter" in crowded["text"]
    busy = _sweep(walls, cores=2, others=0.6)["advice"]
    assert busy["mode"] == "threads" and busy["text"].endswith("so these figures measure them too.")
