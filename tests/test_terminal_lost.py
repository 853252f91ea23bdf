"""A terminal that goes away ends conctui (the lab and a watch) and every process below it.

Two ways a terminal goes: tmux killed (the kernel sends SIGHUP to the foreground group), and
a pty closed under a conctui it is not the controlling terminal of (no SIGHUP at all: before
terminal_driver.py, Textual's writer thread died on EIO and the app blocked for ever in its
queue, its children running on)."""
from __future__ import annotations

import errno
import fcntl
import io
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time

import psutil
import pytest
from conctui import terminal_driver
from conctui.terminal_driver import TerminalFile
from fixtures.command import COMMAND
from fixtures.watching import fixture
from test_e2e_tmux import Terminal
from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

LAB = [*COMMAND, "tui", "cpu", "--mode", "processes", "--workers", "2", "--param", "n=400000000", "--start"]
WATCH = [*COMMAND, "watch", "--", sys.executable, fixture("threads"), "60"]
APPS = {"lab": (LAB, r"elapsed \d"), "watch": (WATCH, r"cruncher_3|python +\d")}  # once its workers run


def _left(processes: list[psutil.Process], within: float) -> list[psutil.Process]:
    deadline = time.monotonic() + within
    while True:
        running = [p for p in processes if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.05)  # processes ending by themselves: nothing to wait on but their absence


def _kill(processes: list[psutil.Process]) -> None:
    for process in processes:
        try:
            process.kill()
        except psutil.Error:
            pass


class Gone(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")


def test_a_write_to_a_gone_terminal_is_dropped_and_hangs_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(terminal_driver.os, "kill", lambda pid, number: sent.append((pid, number)))
    lost = threading.Event()
    writer = WriterThread(TerminalFile(Gone(), lost))  # type: ignore[arg-type]
    writer.start()
    for _ in range(3 * MAX_QUEUED_WRITES):  # more than its queue holds: a dead writer would block here
        writer.write("frame")
    writer.stop()
    assert lost.is_set() and sent == [(os.getpid(), signal.SIGHUP)]


@pytest.mark.process
@pytest.mark.parametrize("app", APPS)
def test_a_closed_pty_without_sighup_ends_the_app_and_its_children(app: str) -> None:
    argv, ready = APPS[app]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    # a session of its own, the pty passed as open files: not its controlling terminal, so no SIGHUP
    conctui = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
                               env={**os.environ, "TERM": "xterm-256color"})
    os.close(slave)
    below: list[psutil.Process] = []
    try:
        screen, deadline = b"", time.monotonic() + 60
        while not re.search(ready.encode(), screen) and time.monotonic() < deadline:
            if select.select([master], [], [], 0.5)[0]:
                screen = (screen + os.read(master, 1 << 16))[-(1 << 16):]
        assert re.search(ready.encode(), screen), screen[-2000:]
        below = psutil.Process(conctui.pid).children(recursive=True)
        assert below
        os.close(master)
        master = -1
        assert conctui.wait(20) == 129  # as for SIGHUP
        assert not _left(below, within=5)
    finally:
        if master >= 0:
            os.close(master)
        if conctui.poll() is None:
            conctui.kill()
            conctui.wait()
        _kill(below)


@pytest.mark.process
@pytest.mark.skipif(not (shutil.which("tmux") and shutil.which("conctui")),
                    reason="needs tmux and the installed conctui")
@pytest.mark.parametrize("app", APPS)
def test_killing_tmux_ends_the_app_and_its_children(app: str) -> None:
    argv, ready = APPS[app]
    term = Terminal(" ".join(["conctui", *argv[len(COMMAND):]]))
    below: list[psutil.Process] = []
    try:
        term.wait_for(ready, timeout=60)
        conctui = term.app()
        below = [conctui, *conctui.children(recursive=True)]
        term.close()  # tmux kill-server: the pty goes, and the foreground group gets SIGHUP
        assert not _left(below, within=15)
    finally:
        term.close()
        _kill(below)
