"""--workers is refused, before anything starts, where this machine's memory cannot hold the
workers of that mode; the line says why and what fits. A small memory figure is forced with
$CONCTUI_AVAILABLE_MEMORY, so no test ever comes near exhausting the machine."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conctui.engine import capacity
from conctui.engine.events import PythonInfo
from conctui.engine.spec import RunSpec, UsageError, parse_params, parse_workload
from conctui.live import LiveController
from conctui.runner.request import RunnerInfo, WorkloadFacts

COMMAND = [sys.executable, "-m", "conctui"]
MB = 1024 * 1024


def _conctui(*args: str, memory: str) -> subprocess.CompletedProcess:
    env = {**os.environ, capacity.MEMORY_ENV: memory}
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=120, env=env)


def _spec(mode: str, workers: int) -> RunSpec:
    ref = parse_workload("download")
    return RunSpec(ref, mode, workers, parse_params(ref, ["seconds=0.1", "steps=1"]))


@pytest.mark.process
def test_processes_beyond_memory_are_refused_in_one_line_that_says_what_fits() -> None:
    done = _conctui("run", "download", "--mode", "processes", "--workers", "100", "--param", "seconds=0.1",
                    memory="1G")
    assert done.returncode == 2, done
    assert done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    found = re.search(r"processes: 100 workers need about ([\d.]+) GB \(([\d.]+) MB each, measured: .*\), "
                      r"more than 80% of the 1\.07 GB of \$CONCTUI_AVAILABLE_MEMORY: --workers (\d+) or fewer fit",
                      line)
    assert found, line
    each_mb, fit = float(found.group(2)), int(found.group(3))
    assert 2 < each_mb < 500  # a Python that loaded the workload: megabytes, not bytes or gigabytes
    assert abs(fit - 0.8 * 1024 ** 3 / 1e6 / each_mb) < 2  # what fits in the budget at that size (shown rounded)


@pytest.mark.process
def test_256_threads_fit_where_100_processes_do_not() -> None:
    done = _conctui("run", "download", "--mode", "threads", "--workers", "256", "--param", "seconds=0.1",
                    "--param", "steps=1", "--json", memory="1G")
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert run["workers"] == 256 and run["status"] == "done"


def test_the_refusal_follows_the_footprint_and_the_mode(monkeypatch) -> None:
    monkeypatch.setenv(capacity.MEMORY_ENV, "100M")  # 80 MB for workers
    asked: list[str] = []

    def footprint(spec: RunSpec) -> int:
        asked.append(spec.mode)
        return 20 * MB

    assert capacity.refusal(_spec("processes", 4), footprint) is None
    assert "--workers 4 or fewer fit" in capacity.refusal(_spec("processes", 5), footprint)
    assert "--workers 4 or fewer fit" in capacity.refusal(_spec("interpreters", 5), footprint)
    assert capacity.refusal(_spec("threads", 100), footprint) is None  # 50 MB of thread stacks
    assert "threads: 200 workers" in capacity.refusal(_spec("threads", 200), footprint)
    assert asked == ["processes", "processes", "interpreters"]  # threads never measure a child
    dask_elsewhere = RunSpec(_spec("dask", 500).workload, "dask", 500, {}, scheduler="tcp://10.0.0.1:8786")
    assert capacity.refusal(dask_elsewhere, footprint) is None  # that cluster's memory is not ours


@pytest.mark.parametrize("text", ["lots", "-5G", "0"])
def test_a_bad_memory_figure_is_one_line(monkeypatch, text: str) -> None:
    monkeypatch.setenv(capacity.MEMORY_ENV, text)
    with pytest.raises(UsageError, match="CONCTUI_AVAILABLE_MEMORY wants a size"):
        capacity.check(_spec("threads", 2), lambda spec: None)


def test_the_tui_refuses_a_run_that_one_more_worker_made_too_big(monkeypatch) -> None:
    monkeypatch.setenv(capacity.MEMORY_ENV, "100M")
    monkeypatch.setattr("conctui.run_queue.child_footprint", lambda spec: 30 * MB)
    said: list[tuple[str, str]] = []
    started: list[RunSpec] = []

    class Session:
        def __init__(self, sinks: list, period: float) -> None:
            self.busy = False

        def start(self, spec: RunSpec) -> Session:
            started.append(spec)
            return self

        def wait(self, timeout: float | None = None) -> bool:
            return False  # the run never ends here

        def sample_every(self, seconds: float) -> None:
            pass

    class Host:  # the app's side, its worker threads run at once; the run never ends
        def say(self, message: str, severity: str = "information", timeout: float = 3.0) -> None:
            said.append((message, severity))

        def recheck_keys(self) -> None:
            pass

        def off_thread(self, job, done) -> None:
            if getattr(job, "__name__", "") == "wait":
                return  # the run's end: never, here
            try:
                done(job())
            except UsageError as exc:
                done(exc)

    info = RunnerInfo(PythonInfo(start_methods=["spawn"]), WorkloadFacts("download", has_async=True))
    control = LiveController(_spec("processes", 2), info, open_session=Session)
    control.attach(Host())
    control.run()
    assert len(started) == 1
    control.change_workers(1)
    control.run()
    assert len(started) == 1 and said[-1][1] == "error" and "--workers 2 or fewer fit" in said[-1][0]
