"""What the app asks a runner (RunRequest, DescribeRequest) and what a runner says of itself (RunnerInfo).

Declared with schema.py's records (checked when built, JSON objects on the pipe), in a module
of their own: the runner's main loop and conctui's own process import it, a worker child never
does (each declared class costs every child ~0.4 ms at import, issue 23 §4). The app and its
runner are always the same conctui (the runner is started from this very folder), so a field
here may be renamed freely: no recording keeps a request.

The runner never changes a request: what it derives (a workload's parameters after its
context, the GIL sampler's pid) it keeps beside it, on the mode.
"""
from __future__ import annotations

import json
import math
from typing import Any

from .run_events import PythonInfo
from .schema import CHECKS, MAX_INDEX, EventError, Record, field, record

Clock = float  # a time.monotonic() reading: as large as the machine's uptime, so not bounded by MAX_T


def _clock(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise EventError("field %r should be a clock reading, not %r" % (name, value))
    return float(value)


CHECKS["Clock"] = _clock


@record("run request")
class RunRequest(Record):
    """One run, as engine/spec.RunSpec.request() builds it: all the runner needs to say the
    whole run_started itself, and to stamp every event on the session's clock (`t0`, the same
    monotonic clock in every process). `ref`: where the workload is loaded from (loader.load)."""

    run: int
    t0: Clock
    mode: str
    workload: str
    params: dict
    ref: dict
    worker_count: int
    ipc_limit: int  # bytes a pickled value may have (--ipc-limit)
    start_method: str = "spawn"
    switch_interval_ms: float | None = None
    scheduler: str | None = None  # dask: an existing cluster's scheduler; None starts a LocalCluster
    connect_timeout: float = 10.0
    sample_gil: bool = False  # conctui samples the workers' GIL from outside: the runner readies for it

    def check(self) -> None:
        if not 1 <= self.worker_count <= MAX_INDEX:
            raise EventError("worker count %s is out of range" % self.worker_count)


@record("describe request")
class DescribeRequest(Record):
    """Before any run: what is this Python, can it load `ref`, does the Dask `scheduler` answer."""

    ref: dict | None = None
    scheduler: str | None = None
    connect_timeout: float = 10.0


@record("workload")
class WorkloadFacts(Record):
    """What the app needs to offer a workload (loader.workload_facts): its metadata and calls."""

    name: str = ""
    description: str = ""
    kind: str = "user"
    has_async: bool = False
    accepts_report: bool = False


@record("runner info")
class RunnerInfo(Record):
    """A runner's answer to a DescribeRequest (describe.py): its Python; the workload's facts
    (defaults where none was asked about); its peak size with the workload loaded (capacity.py
    costs a worker child by it; None where the OS does not say); the Dask cluster's shape where a
    scheduler was asked about; or `error`, the user's mistake in one line, where it cannot."""

    python: PythonInfo = field(default_factory=PythonInfo)
    workload: WorkloadFacts = field(default_factory=WorkloadFacts)
    peak_rss_bytes: int | None = None
    cluster: dict | None = None
    error: str | None = None


def to_bytes(request: RunRequest | DescribeRequest | RunnerInfo) -> bytes:
    """One frame's JSON: a request says which it is (`cmd`), for the runner's main loop."""
    data = request.as_dict()
    if isinstance(request, RunRequest):
        data["cmd"] = "run"
    elif isinstance(request, DescribeRequest):
        data["cmd"] = "describe"
    return json.dumps(data).encode()


def request_from(data: bytes) -> RunRequest | DescribeRequest:
    """The app's first frame to a runner, typed."""
    raw = json.loads(data)
    kind = DescribeRequest if raw.get("cmd") == "describe" else RunRequest
    return kind.from_json("request", raw)
