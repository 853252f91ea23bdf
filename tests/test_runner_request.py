"""runner/request.py: what the app asks a runner and what a runner says of itself, typed on
both sides of the pipe, and a request the runner reads without changing it."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conctui.engine.events import EventError, PythonInfo
from conctui.engine.runner_process import describe
from conctui.engine.spec import RunSpec, parse_params, parse_workload
from conctui.runner.request import DescribeRequest, RunnerInfo, RunRequest, WorkloadFacts, request_from, to_bytes
from conctui.runner.schema import FrozenError
from fixtures.pythons import pyenv_python


def _request(**changes: object) -> RunRequest:
    ref = parse_workload("cpu")
    return RunSpec(ref, "processes", 3, parse_params(ref, []), **changes).request(2, 1234.5)


def test_a_run_request_crosses_the_pipe_as_it_was_built() -> None:
    request = _request(switch_interval_ms=1.0, sample_gil=True)
    assert request_from(to_bytes(request)) == request
    assert (request.worker_count, request.run, request.t0, request.ipc_limit) == (3, 2, 1234.5, 256 * 1024 * 1024)
    assert json.loads(to_bytes(request))["cmd"] == "run"


def test_a_describe_request_crosses_the_pipe_as_it_was_built() -> None:
    request = DescribeRequest({"path": None, "module": "m", "func": "f"}, "tcp://h:1", 3.0)
    assert request_from(to_bytes(request)) == request


def test_a_request_cannot_be_changed_once_made() -> None:
    with pytest.raises(FrozenError):
        _request().worker_count = 5  # type: ignore[misc]


def test_a_machine_up_for_months_has_a_clock_past_an_events_time_bound() -> None:
    """t0 is time.monotonic(), the machine's uptime: 200 days is a clock reading, not an event time."""
    months = 200 * 86400.0
    assert RunRequest(1, months, "threads", "cpu", {}, {}, 1, 1).t0 == months
    with pytest.raises(EventError):
        RunRequest(1, -1.0, "threads", "cpu", {}, {}, 1, 1)


@pytest.mark.parametrize("count", [0, 10**6])
def test_a_worker_count_out_of_range_is_refused(count: int) -> None:
    with pytest.raises(EventError, match="worker count"):
        RunRequest(1, 0.0, "threads", "cpu", {}, {}, count, 1)


def test_a_runners_description_is_typed_with_its_workloads_facts() -> None:
    ref = parse_workload("download")
    info = describe(sys.executable, ref, parse_params(ref, []))
    assert isinstance(info, RunnerInfo) and isinstance(info.python, PythonInfo)
    assert info.workload.name == "download" and info.workload.has_async and info.error is None
    assert RunnerInfo.from_json("runner info", json.loads(to_bytes(info))) == info


@pytest.mark.process
def test_a_runner_process_answers_a_describe_request_with_a_runner_info(tmp_path: Path) -> None:
    """Through a real runner: the same typed answer as conctui's own process gives for a built-in."""
    task = tmp_path / "task.py"
    task.write_text("async def work(index):\n    pass\n")
    info = describe(sys.executable, parse_workload(f"{task}:work"), {}, python_gil="1")
    assert info.workload == WorkloadFacts("work", "", "user", True, info.workload.accepts_report)


@pytest.mark.process
def test_a_runner_under_the_oldest_supported_python_reads_a_typed_request() -> None:
    """request.py runs in the runner too: under 3.9, whose dataclasses and annotations differ."""
    ref = parse_workload("cpu")
    info = describe(pyenv_python("3.9"), ref, parse_params(ref, []))
    assert info.python.version.startswith("3.9.") and info.workload.name == "cpu"
