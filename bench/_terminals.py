"""conctui's TUI and htop side by side, each in its own 80x24 terminal (a tmux pane, or a pty
at the client end of a real ssh link), measured in the same windows.

By default the app watches a `processes` run of `cpu` with one worker per core (a busy server); htop
runs at its default refresh. Both are measured over the same seconds: first idle (the app
open, nothing running), then live (Enter pressed, every worker running).
"""
from __future__ import annotations

import os
import shlex
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil
from _common import Tmux, conctui_command, ensure_tool
from _pty_terminal import PtyTerminal
from _ssh_link import Link, sshd

SETTLE_S = 2.0  # after the first frame or the run's start: the opening paint is not the steady state
RUNNING = r"[pt]\d+\s+run"  # a process's or a thread's line in the workers pane, once the run started


def watched_choice() -> list[str]:
    """The app's command-line choice: a long `cpu` run in processes, one worker per core."""
    return ["tui", "cpu", "--mode", "processes", "--workers", str(os.cpu_count() or 1),
            "--param", "n=2000000000", "--param", "steps=1000"]


def htop_path() -> str:
    htop = ensure_tool("htop")
    if htop is None:
        raise SystemExit("htop is missing and could not be installed (apt-get install htop)")
    return htop


@dataclass
class Pair:
    tmux: Tmux
    app: psutil.Process
    htop: psutil.Process
    before: psutil.Process | None = None  # the conctui of an older tree, in pane "before" (--before)

    def start_run(self) -> None:
        for pane in ("app", "before") if self.before else ("app",):
            self.tmux("send-keys", "-t", pane, "Enter")
        for pane in ("app", "before") if self.before else ("app",):
            self.tmux.wait_for(pane, RUNNING)
        time.sleep(SETTLE_S)  # a warm-up interval, not a synchronisation


@contextmanager
def conctui_beside_htop(on_open: Callable[[Tmux], None] = lambda tmux: None,
                        before: str | None = None, choice: list[str] | None = None) -> Iterator[Pair]:
    """Both programs open and settled; `on_open(tmux)` runs right after the panes exist.
    `before`: the Python of an older tree, whose conctui runs the same choice in a third pane.
    `choice`: the app's command line after `conctui` (default: watched_choice())."""
    htop, choice = htop_path(), choice or watched_choice()
    with Tmux() as tmux:
        tmux.open("app", shlex.join([*conctui_command(), *choice]))
        tmux.open("htop", htop)
        if before:
            tmux.open("before", shlex.join([before, "-m", "conctui", *choice]))
        on_open(tmux)
        tmux.wait_for("app", r"quit")
        if before:
            tmux.wait_for("before", r"quit")
        pair = Pair(tmux, tmux.process("app", "conctui"), tmux.process("htop", "htop"),
                    tmux.process("before", "conctui") if before else None)
        time.sleep(SETTLE_S)
        try:
            yield pair
        finally:
            # htop too: killed with the tmux server instead, it outlived its parent as a zombie
            programs = [pair.app, pair.htop, *([pair.before] if pair.before else [])]
            for pane in ("app", "htop", "before") if pair.before else ("app", "htop"):
                tmux("send-keys", "-t", pane, "q")
            psutil.wait_procs(programs, timeout=10)


@dataclass
class SshPair:
    """The same programs, each behind its own `ssh -tt` client (in a pty this process reads) to
    one private sshd: "app", "htop" and (with `before`) "before"."""

    link: Link
    clients: dict[str, PtyTerminal]

    def start_run(self) -> None:
        apps = [name for name in ("app", "before") if name in self.clients]
        for name in apps:
            self.clients[name].send(b"\r")
        for name in apps:
            self.clients[name].wait_for(RUNNING)
        time.sleep(SETTLE_S)  # a warm-up interval, not a synchronisation


@contextmanager
def conctui_beside_htop_over_ssh(before: str | None = None) -> Iterator[SshPair]:
    """Both programs open and settled, each run by `ssh -tt` in an 80x24 pty over a loopback
    link to a private sshd; on the way out each is quit ("q") and its client reaped."""
    remote = {"app": [*conctui_command(), *watched_choice()], "htop": [htop_path()]}
    if before:
        remote["before"] = [before, "-m", "conctui", *watched_choice()]
    with sshd() as link:
        clients: dict[str, PtyTerminal] = {}
        try:
            for name, command in remote.items():
                clients[name] = link.client(command)
            for name in ("app", "before") if before else ("app",):
                clients[name].wait_for(r"quit")
            time.sleep(SETTLE_S)
            yield SshPair(link, clients)
        finally:
            for client in clients.values():
                client.close()


def windows(count: int, seconds: float, read: Callable[[], dict[str, float]]) -> dict[str, list[float]]:
    """Rates per second of each counter `read()` returns, over `count` back-to-back windows."""
    rates: dict[str, list[float]] = {}
    before, t0 = read(), time.monotonic()
    for _ in range(count):
        time.sleep(seconds)  # the window being measured
        after, t1 = read(), time.monotonic()
        for name in after:
            rates.setdefault(name, []).append((after[name] - before[name]) / (t1 - t0))
        before, t0 = after, t1
    return rates
