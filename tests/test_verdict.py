"""The verdict: each mode's reason, from figures alone.

The first tests feed summary rows made by hand (fast, exact); the last ones run the tutorial's
cases for real and check the reason the verdict gives. A case that needs free cores is
skipped, with the figure that says so, when the run's own sampler saw other programs take them.
"""
from __future__ import annotations

import pytest
from conctui.engine.verdict import REASONS, THRESHOLDS, brief, judge, verdict
from conctui.runner.info import usable_cores
from fixtures.command import conctui, task


def _row(mode: str = "threads", workload: str = "w", **figures) -> dict:
    row = {"executable": "/py", "python_version": "3.11.7", "free_threaded": False, "workload": workload,
           "workers": 2, "mode": mode, "runs": 1, "ok_runs": 1, "wall_s": 2.0, "cpu_s": 2.0,
           "parallelism": 1.0, "usable_cores": 2, "gil_wait": None, "gil_scope": "one", "gil_note": "not sampled",
           "speedup": None, "startup_s": 0.0, "other_load": 0.0, "waiting_share": 0.0, "cluster": None}
    row.update(figures)
    return row


CASES = {
    "gil": _row(gil_wait=0.9, gil_held=0.97, parallelism=1.0, gil_note=None, waiting_share=0.5),
    "waiting": _row(cpu_s=0.01, parallelism=0.005, waiting_share=0.99, gil_wait=0.0, gil_note=None),
    "released_gil": _row(cpu_s=3.8, parallelism=1.9, gil_wait=0.03, gil_note=None),
    "all_cores": _row("processes", cpu_s=3.9, parallelism=1.95),
    "startup_ipc": _row("processes", wall_s=0.4, cpu_s=0.5, parallelism=1.25, startup_s=0.15),
    "one_core": _row("sequential", workers=2),
    "busy": _row("processes", parallelism=0.9, other_load=1.1),
    "partial": _row("processes", parallelism=1.2),
    "not_judged": _row(wall_s=None, parallelism=None, ok_runs=0),
}


@pytest.mark.parametrize("reason", list(CASES))
def test_each_reason_is_given_for_its_figures(reason: str) -> None:
    (entry, *_) = judge(CASES[reason])
    assert entry["reason"] == reason
    assert REASONS[reason] in entry["text"]
    # every figure it names is one of the row's, with the row's value
    for name, value in entry["figures"].items():
        if name in CASES[reason]:
            assert CASES[reason][name] == value, name


def test_sentences_cite_their_figures() -> None:
    (gil,) = judge(CASES["gil"])
    assert "held 97% of the time" in gil["text"] and "spent 90% of theirs waiting" in gil["text"]
    assert "1.00 of the 2 cores" in gil["text"]
    (waiting,) = judge(CASES["waiting"])
    assert "99%" in waiting["text"] and waiting["figures"]["waiting_share"] == 0.99


def test_the_workload_name_plays_no_part() -> None:
    for row in CASES.values():
        mine = {**row, "workload": "./my_tasks.py:simulate_download"}
        assert [e["reason"] for e in judge(row)] == [e["reason"] for e in judge(mine)]


def test_the_winner_says_by_how_much_against_sequential_and_the_runner_up() -> None:
    rows = [_row("sequential", wall_s=6.0, parallelism=0.0, waiting_share=1.0),
            _row("threads", wall_s=2.0, parallelism=0.0, waiting_share=1.0),
            _row("processes", wall_s=2.5, parallelism=0.1, waiting_share=0.9)]
    won, *rest = verdict(rows)
    assert (won["reason"], won["mode"]) == ("won", "threads")
    assert "3.00 times as fast as sequential (6.00 s)" in won["text"]
    assert "1.25 times as fast as processes (2.50 s)" in won["text"]
    assert [e["mode"] for e in rest] == ["sequential", "threads", "processes"]


def test_a_narrow_win_says_noise_can_reverse_it() -> None:
    edge = THRESHOLDS["narrow_win"] - 0.01
    won, *_ = verdict([_row("threads", wall_s=2.0 * edge), _row("processes", wall_s=2.0)])
    assert won["mode"] == "processes" and "narrowly" in won["text"]


@pytest.mark.parametrize("scope", ["per process", "per interpreter", "none"])
def test_gil_reasons_need_one_gil_shared_by_the_workers(scope: str) -> None:
    """Each worker's wait on its own GIL says nothing about sharing one: no GIL reason from it."""
    waited = {**CASES["gil"], "mode": "processes", "gil_scope": scope}
    assert judge(waited)[0]["reason"] != "gil"
    parallel = {**CASES["released_gil"], "mode": "processes", "gil_scope": scope}
    assert judge(parallel)[0]["reason"] == "all_cores"


