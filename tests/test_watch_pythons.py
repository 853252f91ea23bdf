"""The GIL's words found from outside under every CPython 3.9-3.13 at hand: threads that want
the GIL sleep in a futex inside `_PyRuntime`, a thread blocked on a Lock in one outside it."""
from __future__ import annotations

import os
import subprocess
import time

import pytest
from conctui.engine.watch.target import python_of
from conctui.engine.watch.waiting import Kinds, ThreadFiles
from conctui.runner.gil_constants import arch
from fixtures.pythons import pyenv_python

pytestmark = pytest.mark.process

PROGRAM = """
import threading, time
held = threading.Lock(); held.acquire()
def spin():
    while True:
        pass
def blocked():
    held.acquire()
threading.Thread(target=blocked, name="blocked", daemon=True).start()
for _ in range(3):
    threading.Thread(target=spin, daemon=True).start()
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("version", ["3.9", "3.10", "3.11", "3.12", "3.13"])
def test_gil_waiters_and_a_lock_waiter_are_told_apart(version: str) -> None:
    if arch() is None:
        pytest.skip("no syscall table for this CPU")
    python = pyenv_python(version)
    program = subprocess.Popen([python, "-c", PROGRAM], stdout=subprocess.PIPE, text=True)
    try:
        assert program.stdout.readline().startswith("ready")
        build = python_of(program.pid)
        assert build is not None and build.version.startswith(version + ".")
        kinds = Kinds(arch())
        tids = sorted(int(t) for t in os.listdir(f"/proc/{program.pid}/task"))
        seen: dict[int, set[str]] = {tid: set() for tid in tids}
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:  # many reads: each spinner waits for the GIL most of the time
            for tid in tids:
                files = ThreadFiles(program.pid, tid)
                try:
                    fields, syscall = files.read()
                finally:
                    files.close()
                seen[tid].add(kinds.of(fields[0], syscall, build.runtime) or "?")
        main, blocked, *spinners = tids
        assert seen[blocked] == {"lock_wait"}, seen
        assert sum("gil_wait" in seen[tid] for tid in spinners) >= 2, seen
        assert not any("lock_wait" in seen[tid] for tid in spinners), seen
    finally:
        program.kill()
        program.wait()
