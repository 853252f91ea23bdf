"""What runs on a Dask worker: one conctui worker as one task, and the host's core sampler.

The runner uploads its own package to the cluster (a zip, see dask_mode), so workers import
this module by name and nothing but plain data is pickled. Events are batched by the same
Outbox as the pipe; each batch becomes one `log_event` on the run's topic, tagged with the
worker's host and address, and the runner bridges it into its own event stream.
"""
from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from .channel import CapturedBytes, CapturedOutput, Outbox
from .crossing import ByReference
from .loader import LoadError, load
from .run_events import Sample
from .schema import WorkerFinished, WorkerStarted, encode
from .work import run_worker

LEASE_S = 10.0  # a sampler whose runner stopped renewing (killed, cut off) ends on its own

_capture: ContextVar = ContextVar("conctui_capture", default=None)
_outboxes: dict[str, list[Outbox]] = {}  # run id -> its live tasks in this worker process
_leases: dict[str, float] = {}  # run id -> monotonic deadline of its sampler here
_lock = threading.Lock()


class _Router(io.TextIOBase):
    """The worker process's stdout/stderr: a conctui task's prints go to its own capture,
    everything else (Dask's own output, other clients' tasks) to the real stream."""

    def __init__(self, fallback: Any) -> None:
        self.fallback = fallback
        self.buffer = CapturedBytes(self)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        captured = _capture.get()
        return captured.write(text) if captured is not None else self.fallback.write(text)

    def write_bytes(self, data: bytes) -> int:
        captured = _capture.get()
        return captured.write_bytes(data) if captured is not None else self.fallback.buffer.write(data)

    def flush(self) -> None:
        self.fallback.flush()


def _route_prints() -> None:
    with _lock:
        if not isinstance(sys.stdout, _Router):
            sys.stdout = _Router(sys.stdout)
        if not isinstance(sys.stderr, _Router):
            sys.stderr = _Router(sys.stderr)


def host_of(address: str) -> str:
    """`10.0.0.2` from `tcp://10.0.0.2:40123` (and `::1` from `tcp://[::1]:40123`)."""
    hostport = address.split("://", 1)[-1]
    return hostport.rsplit(":", 1)[0].strip("[]")


def _sender(worker: Any, topic: str) -> Callable[[bytes], None]:
    envelope = {"host": host_of(worker.address), "address": worker.address}

    def send(data: bytes) -> None:
        worker.log_event(topic, dict(envelope, events=data.decode()))

    return send


def _local_ref(ref: dict[str, Any], worker: Any) -> dict[str, Any]:
    """A file workload was uploaded next to the worker: load that copy, not the client's path."""
    if not ref.get("upload"):
        return ref
    return dict(ref, path=os.path.join(worker.local_directory, ref["upload"]))


def run_task(job: dict[str, Any], index: int, arguments: dict[str, Any]) -> Any:
    """One worker of a conctui run, as a Dask task: the same run_worker as every other mode.

    `arguments` arrived by Dask's serialisation with the task; the rounds of a built-in called
    more than once share them here by reference, and the last return value goes back to the
    client as the task's result (Dask's serialisation again)."""
    from distributed import get_worker

    worker = get_worker()
    _route_prints()
    # the runner's clock, carried by wall time: hosts agree on it to NTP's precision
    t0 = time.monotonic() - (time.time() - job["epoch"])
    outbox = Outbox(_sender(worker, job["topic"]), t0).start()
    captured = CapturedOutput(outbox, sys.__stderr__)
    with _lock:
        _outboxes.setdefault(job["run"], []).append(outbox)
    token = _capture.set(captured)
    kept: dict[int, Any] = {}
    try:
        workload = load(_local_ref(job["ref"], worker))
    except LoadError as exc:
        outbox.emit(WorkerStarted, index=index, pid=os.getpid(), tid=threading.get_native_id())
        outbox.emit(WorkerFinished, index=index, status="failed", wall_s=0.0, cpu_s=0.0,
                    error="on host %s (%s): %s" % (host_of(worker.address), worker.address, exc))
    else:
        run_worker(outbox, workload, index, captured, ByReference(arguments, workload.calls, kept, index),
                   own_memory=True)
    finally:
        _capture.reset(token)
        with _lock:
            _outboxes[job["run"]].remove(outbox)
        outbox.close()
    return kept.get(index)


def has_dashboard() -> bool:
    """Run on the scheduler: its dashboard port serves pages only where bokeh is installed."""
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def stop_run(run: str) -> None:
    """Run by Client.run on every worker when a run is cancelled: Cancelled is raised in its
    tasks' threads (Outbox.cancel; Dask itself cannot interrupt a running task) and its
    sampler ends."""
    with _lock:
        for outbox in _outboxes.get(run, []):
            outbox.cancel()
        _leases.pop(run, None)


def renew(run: str) -> None:
    with _lock:
        if run in _leases:
            _leases[run] = time.monotonic() + LEASE_S


def start_sampler(topic: str, run: str, period: float, epoch: float, dask_worker: Any = None) -> None:
    """Sample this host's cores every `period` s into the run's topic, while the lease lasts.

    `epoch`: the session's t0 as wall time; the runner labels the host and clamps the time."""
    import psutil  # a dependency of distributed, so present on every worker

    with _lock:
        _leases[run] = time.monotonic() + LEASE_S
    send = _sender(dask_worker, topic)

    def loop() -> None:
        # the first call only sets the baseline, in this thread: psutil keeps cpu_percent's last
        # reading per calling thread
        psutil.cpu_percent(percpu=True)
        while True:
            time.sleep(period)
            with _lock:
                alive = _leases.get(run, 0.0) > time.monotonic()
            if not alive:
                return
            cores = [round(value, 1) for value in psutil.cpu_percent(percpu=True)]
            sample = Sample(max(0.0, time.time() - epoch), cores, [], None)
            send(json.dumps([encode(sample)]).encode())

    threading.Thread(target=loop, name="conctui-sampler-%s" % run, daemon=True).start()
