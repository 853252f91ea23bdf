"""Before 3.11 py-spy names a thread by its pthread id: the watch tells which native thread that
is from outside (engine/watch/pthreads.py), so names, frames and GIL held reach the right rows."""
from __future__ import annotations

import os
import threading
import time

import pytest
from conctui.engine.watch.pthreads import MAX_TID, match, stack_pointer
from fixtures.pythons import pyenv_python
from fixtures.watching import fixture, threads_named, watch_json


def test_the_stack_pointer_is_read_from_a_waiting_thread_s_syscall_line() -> None:
    assert stack_pointer(b"202 0x7f1 0x80 0x0 0x0 0x0 0x0 0x7f31e6e39d40 0x7f31e8a1b2c5\n") == 0x7F31E6E39D40
    assert stack_pointer(b"running\n") is None and stack_pointer(None) is None


def _waiting_sp(tid: int) -> int:
    """This process's thread `tid`'s stack pointer once it sleeps in a syscall."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open(f"/proc/self/task/{tid}/syscall", "rb") as file:
            sp = stack_pointer(file.read())
        if sp is not None:
            return sp
        time.sleep(0.01)  # it has not reached its wait yet: nothing to wait on from here
    raise AssertionError(f"thread {tid} never waited in a syscall")


def test_a_thread_s_pthread_id_is_found_on_its_stack_and_the_main_thread_s_by_elimination() -> None:
    """This test's own threads: a thread blocked in Event.wait, and the main thread."""
    started, release = threading.Event(), threading.Event()
    ids: list[tuple[int, int]] = []

    def waiter() -> None:
        ids.append((threading.get_ident(), threading.get_native_id()))
        started.set()
        release.wait()

    thread = threading.Thread(target=waiter)
    thread.start()
    try:
        assert started.wait(10)
        ((ident, tid),) = ids
        assert ident > MAX_TID  # glibc's pthread id is an address, never a native id
        main, pid = threading.main_thread().ident, os.getpid()
        stacks = {tid: _waiting_sp(tid)}
        assert match(pid, {ident}, stacks, {pid, tid}) == {ident: tid}
        assert match(pid, {ident, main}, stacks, {pid, tid}) == {ident: tid, main: pid}
        assert match(pid, {ident, main}, {}, {pid, tid}) == {}  # no stack seen: nothing guessed
    finally:
        release.set()
        thread.join()


@pytest.mark.process
@pytest.mark.parametrize("version", ["3.9", "3.10"])
def test_a_watch_of_an_older_python_names_its_threads_and_gives_their_gil_held(version: str) -> None:
    document = watch_json("--", pyenv_python(version), fixture("threads"), "20", duration=5)
    assert document["target"]["python"].startswith(f"CPython {version}.")
    crunchers = threads_named(document, "cruncher_")
    assert len(crunchers) == 4, [t["name"] for p in document["processes"] for t in p["threads"]]
    assert all(t["gil_held"] and t["gil_held"] > 0.05 for t in crunchers), crunchers  # read 0 before
    assert all(t["top"] and "crunch" in t["top"] for t in crunchers), crunchers
