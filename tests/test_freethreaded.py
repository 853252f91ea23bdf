"""The free-threaded build (scripts/build-freethreaded.sh): threads of pure-Python CPU run on
every core, and every figure says the GIL is off; PYTHON_GIL=1 turns it back on, and says so."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
from fixtures.command import COMMAND, conctui
from fixtures.pythons import CLAIMED_GAIN, best_walls, freethreaded_python, needs_cores

pytestmark = pytest.mark.process

CPU = ["--param", "n=8000000"]  # ~0.5 s a worker: beside it the children's start is small


@pytest.mark.timing
def test_two_threads_of_pure_python_beat_sequential_and_the_gil_is_off() -> None:
    needs_cores(2)
    walls, document = best_walls(freethreaded_python(), "threads", *CPU)
    assert walls["threads"] < CLAIMED_GAIN * walls["sequential"], walls
    for info in [document["header"], *(run["python"] for run in document["runs"])]:
        assert info["free_threaded"] is True and info["gil_enabled"] is False, info
    threads = next(run for run in document["runs"] if run["mode"] == "threads")
    assert threads["gil_wait"] is None and threads["gil_held"] is None and threads["process_cpu"] is None
    assert threads["gil_note"] == "no GIL: free-threaded build with the GIL off"


def test_python_gil_1_turns_the_gil_back_on_and_the_figures_say_so() -> None:
    env = {**os.environ, "PYTHON_GIL": "1"}
    done = subprocess.run([*COMMAND, "run", "cpu", "--workers", "2", "--param", "n=1000000", "--python",
                           freethreaded_python(), "--json"], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert run["python"]["free_threaded"] is True and run["python"]["gil_enabled"] is True
    assert run["gil_wait"] is not None and run["gil_note"] is None


def test_subinterpreters_run_under_the_free_threaded_build_too() -> None:
    result = conctui("run", "cpu", "--mode", "interpreters", "--workers", "2", "--param", "n=200000",
                     "--python", freethreaded_python(), "--json")
    assert result.code == 0, result.err
    assert {w["status"] for w in result.run()["per_worker"]} == {"done"}
