"""The typed events everything on screen is made of, and their checked JSON form.

Declared once, in the runner's stdlib-only `schema` module (and `run_events`, the run's own
events that no worker process sends), which the runner imports under every Python to build its
events; the engine uses the very same classes and `decode`, so a batch from a runner and a line
of a recording meet the same rules.
"""
from conctui.runner.run_events import (
    CLUSTER_KINDS,
    RUN_STATUSES,
    Cluster,
    GilWorkers,
    PythonInfo,
    RunFinished,
    RunStarted,
    Sample,
    SubInterpreters,
    SweepStarted,
)
from conctui.runner.schema import (
    MAX_INDEX,
    MAX_T,
    MAX_TEXT,
    RENAMED,
    STATUSES,
    TYPES,
    Event,
    EventError,
    GilReenabled,
    GilSample,
    Memory,
    Output,
    Progress,
    WorkerFinished,
    WorkerStarted,
    decode,
    dispatch,
    encode,
    handler_table,
)

__all__ = [
    "CLUSTER_KINDS", "MAX_INDEX", "MAX_T", "MAX_TEXT", "RENAMED", "RUN_STATUSES", "STATUSES", "TYPES", "Cluster",
    "Event", "EventError", "GilReenabled", "GilSample", "GilWorkers", "Memory", "Output", "Progress", "PythonInfo",
    "RunFinished", "RunStarted", "Sample", "SubInterpreters", "SweepStarted", "WorkerFinished", "WorkerStarted",
    "decode", "dispatch", "encode", "handler_table",
]

# The watch's events (`conctui watch`) are declared beside its sampler; importing them here
# registers their types, so a recording of a watch decodes wherever events are decoded.
from conctui.engine.watch import events as _watch_events  # noqa: E402, F401
