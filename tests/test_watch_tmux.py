"""conctui watch in a real terminal (tmux): q after attaching leaves the program running, q after
launching leaves nothing, and a program's hostile names and output never reach the terminal."""
from __future__ import annotations

import shlex
import shutil
import sys
import time

import psutil
import pytest
from fixtures.watching import fixture, program, running_with
from test_e2e_tmux import Terminal

pytestmark = [pytest.mark.process, pytest.mark.skipif(not (shutil.which("tmux") and shutil.which("conctui")),
                                                       reason="needs tmux and the installed conctui command")]


def _launch(name: str, *args: str) -> str:
    return shlex.join(["conctui", "watch", "--", sys.executable, fixture(name), *args])


def _gone(part: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while running_with(part) and time.monotonic() < deadline:
        time.sleep(0.1)  # the processes end by themselves: nothing to wait on but their absence
    return not running_with(part)


def test_launch_then_q_leaves_nothing_behind() -> None:
    term = Terminal(_launch("pool", "60", "2"))
    try:
        screen = term.wait_for(r"multiprocessing worker")
        assert "watching pid" in screen and "GIL on" in screen
        term.wait_for(r"worker processes")  # the verdict, once a window has passed
        term.keys("q")
        term.wait_for(r"CONCTUI-EXIT=0")
        assert _gone(fixture("pool"))
    finally:
        term.close()


def test_q_ends_a_slow_program_while_the_screen_answers_keys_then_quits() -> None:
    term = Terminal(_launch("stubborn", "60"))
    try:
        term.wait_for(r"it mostly waits")
        term.keys("q")  # SIGINT: the program cleans up until SIGTERM, 2 s later
        term.wait_for(r"ending… watching pid")
        term.keys("t")  # answered meanwhile: the UI thread is not waiting on the program
        screen = term.wait_for(r"watching a program")
        assert "CONCTUI-EXIT" not in screen
        term.wait_for(r"CONCTUI-EXIT=0")
        assert _gone(fixture("stubborn"))
    finally:
        term.close()


def test_attach_then_q_leaves_the_program_running() -> None:
    with program("threads", "60", threads=5) as pid:
        term = Terminal(f"conctui watch {pid}")
        try:
            term.wait_for(r"cruncher_3")
            term.wait_for(r"under one GIL")
            term.keys("x")  # refused: conctui never signals a program it attached to
            term.wait_for(r"never signals")
            term.keys("q")
            term.wait_for(r"CONCTUI-EXIT=0")
            assert psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        finally:
            term.close()


def test_hostile_names_and_output_are_shown_not_obeyed() -> None:
    term = Terminal(_launch("hostile", "60"))
    try:
        screen = term.wait_for(r"out␛\[2J")
        screen = term.wait_for(r"evil␛\[2J")
        assert "watching pid" in screen  # the screen was not cleared, the title not changed
        term.keys("q")
        term.wait_for(r"CONCTUI-EXIT=0")
        assert _gone(fixture("hostile"))
    finally:
        term.close()


def test_a_recorded_watch_replays_in_the_one_app(tmp_path) -> None:
    """`conctui watch --record FILE` in the TUI, then `conctui replay FILE`: the same panes, with
    the replay's position in the header and its keys in the footer."""
    path = tmp_path / "watch.jsonl"
    term = Terminal(shlex.join(["conctui", "watch", "--record", str(path), "--", sys.executable, fixture("threads"),
                                "60"]))
    named_and_judged = r"(?s)cruncher_.*under one GIL"  # py-spy's names (a window) and the verdict (/proc)
    try:
        term.wait_for(named_and_judged)  # the names may come a window later, on a loaded machine
        term.keys("q")
        term.wait_for(r"CONCTUI-EXIT=0")
    finally:
        term.close()
    term = Terminal(shlex.join(["conctui", "replay", str(path)]))
    try:
        screen = term.wait_for(named_and_judged)
        assert "threads and processes" in screen and "▶" in screen
        assert "seek" in screen  # the replay's keys
        term.keys("q")
        term.wait_for(r"CONCTUI-EXIT=0")
    finally:
        term.close()
