"""The one declaration of every event, from the runner's side: a mistake fails where it is made.

The runner builds its events from `runner/schema.py` under every Python from 3.9, so the
declaration is tested there too (annotations it could not evaluate would break 3.9/3.10).
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conctui import runner
from conctui.engine import events
from conctui.runner import schema
from conctui.runner.channel import Outbox
from fixtures.pythons import one_per_version

BOOT = Path(runner.__file__).with_name("boot.py")
# built by the runner package loaded by path, as the runner process loads it
UNDER_EACH_PYTHON = f"""
import runpy
runpy.run_path({str(BOOT)!r}, run_name="_conctui_boot")
from _conctui_runner.schema import EventError, Progress, WorkerFinished, decode, encode
event = WorkerFinished(1, 0, "failed", "ValueError: boom", 0.5, None, 2)
assert decode(encode(event)) == event and event.t == 1.0, event
for bad in (lambda: Progress(0.1, 0, "half"), lambda: WorkerFinished(0.1, 0, "exploded")):
    try:
        bad()
    except EventError as exc:
        print(exc)
    else:
        raise SystemExit("accepted a bad event")
"""


def test_the_engine_uses_the_runner_declaration_itself() -> None:
    assert events.Progress is schema.Progress and events.decode is schema.decode
    assert set(schema.TYPES.values()) >= {events.RunStarted, events.Sample, events.GilSample, events.Cluster}


@pytest.mark.process
@pytest.mark.parametrize("python", one_per_version(), ids=lambda found: found.label)
def test_the_declaration_builds_and_refuses_under_every_python(python) -> None:
    stdlib = subprocess.run([python.path, "-c", "import dataclasses, json, math"], capture_output=True, text=True)
    if stdlib.returncode != 0:  # a build still being installed (scripts/build-freethreaded.sh)
        pytest.skip(f"{python.path} cannot import its own stdlib: {(stdlib.stderr.splitlines() or ['?'])[-1]}")
    done = subprocess.run([python.path, "-c", UNDER_EACH_PYTHON], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["field 'progress.fraction' should be float, not str",
                                        "unknown worker status 'exploded'"]


def test_a_runner_event_with_a_wrong_field_fails_at_the_emit() -> None:
    sent: list[bytes] = []
    outbox = Outbox(sent.append, 0.0)
    with pytest.raises(TypeError, match="colour"):
        outbox.emit(schema.WorkerStarted, index=0, pid=1, tid=2, colour="red")
    with pytest.raises(schema.EventError, match="should be int"):
        outbox.emit(schema.WorkerStarted, index=0, pid="1", tid=2)
    outbox.emit(schema.WorkerStarted, index=0, pid=1, tid=2)
    outbox.flush()
    assert len(sent) == 1 and b'"worker_started"' in sent[0]


def test_a_declaration_refuses_a_field_type_it_cannot_check() -> None:
    with pytest.raises(TypeError, match="cannot declare"):
        @schema.event("never_registered")
        class Odd(schema.Event):
            when: "set[int]"  # noqa: F821, UP037 - the annotation under test
    assert "never_registered" not in schema.TYPES


def test_dispatch_calls_the_handler_named_for_the_wire_name_and_says_when_there_is_none() -> None:
    class Consumer:
        def __init__(self) -> None:
            self.seen: list = []

        def handle_worker_started(self, event: schema.WorkerStarted) -> None:
            self.seen.append(event)

    consumer, started = Consumer(), schema.WorkerStarted(0.5, 1, 10, 11)
    assert schema.dispatch(consumer, started) is True and consumer.seen == [started]
    assert schema.dispatch(consumer, schema.Progress(0.6, 1, 0.5)) is False and consumer.seen == [started]
    assert all(cls.HANDLER == "handle_" + name for name, cls in schema.TYPES.items())


def test_events_are_declared_from_their_annotations_without_dataclasses() -> None:
    """Fields in order (Event's `t` first), a default factory's value new for each event, a copy
    with changes checked like a new event, and nothing assigned once built."""
    assert schema.WorkerStarted.FIELDS[:4] == ("t", "index", "pid", "tid")
    started = schema.WorkerStarted(1.0, 0, 10, 11)
    assert started.gil_futex == [] and started.gil_futex is not schema.WorkerStarted(1.0, 1, 10, 11).gil_futex
    assert started.replace(pid=12) == schema.WorkerStarted(1.0, 0, 12, 11)
    with pytest.raises(schema.EventError, match="out of range"):
        started.replace(index=-1)
    with pytest.raises(TypeError, match="colour"):
        started.replace(colour="red")
    with pytest.raises(schema.FrozenError):
        started.pid = 3  # type: ignore[misc]
