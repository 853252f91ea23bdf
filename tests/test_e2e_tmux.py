"""End to end: the installed `conctui` command in a real terminal (tmux), read off the screen."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator

import psutil
import pytest

pytestmark = [pytest.mark.process, pytest.mark.skipif(not (shutil.which("tmux") and shutil.which("conctui")),
                                                       reason="needs tmux and the installed conctui command")]


class Terminal:
    """A detached tmux session of fixed size on a private server, typed into and read from."""

    def __init__(self, command: str, size: tuple[int, int] = (80, 24)) -> None:
        self.socket = f"conctui-test-{uuid.uuid4().hex[:8]}"
        # the exit code is printed after the app leaves, proving the terminal was given back
        script = f"{command}; echo CONCTUI-EXIT=$?; sleep 60"
        self.tmux("new-session", "-d", "-s", "t", "-x", str(size[0]), "-y", str(size[1]), script)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              check=False).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def wait_for(self, pattern: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if re.search(pattern, text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared; the screen was:\n{text}")
            time.sleep(0.1)  # polling a real terminal: there is no event to wait on

    def app(self) -> psutil.Process:
        """The conctui process: the shell's child running the command."""
        shell = psutil.Process(int(self.tmux("display", "-p", "-t", "t", "#{pane_pid}").strip()))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for child in shell.children():
                if "conctui" in " ".join(child.cmdline()):
                    return child
            time.sleep(0.05)
        raise AssertionError("conctui did not start")

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal() -> Iterator[type[Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(command: str, size: tuple[int, int] = (80, 24)) -> Terminal:
        opened.append(Terminal(command, size))
        return opened[-1]

    yield open_terminal
    for term in opened:
        term.close()


LABELS = {"seq": "sequential", "threads": "threads", "procs": "processes", "async": "asyncio"}


def _results(screen: str) -> dict[str, float]:
    """Mode -> wall seconds, read from the results pane's rows (workload, mode label, workers, wall)."""
    rows = re.findall(r"(seq|threads|procs|async)\s+\d+\s+([\d.]+)s", screen)
    return {LABELS[label]: float(wall) for label, wall in rows}


def _family(process: psutil.Process) -> list[psutil.Process]:
    return [process, *process.children(recursive=True)]


def _still_running(family: list[psutil.Process], timeout: float = 8.0) -> list[int]:
    """The pids of `family` still running after `timeout`. A zombie has exited: reaping it is its
    parent's job (after tmux kills the pane's shell, this container's init's, which may lag)."""
    _, alive = psutil.wait_procs(family, timeout=timeout)
    running = []
    for process in alive:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                running.append(process.pid)
        except psutil.NoSuchProcess:
            pass
    return running


def test_compare_reads_off_the_screen(terminal) -> None:
    """A newcomer presses c and reads that threads beat sequential on the sleeping download."""
    term = terminal("conctui tui download --workers 3 --param seconds=1 --param steps=5")
    term.wait_for(r"quit")
    term.keys("c")
    screen = term.wait_for(r"async\s+3\s+[\d.]+s", timeout=60)
    walls = _results(screen)
    assert {"sequential", "threads", "processes", "asyncio"} <= set(walls)
    assert walls["threads"] < walls["sequential"] / 2  # 3 sleeping threads overlap
    assert walls["asyncio"] < walls["sequential"] / 2
    term.keys("q")
    term.wait_for(r"CONCTUI-EXIT=0")


def _processes_run(terminal) -> tuple[Terminal, psutil.Process, list[psutil.Process]]:
    """conctui in a terminal, mid-way through a long processes run of cpu: the app and all it started."""
    term = terminal("conctui tui cpu --mode processes --workers 2 --param n=400000000")
    term.wait_for(r"quit")
    app = term.app()
    term.keys("Enter")
    term.wait_for(r"p\d+\s+run")
    family = _family(app)
    assert len(family) >= 4  # the app, its runner, two workers
    return term, app, family


def test_kill_session_during_a_processes_run_leaves_nothing(terminal) -> None:
    term, _, family = _processes_run(terminal)
    term.close()  # the SSH link drops: SIGHUP to the terminal's processes
    assert not _still_running(family)


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_to_the_app_alone_reaps_and_restores_the_terminal(terminal, signum, code) -> None:
    term, app, family = _processes_run(terminal)
    os.kill(app.pid, signum)
    assert not _still_running(family)
    term.wait_for(rf"CONCTUI-EXIT={code}")


def _colours(term: Terminal) -> list[str]:
    """The colour codes on screen (tmux re-emits what the app drew): 'fg:N'/'bg:N', or a basic SGR."""
    text = term.tmux("capture-pane", "-e", "-p", "-t", "t")
    codes = []
    for sgr in re.findall(r"\x1b\[([0-9;]*)m", text):
        parts = sgr.split(";")
        while parts:
            part = parts.pop(0)
            if part in ("38", "48") and parts[:1] == ["5"]:
                codes.append(f"{'fg' if part == '38' else 'bg'}:{parts[1]}")
                parts = parts[2:]
            elif part in ("38", "48") and parts[:1] == ["2"]:
                codes.append(f"rgb:{';'.join(parts[1:4])}")
                parts = parts[4:]
            elif part:
                codes.append(part)
    return codes


def test_no_color_draws_in_greys_only(terminal) -> None:
    term = terminal("NO_COLOR=1 conctui")
    term.wait_for(r"quit")
    hues = [c for c in _colours(term) if c.startswith("rgb:")
            or (c[:3] in ("fg:", "bg:") and not (int(c[3:]) >= 232 or int(c[3:]) in (0, 7, 15, 16, 231)))
            or c in {str(n) for n in (*range(31, 37), *range(41, 47), *range(91, 97), *range(101, 107))}]
    assert not hues, hues
    term.keys("q")
    term.wait_for(r"CONCTUI-EXIT=0")


def test_a_16_colour_terminal_gets_16_colours(terminal) -> None:
    term = terminal("env -u COLORTERM TERM=xterm-16color conctui")  # COLORTERM=truecolor would win over TERM
    term.wait_for(r"quit")
    codes = _colours(term)
    assert codes and not [c for c in codes if c[:3] in ("fg:", "bg:", "rgb")], codes
    term.keys("q")
    term.wait_for(r"CONCTUI-EXIT=0")
