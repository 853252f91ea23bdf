"""The claims' measured sentences, from hand-made run figures: each reads as a sentence a
reader can say aloud, cites the figures it read, and never makes up one that is missing."""
from __future__ import annotations

from conctui.engine.claims import measured


def _run(workload: str, mode: str, workers: int, wall: float, **figures: object) -> dict:
    run = {"workload": workload, "mode": mode, "workers": workers, "status": "done", "wall_s": wall,
           "cpu_s": 0.01, "parallelism": 0.01, "waiting_share": None, "startup_s": None, "ipc": None,
           "other_load": 0.0, "python": {"free_threaded": False, "gil_enabled": True}}
    return {**run, **figures}


def _said(runs: list[dict], cores: int = 2) -> dict[str, str | None]:
    return {claim.key: figure for claim, figure in measured(runs, cores)}


def test_each_measured_claim_is_a_sentence_citing_its_figures() -> None:
    runs = [_run("download", "sequential", 3, 6.01), _run("download", "threads", 3, 2.01),
            _run("cpu", "sequential", 2, 4.0), _run("cpu", "threads", 2, 4.1, parallelism=0.98),
            _run("cpu", "processes", 2, 2.1, parallelism=1.9),
            _run("download", "processes", 3, 2.3, cpu_s=0.05, waiting_share=0.98, startup_s=0.3,
                 ipc={"share": 0.01})]
    said = _said(runs)
    assert said["1"] == "3 sleeping threads took 2.01 s together, and 6.01 s one after another."
    assert said["2"] == ("2 threads took 4.10 s against 4.00 s one after another: 0.98 times as fast, "
                         "keeping 0.98 cores busy.")
    assert said["3"] == "2 processes kept 1.90 of the 2 cores busy."
    assert said["4"] == "3 processes that sleep used 0.05 s of CPU in 2.30 s, waiting 98% of their time."
    assert said["5"] == ("processes took 2.30 s against threads' 2.01 s; their workers began 0.30 s after launch; "
                         "moving arguments and results took 1% of the time.")
    assert said["6"] is None and said["7"] is None  # not measured: no sentence made up


def test_a_missing_figure_is_left_out_never_written_as_zero() -> None:
    runs = [_run("download", "threads", 3, 2.01), _run("download", "processes", 3, 2.3)]
    said = _said(runs)
    assert said["5"] == "processes took 2.30 s against threads' 2.01 s." and "0.00 s after" not in said["5"]
    assert said["1"] == "3 sleeping threads took 2.01 s together."


def test_busy_cores_are_said_after_the_sentence() -> None:
    said = _said([_run("cpu", "processes", 2, 2.1, parallelism=1.2, other_load=0.9)])
    assert said["3"] == ("2 processes kept 1.20 of the 2 cores busy. "
                         "Other programs took up to 0.9 of the 2 cores meanwhile.")
