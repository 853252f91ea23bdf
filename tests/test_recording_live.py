"""Recording live runs: a replay gives the figures the live run printed, even after a SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conctui.engine.events import Output, Progress, RunFinished, RunStarted, Sample, WorkerFinished, WorkerStarted
from conctui.engine.recording import Recorder, read_recording
from conctui.engine.spec import UsageError
from conctui.engine.state import SessionState, apply
from fixtures.command import COMMAND, conctui

SMALL = ["-n", "2", "--param", "seconds=0.3", "--param", "steps=3"]


def _same_figures(live: dict, replayed: dict) -> None:
    assert replayed["runs"] == live["runs"]  # statuses, wall_s, cpu_s, per-worker pids, output...
    assert replayed["header"] == live["header"]
    if "summary" in live:
        assert replayed["summary"] == live["summary"]


@pytest.mark.process
@pytest.mark.parametrize("mode", ["sequential", "threads", "processes", "asyncio"])
def test_replay_of_a_recorded_run_prints_the_live_figures(tmp_path: Path, mode: str) -> None:
    record = tmp_path / "run.jsonl"
    live = conctui("run", "download", "--mode", mode, *SMALL, "--record", str(record), "--json")
    assert live.code == 0, live.err
    replayed = conctui("replay", str(record), "--json")
    assert replayed.code == 0 and replayed.err == "", replayed.err
    _same_figures(live.json(), replayed.json())
    assert [w["status"] for w in replayed.run()["per_worker"]] == ["done", "done"]


@pytest.mark.process
def test_replay_of_a_recorded_compare_prints_its_summary(tmp_path: Path) -> None:
    record = tmp_path / "compare.jsonl"
    live = conctui("compare", "download", "--modes", "sequential,threads", *SMALL, "--record", str(record), "--json")
    assert live.code == 0, live.err
    replayed = conctui("replay", str(record), "--json")
    assert replayed.code == 0, replayed.err
    _same_figures(live.json(), replayed.json())
    assert [row["mode"] for row in replayed.json()["summary"]] == ["sequential", "threads"]


def _wait_for_mid_run(path: Path, deadline_s: float = 30) -> None:
    """Poll until a sample was recorded after the workers started."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if text.rfind('"type":"sample"') > text.find('"type":"worker_started"') >= 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never got to mid-run")


@pytest.mark.process
def test_a_sigkilled_recording_replays_up_to_the_kill(tmp_path: Path) -> None:
    record = tmp_path / "killed.jsonl"
    args = ["run", "download", "-n", "2", "--param", "seconds=60", "--param", "steps=600", "--record", str(record)]
    process = subprocess.Popen([*COMMAND, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_mid_run(record)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    replayed = conctui("replay", str(record), "--json")
    assert replayed.code == 0, replayed.err
    lines = len(record.read_bytes().splitlines())
    assert f"ends at line {lines} inside the run started at line 2" in replayed.err
    (run,) = replayed.json()["runs"]
    assert run["status"] == "running"
    assert all(w["status"] == "running" for w in run["per_worker"])


@pytest.mark.process
def test_an_unwritable_record_path_fails_before_any_worker_runs(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    tasks = tmp_path / "tasks.py"
    tasks.write_text(f"def touch(index):\n    open({str(marker)!r}, 'w').close()\n")
    for where in (tmp_path / "no" / "such" / "dir.jsonl", tmp_path):
        result = conctui("run", f"{tasks}:touch", "--record", str(where))
        assert result.code == 2
        assert result.err.startswith(f"conctui: cannot record to {where}: ") and result.err.count("\n") == 1
        assert result.out == ""
    assert not marker.exists()
    assert conctui("run", f"{tasks}:touch", "-n", "1").code == 0 and marker.exists()  # the probe can fail


def test_a_full_disk_refuses_to_start_recording() -> None:
    with pytest.raises(UsageError, match="cannot record to /dev/full|No space left"):
        Recorder.open("/dev/full")


def _run_events(run: int, t: float, workers: int = 2) -> list:
    python = {"executable": "/usr/bin/python3", "usable_cores": 2}
    return [RunStarted(t, run, "threads", "download", {}, workers, python, "spawn", 10 + run),
            *[WorkerStarted(t + 0.1, i, 10 + run, 100 + i) for i in range(workers)],
            Output(t + 0.2, 0, "hello"), Progress(t + 0.3, 0, 0.5), Progress(t + 0.4, 1, 0.25),
            Sample(t + 0.5, [50.0, 10.0], [[0, 0.4, 1], [1, 0.1, 0]], 1.0, "vm"),
            Output(t + 0.6, 1, "half way"), Progress(t + 0.7, 0, 0.75),
            WorkerFinished(t + 0.8, 0, "done", None, 0.7, 0.6),
            WorkerFinished(t + 0.9, 1, "failed", "ValueError: no", 0.8, 0.2),
            RunFinished(t + 1.0, "done", 0.9)]


def _fold(events: list) -> SessionState:
    state = SessionState()
    for event in events:
        apply(state, event)
    return state


@pytest.mark.parametrize("cut", range(1, 12))
def test_recording_started_mid_run_stands_alone(tmp_path: Path, cut: int) -> None:
    """Started anywhere inside run 2, the file carries what run 2 needs to end as it did live."""
    first, second = _run_events(1, 0.0), _run_events(2, 5.0)
    recorder = Recorder()
    recorder(first + second[:cut])
    recorder.start(tmp_path / "mid.jsonl")
    recorder(second[cut:])
    recorder.stop()
    recording = read_recording(tmp_path / "mid.jsonl")
    assert recording.t0 == second[cut - 1].t
    assert [e for e in recording.events if not isinstance(e, Sample)][0] == second[0]  # the run's start first
    replayed, live = _fold(recording.events), _fold(first + second)
    assert len(replayed.runs) == 1  # the run that ended before recording began is not carried
    assert replayed.runs[0] == live.runs[1]
    assert replayed.hosts["vm"].now == live.hosts["vm"].now  # the latest sample; not the sparkline's history


def test_recording_can_stop_and_start_again_into_another_file(tmp_path: Path) -> None:
    events = _run_events(1, 0.0) + _run_events(2, 5.0)
    run = len(events) // 2
    recorder = Recorder()
    recorder.start(tmp_path / "a.jsonl")
    recorder(events[:run])
    recorder.stop()
    assert not recorder.recording
    recorder(events[run:run + 3])
    recorder.start(tmp_path / "b.jsonl")
    recorder(events[run + 3:])
    recorder.stop()
    first, second = read_recording(tmp_path / "a.jsonl"), read_recording(tmp_path / "b.jsonl")
    assert first.events == events[:run] and first.note is None
    assert second.events == [events[6], *events[run:]]  # the latest sample is carried over
    assert second.t0 == events[run + 2].t
    with pytest.raises(UsageError, match="already recording"):
        recorder.start(tmp_path / "c.jsonl")
        recorder.start(tmp_path / "d.jsonl")
    recorder.stop()
    assert json.loads((tmp_path / "c.jsonl").read_text().splitlines()[0])["format"] == "conctui-recording"
