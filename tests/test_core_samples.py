"""What the core samples read: the first one a sampler thread emits, the cores' use since it
began; and every one, what processes outside conctui's own tree took (`others`).

psutil keeps cpu_percent's last reading per calling thread: a baseline taken in another thread
left the sampler thread's first call reading exactly 0.0 on every core. In a short run that
first sample is a large share of the run's samples, and it made other programs' load read low
(a `yes` beside a 0.9 s hashlib run read 0.18 cores, not about 1)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from conctui.engine import process_tree
from conctui.engine.events import Event, Sample
from conctui.engine.sampler import Sampler
from conctui.runner import in_dask_worker

pytestmark = pytest.mark.process

HALF_A_CORE = 50.0  # % summed over the cores: one spinning process keeps at least this busy


@pytest.fixture
def spinning() -> Iterator[subprocess.Popen]:
    """A process that keeps one core busy while the test samples."""
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield child
    finally:
        child.kill()
        child.wait()


class Samples:
    """A sink that keeps every Sample and signals once it has `count`."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.samples: list[Sample] = []
        self.enough = threading.Event()

    def __call__(self, events: list[Event]) -> None:
        self.samples += [event for event in events if isinstance(event, Sample)]
        if len(self.samples) >= self.count:
            self.enough.set()


def _sampled(count: int = 4) -> list[Sample]:
    """`count` samples 0.3 s apart, from a sampler in this process (the tree's root)."""
    sink = Samples(count)
    sampler = Sampler(sink, 0.0, period=0.3).start()
    try:
        assert sink.enough.wait(15), "too few samples came"
    finally:
        sampler.stop()
    return sink.samples[:count]


def test_the_sessions_first_sample_reads_a_busy_core(spinning: subprocess.Popen) -> None:
    (first,) = _sampled(1)
    assert sum(first.cores) >= HALF_A_CORE, first.cores


def test_a_busy_process_of_conctuis_own_tree_is_not_counted_as_another_programs(spinning) -> None:
    """The spinning child is this process's: each sample's others leave its core out."""
    samples = _sampled()
    left_out = [sum(sample.cores) - sample.others for sample in samples]
    assert sum(left_out) / len(left_out) >= HALF_A_CORE, [(s.cores, s.others) for s in samples]


@pytest.fixture
def spinning_elsewhere() -> Iterator[int]:
    """A process that keeps one core busy outside this process's tree: its parent, a shell,
    exits at once, and init adopts it."""
    shell = subprocess.run(["sh", "-c", f"{sys.executable} -c 'while True: pass' >/dev/null 2>&1 & echo $!"],
                           capture_output=True, text=True, check=True)
    pid = int(shell.stdout)
    try:
        yield pid
    finally:
        os.kill(pid, signal.SIGKILL)


def test_a_busy_process_outside_the_tree_is_counted_as_another_programs(spinning_elsewhere: int) -> None:
    samples = _sampled()
    others = [sample.others for sample in samples]
    assert sum(others) / len(others) >= HALF_A_CORE, [(s.cores, s.others) for s in samples]


def test_off_linux_the_tree_is_found_through_psutil(spinning: subprocess.Popen, monkeypatch) -> None:
    """Where /proc has no children files (another OS), the child is still in conctui's tree."""
    import psutil

    child = psutil.Process(spinning.pid)
    deadline = time.monotonic() + 10
    while sum(child.cpu_times()[:2]) < 0.2 and time.monotonic() < deadline:
        time.sleep(0.02)  # the child's CPU is the event: nothing signals it
    monkeypatch.setattr(process_tree, "PROC_STAT", False)
    assert process_tree.descendants(os.getpid()) is None
    before = sum(child.cpu_times()[:2])
    me = psutil.Process().cpu_times()
    own = me.user + me.system + me.children_user + me.children_system
    assert process_tree.tree_cpu_s(os.getpid()) - own >= before - 0.05


class FakeDaskWorker:
    """What start_sampler needs of a Dask worker: its address and log_event."""

    address = "tcp://127.0.0.1:1"

    def __init__(self) -> None:
        self.first = Samples(1)

    def log_event(self, topic: str, message: dict) -> None:
        (raw,) = json.loads(message["events"])
        self.first([Sample(raw["t"], raw["cores"], [], None)])


def test_a_dask_hosts_first_sample_reads_a_busy_core(spinning: subprocess.Popen) -> None:
    worker = FakeDaskWorker()
    in_dask_worker.start_sampler("topic", "run-1", 0.3, time.time(), dask_worker=worker)
    try:
        assert worker.first.enough.wait(10), "no sample came"
    finally:
        in_dask_worker.stop_run("run-1")  # its sampler ends at its next period
    first = worker.first.samples[0]
    assert sum(first.cores) >= HALF_A_CORE, first.cores
