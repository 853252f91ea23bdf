"""The dask mode: each worker is one Dask task, on a LocalCluster or on an existing cluster.

The Dask client lives here, in the runner, so the app sees the usual events over the usual
pipe. Tasks report through Dask's structured events (`log_event` on the worker,
`subscribe_topic` here) and are bridged into the runner's Outbox; cores of other hosts come
from a sampler started on one worker per host. A LocalCluster is started and closed by the
run; an external cluster is only borrowed: its tasks are cancelled, never the cluster.
Imported only when a run asks for Dask, so the runner stays stdlib-only otherwise.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import platform
import shutil
import tempfile
import threading
import time
import uuid
import zipfile
from typing import Any

import distributed
import psutil
from distributed.diagnostics.plugin import SchedulerUploadFile, UploadFile

from . import in_dask_worker
from .crossing import no_crossings
from .modes import Mode, ModeError
from .run_events import Cluster
from .schema import Output, decode

POLL_S = 0.05
FINISH_GRACE_S = 3.0  # a task's last events may trail its result through the scheduler
RENEW_EVERY_S = 2.0
SAMPLE_PERIOD_S = 0.5
RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGE = __name__.rpartition(".")[0]


def _local_addresses() -> set[str]:
    return {a.address.split("%")[0] for addrs in psutil.net_if_addrs().values() for a in addrs}


def host_label(host: str, local: set[str]) -> str:
    """This machine under its name (so its cores merge with the app's own samples), others by address."""
    try:
        if ipaddress.ip_address(host).is_loopback or host in local:
            return platform.node()
    except ValueError:
        pass  # a name, not an address
    return platform.node() if host in ("localhost", platform.node()) else host


def connect(address: str, timeout: float) -> distributed.Client:
    """A client of an existing scheduler, or one line saying why not."""
    try:
        return distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ModeError("the Dask scheduler at %s did not answer within %g s (%s)"
                        % (address, timeout, type(exc).__name__)) from None
    except ValueError as exc:
        raise ModeError("cannot use the Dask scheduler address %s: %s" % (address, exc)) from None


def check_scheduler(address: str, timeout: float) -> dict[str, Any]:
    """Before a run: does the scheduler answer, and with how many workers and threads."""
    client = connect(address, timeout)
    try:
        return _cluster_shape(client)
    finally:
        client.close()


def _cluster_shape(client: distributed.Client) -> dict[str, Any]:
    info = client.scheduler_info(n_workers=-1)
    workers = info["workers"]
    port = info.get("services", {}).get("dashboard")
    dashboard = "http://%s:%s/status" % (in_dask_worker.host_of(info["address"]), port) if port else None
    return {"scheduler": info["address"], "dashboard": dashboard,
            "workers": len(workers), "threads": sum(w.get("nthreads", 0) for w in workers.values()),
            "addresses": sorted(workers)}


# The zip's __init__: upload_file reloads the package on every upload; forgetting the old
# submodules then makes a long-lived worker or scheduler import this version's code.
ZIP_INIT = """import sys
for _name in [n for n in sys.modules if n.startswith(__name__ + ".")]:
    del sys.modules[_name]
"""


def _runner_zip(folder: str) -> str:
    """The runner package as a zip for upload_file, named by content: workers import it by name."""
    sources = {name: _read(os.path.join(RUNNER_DIR, name)) for name in sorted(os.listdir(RUNNER_DIR))
               if name.endswith(".py") and name not in ("__init__.py", "boot.py")}
    digest = hashlib.sha256(b"".join(sources.values())).hexdigest()[:10]
    path = os.path.join(folder, "%s-%s.zip" % (PACKAGE, digest))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(PACKAGE + "/__init__.py", ZIP_INIT)
        for name, data in sources.items():
            archive.writestr("%s/%s" % (PACKAGE, name), data)
    return path


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _workload_copy(path: str, folder: str) -> str:
    """A copy named after its content: a long-lived worker never runs a stale cached module."""
    digest = hashlib.sha256(_read(path)).hexdigest()[:10]
    copy = os.path.join(folder, "conctui_%s_%s" % (digest, os.path.basename(path)))
    shutil.copyfile(path, copy)
    return copy


class Dask(Mode):
    """One task per worker index, run by Dask; the cluster's own costs reported apart.

    A task's arguments travel with it and its return value comes back as its result, both by
    Dask's own serialisation (pickle, large buffers as separate frames, over TCP). A worker's
    `ipc`: the sizes as dask.sizeof counts them, the seconds from submit to the task's start
    (scheduling included) and from the task's end to its result in hand here."""

    crossing = "Dask's serialisation: the arguments travel with each task, the return value as its result"
    own_memory = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.address: str | None = self.request.scheduler
        self.timeout = self.request.connect_timeout
        self.run_id = uuid.uuid4().hex[:12]
        self.topic = "conctui-" + self.run_id
        self.client: distributed.Client | None = None
        self.cluster: Any = None
        self.futures: list[Any] = []
        self.local = _local_addresses()
        self.shape: dict[str, Any] = {}
        self.startup_s: float | None = None
        self.samplers: list[str] = []
        self.submitted: dict[int, float] = {}
        self.tasks: dict[int, dict[str, Any]] = {}  # index -> address, host, latency_s, result_s
        self.ended: dict[int, float] = {}  # index -> worker_finished t
        self.held: dict[int, dict[str, Any]] = {}  # index -> its worker_finished, until its result is here
        self._lock = threading.Lock()

    # -- set-up and teardown: the cluster's costs, outside the run's wall time

    def setup(self) -> None:
        began = time.monotonic()
        if self.address:
            self.client = connect(self.address, self.timeout)
        else:
            self.cluster = distributed.LocalCluster(
                n_workers=self.worker_count, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)  # loopback only, any free port
            self.client = distributed.Client(self.cluster, set_as_default=False)
        with tempfile.TemporaryDirectory(prefix="conctui-dask-") as folder:
            package = _runner_zip(folder)
            if self.cluster is None:  # a scheduler elsewhere unpickles task graphs too; a local one runs here
                self.client.register_plugin(SchedulerUploadFile(package), name="conctui-runner")
            self.client.register_plugin(UploadFile(package), name="conctui-runner")
            ref = self.ref
            if ref.get("path"):
                copy = _workload_copy(ref["path"], folder)
                self.client.register_plugin(UploadFile(copy, load=False), name="conctui-workload")
                self.ref = dict(ref, upload=os.path.basename(copy))
            else:  # a module must be importable where the task runs: this folder is not there
                self.ref = dict(ref, cwd=None)
        self.client.subscribe_topic(self.topic, self._bridge)
        self.shape = _cluster_shape(self.client)
        if not self.client.run_on_scheduler(in_dask_worker.has_dashboard):
            self.shape["dashboard"] = None  # without bokeh the port serves only health and metrics
        self._start_samplers()
        self.startup_s = time.monotonic() - began
        self._emit_cluster(None)

    def teardown(self) -> None:
        self._end_unfinished("cancelled", "no result: the Dask run ended before this task did")
        began = time.monotonic()
        if self.client is not None:
            if self.cluster is None and self.client.status == "running":
                self._quietly(self.client.run, in_dask_worker.stop_run, self.run_id)  # samplers, stragglers
            self._quietly(self.client.close, timeout=self.timeout)
        if self.cluster is not None:
            self._quietly(self.cluster.close, timeout=self.timeout)
        if self.startup_s is not None:
            self._emit_cluster(time.monotonic() - began)

    @staticmethod
    def _quietly(call: Any, *args: Any, **kwargs: Any) -> None:
        """Tearing down a cluster that is already gone must not hide why the run ended."""
        try:
            call(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - any failure here is only logged
            logging.getLogger("conctui").warning("dask teardown: %s", exc)

    def _start_samplers(self) -> None:
        """One sampler per host that is not this machine (the app samples this one itself)."""
        chosen: dict[str, str] = {}
        for address in self.shape["addresses"]:
            host = in_dask_worker.host_of(address)
            if host_label(host, self.local) == host:
                chosen.setdefault(host, address)
        self.samplers = sorted(chosen.values())
        if self.samplers:
            self.client.run(in_dask_worker.start_sampler, self.topic, self.run_id, SAMPLE_PERIOD_S, self._epoch(),
                            workers=self.samplers)

    # -- the run

    def run(self) -> None:
        job = {"run": self.run_id, "topic": self.topic, "ref": self.ref, "epoch": self._epoch()}
        keys = ["conctui-%s-%d" % (self.run_id, index) for index in range(self.worker_count)]
        now = self.outbox.now()
        self.submitted = dict.fromkeys(range(self.worker_count), now)
        self.futures = self.client.map(in_dask_worker.run_task, [job] * self.worker_count, range(self.worker_count),
                                       [self.arguments] * self.worker_count, key=keys, pure=False)
        pending = dict(enumerate(self.futures))
        renewed = time.monotonic()
        while pending:
            if self.outbox.stop.is_set():
                return self._cancel_tasks()
            if self.client.status != "running":
                self._end_unfinished("crashed", "the Dask scheduler was lost mid-run")
                raise ModeError("lost the Dask scheduler at %s mid-run (client %s)"
                                % (self.shape["scheduler"], self.client.status))
            for index, future in list(pending.items()):
                if future.done():
                    del pending[index]
                    self._task_done(index, future)
            if self.samplers and time.monotonic() - renewed > RENEW_EVERY_S:
                self.client.run(in_dask_worker.renew, self.run_id, workers=self.samplers, on_error="ignore")
                renewed = time.monotonic()
            time.sleep(POLL_S)  # polling futures and the stop flag together

    def _epoch(self) -> float:
        """The session's t0 as wall time: the clock every host shares (to NTP's precision)."""
        return time.time() - (time.monotonic() - self.outbox.t0)

    def _task_done(self, index: int, future: Any) -> None:
        received = self.outbox.now()
        if future.status == "finished":
            deadline = time.monotonic() + FINISH_GRACE_S
            while index not in self.held and time.monotonic() < deadline:
                time.sleep(POLL_S)  # the task's last batch is still crossing the scheduler
            began = time.monotonic()
            self.kept[index] = future.result()
            fetched = time.monotonic() - began
            with self._lock:
                if index in self.ended:
                    self.tasks.setdefault(index, {})["result_s"] = round(max(0.0, received - self.ended[index]), 6)
                task = dict(self.tasks.get(index, {}))
            self._release(index, task, fetched)
            if index not in self.outbox.finished:
                self._finish(index, "crashed", "the task returned but its events were lost")
            return
        exc = future.exception() if future.status == "error" else None
        if exc is not None:
            self._finish(index, "crashed", "Dask gave up on the task: %s: %s"
                         % (type(exc).__name__, " ".join(str(exc).split())))
        else:
            self._finish(index, "cancelled", "Dask cancelled the task (%s)" % future.status)

    def _cancel_tasks(self) -> None:
        """Cancelled: tasks stop at their next report(); the cluster itself is left alone."""
        self._quietly(self.client.run, in_dask_worker.stop_run, self.run_id)
        self._quietly(self.client.cancel, self.futures, force=True)
        self._end_unfinished("cancelled", "cancelled: Dask stops a running task only at its next report()")

    def _release(self, index: int, task: dict[str, Any], fetched: float | None = None) -> None:
        """Forward a task's held worker_finished, with what its crossing cost as Dask carried it."""
        with self._lock:
            item = self.held.pop(index, None)
        if item is None:
            return
        from dask.sizeof import sizeof

        ipc = item.get("ipc")  # None when the task failed before its workload loaded
        if fetched is not None:  # its arguments went out and its result came back all the same
            ipc = dict(ipc or no_crossings(), in_bytes=int(sizeof(self.arguments)),
                       in_s=float(task.get("latency_s") or 0.0), out_bytes=int(sizeof(self.kept.get(index))),
                       out_s=round(float(task.get("result_s") or 0.0) + fetched, 6))
        self.outbox.queue(decode(dict(item, ipc=ipc)))

    def _finish(self, index: int, status: str, error: str) -> None:
        self._release(index, {})
        self.outbox.silent(index, status, error)

    def _end_unfinished(self, status: str, error: str) -> None:
        for index in range(self.worker_count):
            self._finish(index, status, error)

    # -- events from the workers, bridged into the runner's stream

    def _bridge(self, event: tuple[float, dict[str, Any]]) -> None:
        """subscribe_topic handler (on the client's loop): a worker's batch into the Outbox."""
        message = event[1]
        host = host_label(message["host"], self.local)
        now = self.outbox.now()
        for item in json.loads(message["events"]):
            item["t"] = min(max(0.0, float(item["t"])), now)  # another host's clock: clamp
            kind, index = item["type"], item.get("index")
            if kind == "sample":
                # a host's cores only: conctui's own CPU and what others took are this host's figures
                self.outbox.queue(decode(dict(item, host=host, app_cpu=None, others=None)))
                continue
            if index in self.outbox.finished:
                continue  # a straggler after the run gave up on this task
            if kind == "worker_started":
                self._started(index, item, host, message["address"])
            elif kind == "worker_finished":
                with self._lock:
                    self.ended[index] = item["t"]
                    self.held[index] = item  # queued once its result is here (_task_done)
                continue
            self.outbox.queue(decode(item))

    def _started(self, index: int, item: dict[str, Any], host: str, address: str) -> None:
        item["host"] = host
        with self._lock:
            again = index in self.tasks
            self.tasks[index] = {"address": address, "host": host,
                                 "latency_s": round(max(0.0, item["t"] - self.submitted.get(index, item["t"])), 6)}
        if again:  # its first worker died and Dask ran it again: say so where the user looks
            self.outbox.queue(Output(item["t"], index, "[conctui] Dask retried this task on %s: its previous "
                                           "worker was lost" % address))

    def _emit_cluster(self, shutdown_s: float | None) -> None:
        with self._lock:
            tasks = [[index, info.get("address", ""), info.get("host", ""), info.get("latency_s"),
                      info.get("result_s")] for index, info in sorted(self.tasks.items())]
        shape = self.shape or {"scheduler": self.address or "", "dashboard": None, "workers": 0, "threads": 0}
        self.outbox.emit(Cluster, kind="external" if self.address else "local", scheduler=shape["scheduler"],
                         dashboard=shape["dashboard"], workers=shape["workers"], threads=shape["threads"],
                         startup_s=_rounded(self.startup_s), shutdown_s=_rounded(shutdown_s), tasks=tasks)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
