"""The dask mode on real clusters: a LocalCluster, one started from Dask's own CLI, two hosts
as network namespaces, and every fault (scheduler silent or lost, worker killed, signals)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

distributed = pytest.importorskip("distributed", reason="distributed is not installed: pip install 'conctui[dask]'")

from conctui.engine.events import Output, WorkerStarted  # noqa: E402
from conctui.engine.session import Fold, Session  # noqa: E402
from conctui.engine.spec import RunSpec, parse_params, parse_workload  # noqa: E402

pytestmark = pytest.mark.process

FAST = ["--param", "seconds=0.5", "--param", "steps=5"]


def conctui(*args: str, cwd: str | None = None, timeout: float = 90,
            prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "conctui", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=timeout)


def run_json(*args: str, **kwargs) -> dict:
    done = conctui("run", *args, "--mode", "dask", "--json", **kwargs)
    assert done.stdout, done.stderr
    return json.loads(done.stdout)["runs"][0]


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} within {timeout} s")


def dask_processes(marker: str) -> list[psutil.Process]:
    """Processes whose command line names `marker` (a scheduler file or address)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(marker in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


class Cluster:
    """A scheduler and workers started from Dask's CLI; every process reaped on stop()."""

    def __init__(self, folder: Path, workers: int, prefix: tuple[str, ...] = (), host: str = "127.0.0.1",
                 worker_prefixes: list[tuple[tuple[str, ...], str]] | None = None) -> None:
        self.file = folder / "scheduler.json"
        self.processes: list[subprocess.Popen] = []
        self._start(prefix, "scheduler", "--host", host, "--port", "0", "--scheduler-file", str(self.file),
                    "--no-dashboard")
        self.address = wait_for(lambda: self.file.exists() and json.loads(self.file.read_text() or "{}").get("address"),
                                30, "the scheduler wrote its file")
        for worker_prefix, worker_host in worker_prefixes or [(prefix, host)] * workers:
            self._start(worker_prefix, "worker", self.address, "--nthreads", "1", "--host", worker_host,
                        "--no-dashboard", "--no-nanny")
        self.expect_workers(len(worker_prefixes or [None] * workers), prefix)

    def _start(self, prefix: tuple[str, ...], *args: str) -> None:
        self.processes.append(subprocess.Popen([*prefix, sys.executable, "-m", "distributed.cli.dask_" + args[0],
                                                *args[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def workers(self, prefix: tuple[str, ...] = ()) -> int:
        probe = ("from distributed import Client; c = Client(%r, timeout=10); "
                 "print(len(c.scheduler_info(n_workers=-1)['workers'])); c.close()" % self.address)
        done = subprocess.run([*prefix, sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
        return int(done.stdout.strip() or -1)

    def expect_workers(self, count: int, prefix: tuple[str, ...] = ()) -> None:
        wait_for(lambda: self.workers(prefix) == count, 30, f"{count} workers joined")

    def stop(self) -> None:
        for process in reversed(self.processes):  # workers first: they close faster with a scheduler to tell
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        left = [p for p in dask_processes(str(self.file)) + dask_processes(self.address) if p.is_running()]
        assert not left, f"dask processes left: {[p.cmdline() for p in left]}"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    started = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    try:
        yield started
    finally:
        started.stop()


def test_local_cluster_runs_download_and_reports_its_costs():
    run = run_json("download", "--workers", "2", *FAST)
    assert run["status"] == "done", run
    assert [w["status"] for w in run["per_worker"]] == ["done", "done"]
    assert all(w["pid"] and w["tid"] and w["host"] == socket.gethostname() for w in run["per_worker"])
    assert run["per_worker"][0]["output"] == ["worker 0: starting download", "worker 0: download complete"]
    cluster = run["cluster"]
    assert cluster["kind"] == "local" and cluster["scheduler"].startswith("tcp://127.0.0.1:")
    assert cluster["workers"] == 2 and cluster["threads"] == 2
    assert cluster["startup_s"] > 0 and cluster["shutdown_s"] is not None
    assert cluster["latency_median_s"] is not None and len(cluster["tasks"]) == 2
    # the two sleeps overlapped: the run took less than its workers one after the other
    assert run["wall_s"] < sum(w["wall_s"] for w in run["per_worker"]), run


def test_local_cluster_runs_cpu_on_separate_processes():
    run = run_json("cpu", "--workers", "2", "--param", "n=400000", "--param", "steps=4")
    assert run["status"] == "done", run
    assert len({w["pid"] for w in run["per_worker"]}) == 2
    assert all(w["cpu_s"] > 0 for w in run["per_worker"])


def test_external_cluster_runs_the_tutorial_function_and_stays_up(cluster):
    tasks = Path(__file__).parent / "fixtures" / "user_tasks.py"
    run = run_json(f"{tasks}:simulate_download", "--workers", "2", "--scheduler", cluster.address)
    assert run["status"] == "done", run
    assert run["cluster"]["kind"] == "external" and run["cluster"]["scheduler"] == cluster.address
    assert {t["address"] for t in run["cluster"]["tasks"]} <= set(_addresses(cluster))
    assert any("Starting download" in line for line in run["per_worker"][0]["output"])
    assert cluster.workers() == 2, "an external cluster is borrowed, never shut down"


def _addresses(cluster: Cluster) -> list[str]:
    client = distributed.Client(cluster.address, timeout=10, set_as_default=False)
    try:
        return list(client.scheduler_info(n_workers=-1)["workers"])
    finally:
        client.close()


def test_a_module_a_worker_cannot_import_fails_naming_the_host(cluster, tmp_path):
    (tmp_path / "only_here.py").write_text("def work(index):\n    return index\n")
    done = conctui("run", "only_here:work", "--mode", "dask", "--workers", "1", "--scheduler", cluster.address,
                   "--json", cwd=str(tmp_path))
    assert done.returncode == 1, done.stderr
    error = json.loads(done.stdout)["runs"][0]["per_worker"][0]["error"]
    assert error.startswith("on host 127.0.0.1 (tcp://127.0.0.1:") and "no module named 'only_here'" in error


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_2():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    began = time.monotonic()
    done = conctui("run", "download", "--mode", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
                   "--connect-timeout", "1")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"conctui: the Dask scheduler at tcp://127.0.0.1:{port} did not answer within 1 s (OSError)"]
    assert time.monotonic() - began < 30, "bounded by the connect timeout plus start-up, never a hang"


def _session_run(spec: RunSpec, on_event, timeout: float = 60) -> Fold:
    """Run in-process so a test can act on events as they arrive (kill a worker, a scheduler)."""
    fold = Fold()

    def sink(events) -> None:
        for event in events:
            on_event(event)

    session = Session([fold, sink])
    try:
        session.start(spec)
        assert session.runner.wait(timeout), "the run ended by itself"
    finally:
        session.close()
    return fold


def _spec(text: str, workers: int, params: list[str], scheduler: str | None = None) -> RunSpec:
    ref = parse_workload(text)
    return RunSpec(ref, "dask", workers, parse_params(ref, params), sys.executable, scheduler=scheduler,
                   connect_timeout=5)


def test_a_worker_killed_mid_run_is_retried_or_failed_by_dask_and_shown():
    killed: list[int] = []

    def on_event(event) -> None:
        if isinstance(event, WorkerStarted) and event.index == 0 and not killed:
            killed.append(event.pid)
            os.kill(event.pid, signal.SIGKILL)

    fold = _session_run(_spec("download", 2, ["seconds=2", "steps=20"]), on_event)
    run = fold.state.runs[0]
    worker = run.workers[0]
    assert run.finished is not None and killed
    retried = any("Dask retried this task" in line for line in worker.lines)
    assert (worker.status == "done" and retried and worker.pid != killed[0]) or \
        (worker.status == "crashed" and "Dask gave up" in worker.error), (worker.status, worker.error, worker.lines)


def test_a_scheduler_lost_mid_run_fails_the_run_with_the_reason(tmp_path):
    lost = Cluster(tmp_path, workers=1)
    try:
        def on_event(event) -> None:
            if isinstance(event, WorkerStarted):
                lost.processes[0].kill()

        fold = _session_run(_spec("download", 1, ["seconds=20", "steps=20"], lost.address), on_event)
    finally:
        lost.stop()
    run = fold.state.runs[0]
    assert run.status == "error" and "lost the Dask scheduler" in run.finished.error
    assert run.workers[0].status == "crashed"
    assert run.finished.wall_s < 20, "failed when the scheduler went, not when the sleep ended"


def test_cancel_on_an_external_cluster_cancels_its_tasks_and_leaves_it_running(cluster):
    session_holder: list[Session] = []

    def on_event(event) -> None:
        if isinstance(event, Output) and session_holder:
            session_holder[0].cancel()

    fold = Fold()
    session = Session([fold, lambda events: [on_event(e) for e in events]])
    session_holder.append(session)
    try:
        session.start(_spec("download", 2, ["seconds=30", "steps=300"], cluster.address))
        assert session.runner.wait(20), "cancel ended the run"
    finally:
        session.close()
    run = fold.state.runs[0]
    assert run.status == "cancelled" and {w.status for w in run.workers} == {"cancelled"}, [
        (w.status, w.error) for w in run.workers]
    client = distributed.Client(cluster.address, timeout=10, set_as_default=False)
    try:
        wait_for(lambda: not any(client.processing().values()), 10, "the cluster dropped the cancelled tasks")
        assert len(client.scheduler_info(n_workers=-1)["workers"]) == 2
    finally:
        client.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_signals_to_conctui_leave_no_local_cluster_process(signum, tmp_path):
    record = tmp_path / "run.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "conctui", "run", "download", "--mode", "dask",
                                "--workers", "2", "--param", "seconds=30", "--record", str(record)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: record.exists() and record.read_text().count('"worker_started"') == 2, 30,
             "both tasks started on the LocalCluster")
    family = psutil.Process(process.pid).children(recursive=True)
    assert len(family) >= 3, "the runner and two Dask worker processes"
    process.send_signal(signum)
    code = process.wait(15)
    assert code == (-signal.SIGKILL if signum == signal.SIGKILL else 128 + signum), process.stderr.read()
    gone, alive = psutil.wait_procs(family, timeout=10)
    assert not alive, f"left behind after {signum.name}: {[p.cmdline() for p in alive]}"


def _netns(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@pytest.fixture
def two_hosts() -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Two network namespaces joined by a veth pair: 10.213.0.1 and 10.213.0.2."""
    names = ("conctui_a_%d" % os.getpid(), "conctui_b_%d" % os.getpid())
    try:
        _netns("netns", "add", names[0])
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot create network namespaces here: {getattr(exc, 'stderr', exc)!r}")
    try:
        _netns("netns", "add", names[1])
        _netns("link", "add", "cveth_a", "netns", names[0], "type", "veth", "peer", "name", "cveth_b",
               "netns", names[1])
        for index, name in enumerate(names):
            veth = ("cveth_a", "cveth_b")[index]
            _netns("-n", name, "addr", "add", f"10.213.0.{index + 1}/24", "dev", veth)
            _netns("-n", name, "link", "set", veth, "up")
            _netns("-n", name, "link", "set", "lo", "up")
        yield ("ip", "netns", "exec", names[0]), ("ip", "netns", "exec", names[1])
    finally:
        for name in names:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)


def test_two_hosts_report_their_own_cores(two_hosts, tmp_path):
    host_a, host_b = two_hosts
    pair = Cluster(tmp_path, workers=2, prefix=host_a, host="10.213.0.1",
                   worker_prefixes=[(host_a, "10.213.0.1"), (host_b, "10.213.0.2")])
    record = tmp_path / "run.jsonl"
    try:
        # long enough for each host's sampler (every 0.5 s) to report more than once
        done = conctui("run", "download", "--mode", "dask", "--workers", "2", "--param", "seconds=2",
                       "--scheduler", pair.address, "--record", str(record), "--json", prefix=host_a)
    finally:
        pair.stop()
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)["runs"][0]
    assert {w["host"] for w in run["per_worker"]} == {socket.gethostname(), "10.213.0.2"}
    events = [json.loads(line) for line in record.read_text().splitlines()[1:]]
    sample_hosts = {e["host"] for e in events if e["type"] == "sample"}
    assert {socket.gethostname(), "10.213.0.2"} <= sample_hosts