def test_each_sentence_reads_as_words_with_its_figures() -> None:
    for row in CASES.values():
        (entry, *_) = judge(row)
        text = entry["text"]
        assert text.endswith(".") and text.count(":") == 1, text  # "MODE REASON: a clause."
        assert not any(terse in text for terse in ("GIL wait ", "parallelism ", "run(s)", "x as fast")), text


def test_busy_cores_are_a_caveat_on_top_of_a_clear_reason() -> None:
    entries = judge({**CASES["gil"], "other_load": 1.0})
    assert [e["reason"] for e in entries] == ["gil", "busy"]
    assert "1.0 of the 2 usable cores" in entries[1]["text"]


# ---- real runs ----------------------------------------------------------------------------

OTHERS_MAX = 0.4  # cores other programs may take while a test that needs free cores measures
FIGURES = ("mode", "wall_s", "parallelism", "gil_held", "gil_wait", "gil_scope", "other_load")


def _verdict(*args: str, needs_free_cores: bool = False) -> dict[str, list]:
    """Reasons by mode of a real run or compare (--json); the winner's mode under "won"; each run's
    figures under "figures"."""
    if needs_free_cores and usable_cores() < 2:
        pytest.skip(f"needs 2 usable cores, this process may use {usable_cores()}")
    result = conctui(*args, "--json", timeout=120)
    assert result.code == 0, result.err
    others = max(run["other_load"] or 0.0 for run in result.json()["runs"])
    if needs_free_cores and others > OTHERS_MAX:
        pytest.skip(f"other programs took {others:.2f} cores while it ran")
    reasons: dict[str, list] = {"figures": [{name: run.get(name) for name in FIGURES} for run in result.json()["runs"]]}
    for entry in result.json()["verdict"]:  # (the figures are there for a failure's message)
        key = "won" if entry["reason"] == "won" else entry["mode"]
        reasons.setdefault(key, []).append(entry["mode"] if key == "won" else entry["reason"])
    return reasons


@pytest.mark.process
@pytest.mark.timing
def test_pure_python_threads_wait_on_the_gil() -> None:
    """py-spy samples at random moments, about RATE_HZ a second: a window's held share is a count
    over its expected count, off by about 1/sqrt(samples). A 0.45 s run (~45 samples) read the GIL
    held 63% once on CI; ~2 s (~200 samples) keeps the 97% it reads well above the 70% needed."""
    reasons = _verdict("run", "cpu", "--mode", "threads", "--workers", "2", "--param", "n=16000000",
                       needs_free_cores=True)
    assert reasons["threads"][0] == "gil", reasons


@pytest.mark.process
def test_sleeping_threads_are_waiting() -> None:
    reasons = _verdict("run", "download", "--mode", "threads", "--workers", "3", "--param", "seconds=0.5")
    assert reasons["threads"][0] == "waiting", reasons


@pytest.mark.process
def test_the_tutorials_sleeping_calculation_in_processes_uses_no_cpu() -> None:
    """A user's function, judged by the same rules: its processes only sleep."""
    reasons = _verdict("compare", task("cpu_bound_task"), "--modes", "sequential,processes", "--workers", "2",
                       "--param", "seconds=1")
    assert reasons["processes"][0] == "waiting", reasons
    assert reasons["sequential"][0] == "waiting", reasons
    assert len(reasons["won"]) == 1


@pytest.mark.process
def test_a_users_function_gets_a_verdict_too() -> None:
    reasons = _verdict("run", task("calculate"), "--mode", "sequential", "--workers", "2")
    assert reasons["sequential"][0] == "one_core", reasons


@pytest.mark.process
@pytest.mark.timing
def test_hashlib_threads_released_the_gil() -> None:
    reasons = _verdict("run", "hashlib", "--mode", "threads", "--workers", "2", "--param", "rounds=100",
                       needs_free_cores=True)
    assert reasons["threads"][0] == "released_gil", reasons


def test_brief_lines_read_as_words_and_fit_the_results_pane_at_80_columns() -> None:
    """The TUI shows brief(): 78 cells wide at 80x24 (a longer one ends in an ellipsis, losing its
    last figure: released_gil's GIL wait may)."""
    rows = [_row("sequential", wall_s=6.0), _row("threads", wall_s=2.0), _row("processes", wall_s=2.5)]
    lines = [brief(entry) for entry in verdict(rows)]
    lines += [brief(entry) for reason, row in CASES.items() if reason != "released_gil"
              for entry in judge(row)]
    assert all(len(line) <= 78 for line in lines), [line for line in lines if len(line) > 78]
    assert lines[0] == "threads won in 2.00 s, 3.00x as fast as sequential and 1.25x processes"
    assert "1.00 of one core busy" in brief(judge(CASES["one_core"])[0])
