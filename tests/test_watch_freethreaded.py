"""`conctui watch` on a free-threaded 3.13t program (scripts/build-freethreaded.sh): its threads
use more than one core with no GIL, the GIL columns say there is none, and a GIL switched back
on (PYTHON_GIL=1, -X gil=1) is seen from outside and measured as a GIL again."""
from __future__ import annotations

import os
import subprocess

import pytest
from conctui.engine.watch.target import python_of
from fixtures.pythons import freethreaded_python, needs_cores
from fixtures.watching import fixture, mean, watch_json

pytestmark = pytest.mark.process

SECONDS = "4"


def _busy(document: dict) -> list[dict]:
    """The pool's threads: each at least a tenth of a core (py-spy cannot name them on 3.13t)."""
    (process,) = document["processes"]
    return [t for t in process["threads"] if (t["cpu"] or 0) >= 0.1]


@pytest.mark.timing
def test_free_threaded_pure_python_threads_run_on_more_than_one_core_with_no_gil() -> None:
    needs_cores(2)
    document = watch_json("--", freethreaded_python(), fixture("threads"), "30", duration=float(SECONDS))
    (process,) = document["processes"]
    assert document["target"]["python"].endswith("t") and document["notes"]["gil"].startswith("no GIL")
    busy = _busy(document)
    assert len(busy) == 4, process["threads"]
    for thread in process["threads"]:
        assert thread["gil_wait"] is None and thread["gil_held"] is None and thread["states"]["gil_wait"] is None
    for thread in busy:
        assert thread["states"]["running"] > 2 * thread["states"]["lock_wait"], thread
        # frames where py-spy can read a 3.13t, else the note says why there are none
        assert (thread["top"] or "").startswith("crunch") or "py-spy" in document["notes"]["gil"]
    (line,) = document["verdict"]
    assert line["reason"] == "no_gil" and ("no GIL holds them back" in line["text"] or "in parallel" in line["text"])
    if process["cpu"] < 1.2:
        pytest.skip(f"the pool got {process['cpu']:.2f} cores: this machine is too busy to show them in parallel")
    assert process["cpu"] > 1.5 * max(t["cpu"] for t in busy)
    assert line["text"].endswith("with no GIL (a free-threaded build): they run in parallel.")


def test_a_gil_switched_back_on_is_seen_and_its_waits_are_gil_waits() -> None:
    document = watch_json("--", freethreaded_python(), "-X", "gil=1", fixture("threads"), "30",
                          duration=float(SECONDS))
    assert document["target"]["python"].endswith("t (-X gil=1)")
    busy = _busy(document)
    assert len(busy) == 4
    assert mean([t["states"]["gil_wait"] for t in busy]) > 0.15
    assert mean([t["states"]["gil_wait"] for t in busy]) > 2 * mean([t["states"]["lock_wait"] for t in busy])
    assert "no_gil" not in [line["reason"] for line in document["verdict"]]


def _build_started_with(environ: dict[str, str]):
    sleeper = subprocess.Popen([freethreaded_python(), "-c", "import time; print(flush=True); time.sleep(30)"],
                               stdout=subprocess.PIPE, env=environ)
    try:
        sleeper.stdout.readline()  # it runs Python: its files are mapped
        return python_of(sleeper.pid)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_python_gil_1_in_the_environment_is_read_from_proc() -> None:
    plain = {name: value for name, value in os.environ.items() if name != "PYTHON_GIL"}
    switched = _build_started_with({**plain, "PYTHON_GIL": "1"})
    assert switched.free_threaded and switched.gil_on == "PYTHON_GIL=1" and not switched.no_gil
    assert switched.label.endswith("t (PYTHON_GIL=1)")
    off = _build_started_with(plain)
    assert off.free_threaded and off.gil_on is None and off.no_gil
