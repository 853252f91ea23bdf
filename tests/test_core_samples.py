"""The first core sample a sampler thread emits reads the cores' use since it began.

psutil keeps cpu_percent's last reading per calling thread: a baseline taken in another thread
left the sampler thread's first call reading exactly 0.0 on every core. In a short run that
first sample is a large share of the run's samples, and it made other programs' load read low
(a `yes` beside a 0.9 s hashlib run read 0.18 cores, not about 1)."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest
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


class FirstSample:
    """A sink that keeps the first Sample and signals it."""

    def __init__(self) -> None:
        self.cores: list[float] | None = None
        self.seen = threading.Event()

    def __call__(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Sample) and self.cores is None:
                self.cores = list(event.cores)
                self.seen.set()


def test_the_sessions_first_sample_reads_a_busy_core(spinning: subprocess.Popen) -> None:
    first = FirstSample()
    sampler = Sampler(first, 0.0, period=0.3).start()
    try:
        assert first.seen.wait(10), "no sample came"
    finally:
        sampler.stop()
    assert sum(first.cores) >= HALF_A_CORE, first.cores


class FakeDaskWorker:
    """What start_sampler needs of a Dask worker: its address and log_event."""

    address = "tcp://127.0.0.1:1"

    def __init__(self) -> None:
        self.first = FirstSample()

    def log_event(self, topic: str, message: dict) -> None:
        (raw,) = json.loads(message["events"])
        self.first([Sample(raw["t"], raw["cores"], [], None)])


def test_a_dask_hosts_first_sample_reads_a_busy_core(spinning: subprocess.Popen) -> None:
    worker = FakeDaskWorker()
    in_dask_worker.start_sampler("topic", "run-1", 0.3, time.time(), dask_worker=worker)
    try:
        assert worker.first.seen.wait(10), "no sample came"
    finally:
        in_dask_worker.stop_run("run-1")  # its sampler ends at its next period
    assert sum(worker.first.cores) >= HALF_A_CORE, worker.first.cores
