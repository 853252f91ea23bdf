"""The event schema: what decode accepts from a runner or a recording, and what it refuses."""
from __future__ import annotations

import math

import pytest
from conctui.engine.events import (
    Cluster,
    Event,
    EventError,
    GilReenabled,
    GilSample,
    GilWorkers,
    Memory,
    Output,
    Progress,
    RunFinished,
    RunStarted,
    Sample,
    SweepStarted,
    WorkerFinished,
    WorkerStarted,
    decode,
    encode,
)
from conctui.engine.watch.events import WatchEnded, WatchOutput, WatchSample, WatchStarted

GIL = GilSample(1.1, 0.9, 1.0, 4.5, 0.8, 1.0, 4.0, 1.0, 0.06)
CLUSTER = Cluster(0.5, "local", "tcp://127.0.0.1:8786", 2, 2, None, 0.5, None,
                  [[0, "tcp://127.0.0.1:1", "vm", 0.002, 1.0]])
EXAMPLES: list[Event] = [
    RunStarted(0.0, 1, "threads", "download", {"seconds": 1.0}, 3, {"version": "3.11.7"}, "spawn", 1234,
               {"switch_interval_ms": None}),
    WorkerStarted(0.1, 0, 1234, 5678, "vm"),
    WorkerStarted(0.1, 1, 1234, 5679, "", [139652620412528, 139652620412820]),
    Progress(0.2, 1, 0.5),
    Progress(0.2, 1, None),
    Output(0.3, 2, "Thread 2: Starting download"),
    WorkerFinished(1.0, 1, "failed", "ValueError: boom (tasks.py:3)", 0.9, 0.01, 4, None),
    WorkerFinished(1.0, 2, "crashed", "killed by SIGSEGV", None, None, 0, -11),
    WorkerFinished(1.0, 0, "done", None, 2.0, 2.0, 0, None, 0.1,
                   {"calls": 40, "in_bytes": 335544320, "in_s": 1.5, "out_bytes": 335544320, "out_s": 1.7},
                   {"counter": [0, 100000], "items": [["len", 0], ["len", 100000]], "flag": [None, True]}),
    Memory(1.1, False, "pickled through a pipe", {"counter": [0, 0], "name": ["a", "b"]}, {"counter": 100000},
           "socketpair", 2100.5),
    Sample(1.1, [12.5, 100.0], [[0, 0.25, 1], [1, 0.5, None]], 2.4, "vm"),
    GIL,
    GilSample(1.1, None, None, None, None, None, None, 1.0, 0.0, "own GIL in each worker process"),
    CLUSTER,
    GilWorkers(1.1, [[0, 0.5, 0.25, 0.0], [1, None, None, None]], 0.5, None, "py-spy at 100 Hz, 1 s windows"),
    GilWorkers(1.3, [[0, None, None, None]], None, "ptrace refused (py-spy: Permission Denied)", "py-spy", True),
    GilReenabled(0.4, "gilpin", "before", 1234),
    WorkerStarted(0.1, 2, 1234, 5680, "", [139652620412528, 139652620412820], 139652620412464, 139652620600000),
    RunFinished(1.2, "done", 1.1),
    RunFinished(1.2, "timeout", 1.1, "cut by --timeout"),
    SweepStarted(1.3, "cpu", {"n": 4000000, "steps": 10}, ["threads", "processes"], [1, 2, 4], 1, 2),
    WatchStarted(0.0, 4242, ["python", "app.py"], "CPython 3.11.7", True, 16),
    WatchSample(1.0, [50.0, 3.5], 0.02,
                [{"pid": 4242, "ppid": 1, "role": "main", "argv": ["python", "app.py"], "python": "CPython 3.11.7",
                  "rss_bytes": 1 << 20, "cpu_s": 0.99, "threads": 2, "ended": None}],
                [{"pid": 4242, "tid": 4243, "name": "cruncher_0", "cpu_s": 0.5, "core": 1, "reads": 100,
                  "states": {"running": 30, "gil_wait": 70}, "held": 25, "sampled": 100.0,
                  "top": "crunch (app.py:10)", "ended": False}]),
    WatchOutput(1.1, "a line the program printed"),
    WatchEnded(2.0, "exited", 0, None),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: type(e).__name__)
def test_every_event_type_round_trips(event: Event) -> None:
    assert decode(encode(event)) == event


def test_every_event_type_has_an_example() -> None:
    from conctui.engine.events import TYPES

    assert set(TYPES.values()) == {type(e) for e in EXAMPLES}


