"""The watched program's process tree, found again at every tick.

Runs in conctui's watch sampler thread. Descendants come from process_tree.descendants (a
few small /proc files of the tree's own); a kernel without those files gets psutil's
children(recursive=True). Each process's figures come from psutil.

Each process's role comes from its argv: a child started by `multiprocessing` (Pool, Process,
ProcessPoolExecutor) runs `spawn_main` or the forkserver's main, or, forked, carries its Python
parent's very argv; the resource tracker and forkserver are multiprocessing's helpers; any
other child is another program (Python or not). A process that ends keeps its last figures,
marked ended at the time it was missed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import psutil
from conctui.engine.process_tree import descendants
from conctui.engine.watch.target import PythonBuild, python_of

HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver import main", "semaphore_tracker")
WORKERS = ("multiprocessing.spawn", "--multiprocessing-fork", "multiprocessing.forkserver")


def role_of(argv: list[str], parent_argv: list[str] | None, is_main: bool, python: bool) -> str:
    """main / worker / helper / python / program, from argv and the parent's argv."""
    if is_main:
        return "main"
    line = " ".join(argv)
    if any(helper in line for helper in HELPERS):
        return "helper"
    if any(worker in line for worker in WORKERS) or (python and argv and argv == parent_argv):
        return "worker"
    return "python" if python else "program"


@dataclass(eq=False)
class WatchedProcess:
    """One process of the tree: what psutil says, what its Python is, when it was last seen."""

    pid: int
    ppid: int
    argv: list[str]
    role: str
    build: PythonBuild | None
    maps_refused: bool
    handle: psutil.Process
    began: float = 0.0  # when it started, epoch seconds (py-spy samples a child once it has lived a while)
    cpu0: float | None = None  # its CPU seconds when first seen: figures are of the watch
    cpu_s: float = 0.0
    rss_bytes: int = 0
    thread_count: int = 0
    ended: float | None = None  # monotonic time it was missed

    @property
    def python(self) -> str | None:
        return self.build.label if self.build else None

    def row(self, t0: float) -> dict[str, Any]:
        """Its row in a watch_sample event."""
        return {"pid": self.pid, "ppid": self.ppid, "role": self.role, "argv": self.argv, "python": self.python,
                "rss_bytes": self.rss_bytes, "cpu_s": round(self.cpu_s, 3), "threads": self.thread_count,
                "ended": None if self.ended is None else round(self.ended - t0, 3),
                "no_gil": bool(self.build and self.build.no_gil)}


class ProcessTree:
    """The root and its descendants; `scan()` at every tick finds who came and who went."""

    def __init__(self, root: int, root_build: PythonBuild | None) -> None:
        self.root = root
        self.processes: dict[int, WatchedProcess] = {}
        self._add(psutil.Process(root), root_build, is_main=True)

    def _add(self, handle: psutil.Process, build: PythonBuild | None, is_main: bool = False) -> None:
        refused = False
        try:
            argv, ppid, began = handle.cmdline(), handle.ppid(), handle.create_time()
        except psutil.Error:
            return
        if not is_main:
            try:
                build = python_of(handle.pid)
            except PermissionError:
                build, refused = None, True
        else:
            refused = build is None
        parent = self.processes.get(ppid)
        role = role_of(argv, parent.argv if parent else None, is_main, build is not None)
        self.processes[handle.pid] = WatchedProcess(handle.pid, ppid, argv, role, build, refused, handle, began)

    def scan(self) -> None:
        """Add new descendants, read each live process's figures, mark the missing ones ended."""
        now = time.monotonic()
        root = self.processes[self.root]
        found = [root.handle, *self._descendants(root.handle)] if root.ended is None else []
        live = set()
        for handle in found:
            if handle.pid not in self.processes or self.processes[handle.pid].ended is not None:
                if handle.pid in self.processes:  # a pid reused after its process ended: a new process
                    del self.processes[handle.pid]
                self._add(handle, None)
            process = self.processes.get(handle.pid)
            if process is not None and self._read(process):
                live.add(handle.pid)
        for process in self.processes.values():
            if process.ended is None and process.pid not in live:
                process.ended = now

    def _descendants(self, root: psutil.Process) -> list[psutil.Process]:
        """Handles of the root's descendants: the ones known kept, new ones made."""
        pids = descendants(root.pid)
        if pids is None:
            try:
                return root.children(recursive=True)
            except psutil.Error:
                return []
        handles = []
        for pid in pids:
            known = self.processes.get(pid)
            if known is not None and known.ended is None:
                handles.append(known.handle)
                continue
            try:
                handles.append(psutil.Process(pid))
            except psutil.Error:
                continue  # ended meanwhile
        return handles

    @staticmethod
    def _read(process: WatchedProcess) -> bool:
        try:
            with process.handle.oneshot():
                if process.handle.status() == psutil.STATUS_ZOMBIE:
                    return False
                times = process.handle.cpu_times()
                cpu = times.user + times.system
                if process.cpu0 is None:
                    process.cpu0 = cpu
                process.cpu_s = cpu - process.cpu0
                process.rss_bytes = process.handle.memory_info().rss
                process.thread_count = process.handle.num_threads()
        except psutil.Error:
            return False
        return True