def test_an_int_where_a_float_is_expected_is_accepted() -> None:
    assert decode({"type": "progress", "t": 1, "index": 0, "fraction": 1}) == Progress(1.0, 0, 1.0)


def _progress(**changes: object) -> dict:
    return {"type": "progress", "t": 0.5, "index": 0, "fraction": 0.5, **changes}


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ([], "must be an object"),
        ({"t": 0.0}, "unknown event type"),
        ({"type": "explode", "t": 0.0}, "unknown event type"),
        ({"type": 3, "t": 0.0}, "unknown event type"),
        (_progress(colour="red"), "unknown field"),
        (_progress(t="soon"), "should be float"),
        (_progress(index=1.5), "should be int"),
        (_progress(index=True), "should be int"),
        (_progress(index=-1), "out of range"),
        (_progress(t=math.nan), "out of range"),
        (_progress(t=math.inf), "out of range"),
        (_progress(fraction=math.nan), "out of range"),
        (_progress(t=-0.1), "negative time"),
        (_progress(fraction=1.01), "not between 0 and 1"),
        (_progress(fraction=-0.01), "not between 0 and 1"),
        ({"type": "progress", "t": 0.5, "index": 0}, "fraction"),
        ({"type": "output", "t": 0.0, "index": 0, "line": 7}, "should be str"),
        ({"type": "output", "t": 0.0, "index": 0, "line": "x" * 20_000}, "too long"),
        ({"type": "worker_finished", "t": 0.0, "index": 0, "status": "exploded"}, "unknown worker status"),
        ({"type": "run_finished", "t": 0.0, "status": "great", "wall_s": 1.0}, "unknown run status"),
        ({"type": "sample", "t": 0.0, "cores": [101.0], "workers": [], "app_cpu": 0.0}, "percentages"),
        ({"type": "sample", "t": 0.0, "cores": ["x"], "workers": [], "app_cpu": 0.0}, "percentages"),
        ({"type": "sample", "t": 0.0, "cores": [], "workers": [[0, 1.0]], "app_cpu": 0.0}, "rows"),
        ({"type": "sample", "t": 0.0, "cores": "0", "workers": [], "app_cpu": 0.0}, "should be list"),
        ({"type": "sample", "t": 0.0, "cores": [], "workers": [[0, math.nan, 1]], "app_cpu": 0.0}, "rows"),
        ({"type": "sample", "t": 0.0, "cores": [], "workers": [[0, -1.0, 1]], "app_cpu": 0.0}, "rows"),
        ({"type": "sample", "t": 0.0, "cores": [], "workers": [[-1, 1.0, 1]], "app_cpu": 0.0}, "rows"),
        ({"type": "sample", "t": 0.0, "cores": [], "workers": [[0, 1.0, "cpu0"]], "app_cpu": 0.0}, "rows"),
        ({"type": "sample", "t": 0.0, "cores": [], "workers": [], "app_cpu": math.nan}, "out of range"),
        ({**encode(GIL), "wait": 1.5}, "not between 0 and 1"),
        ({**encode(GIL), "period_ms": 0.0}, "must be positive"),
        ({**encode(CLUSTER), "kind": "cloud"}, "unknown cluster kind"),
        ({**encode(CLUSTER), "tasks": [[0, "a", "b", math.nan, 1.0]]}, "cluster tasks"),
    ],
)
def test_decode_refuses_bad_input_in_one_line(data: object, says: str) -> None:
    with pytest.raises(EventError, match=says) as caught:
        decode(data)
    assert "\n" not in str(caught.value)


def test_run_started_refuses_zero_workers() -> None:
    data = encode(EXAMPLES[0])
    data["workers"] = 0
    with pytest.raises(EventError, match="worker count"):
        decode(data)


@pytest.mark.parametrize("fields", [
    {"memory": {"counter": [0]}},  # not [before, after]
    {"memory": {"counter": [0, {"a": 1}]}},  # not a simple value
    {"memory": {"items": [["size", 3], ["len", 4]]}},
    {"ipc": {"calls": 1, "in_bytes": -1, "in_s": 0.0, "out_bytes": 0, "out_s": 0.0}},
    {"ipc": {"calls": 1}},
])
def test_a_worker_view_or_crossing_that_is_not_the_schema_is_refused(fields: dict) -> None:
    with pytest.raises(EventError):
        decode({"type": "worker_finished", "t": 1.0, "index": 0, "status": "done", **fields})


def test_a_memory_event_with_a_bad_carrier_figure_is_refused() -> None:
    with pytest.raises(EventError):
        decode({"type": "memory", "t": 1.0, "shared": True, "crossing": "x", "parent": {}, "carrier_mb_s": -3})
