"""The catalogue of modes: name, key, label, and whether one can run a given workload here.

A mode that cannot run is offered greyed out with its reason, never hidden: the reason is
itself a lesson (a plain function under asyncio would only be threads in disguise).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from conctui.engine.events import PythonInfo
from conctui.runner.request import RunnerInfo, WorkloadFacts


def _always(python: PythonInfo, workload: WorkloadFacts) -> str | None:
    return None


def _asyncio(python: PythonInfo, workload: WorkloadFacts) -> str | None:
    if workload.has_async:
        return None
    return (f"{workload.name or 'this workload'} is a plain function: asyncio would only run it "
            "in threads (asyncio.to_thread), which is the threads mode; give an async def")


def _processes(python: PythonInfo, workload: WorkloadFacts) -> str | None:
    if "spawn" in python.start_methods or "forkserver" in python.start_methods:
        return None
    return "neither spawn nor forkserver is available on this platform"


def _dask(python: PythonInfo, workload: WorkloadFacts) -> str | None:
    if python.dask:
        return None
    return (f"distributed cannot be imported by {python.executable or 'this Python'}: "
            'pip install "conctui[dask]"')


def _interpreters(python: PythonInfo, workload: WorkloadFacts) -> str | None:
    if python.interpreters.api:
        return None
    return python.interpreters.reason or f"Python {python.version} did not say whether it has sub-interpreters"


def _interpreters_experimental(python: PythonInfo) -> str | None:
    if python.interpreters.experimental:
        return f"experimental: Python {python.version}'s private _interpreters module"
    return None


@dataclass(frozen=True)
class ModeInfo:
    name: str
    key: str
    label: str
    check: Callable[[PythonInfo, WorkloadFacts], str | None]
    warn: Callable[[PythonInfo], str | None] = lambda python: None

    def unavailable(self, python: PythonInfo, workload: WorkloadFacts) -> str | None:
        """None when the mode can run this workload under this Python, else the reason."""
        return self.check(python, workload)

    def caveat(self, python: PythonInfo) -> str | None:
        """A word to show beside the mode where it runs on ground that may shift, else None."""
        return self.warn(python)


MODES = {
    "sequential": ModeInfo("sequential", "s", "seq", _always),
    "threads": ModeInfo("threads", "t", "threads", _always),
    "processes": ModeInfo("processes", "p", "procs", _processes),
    "asyncio": ModeInfo("asyncio", "a", "async", _asyncio),
    "interpreters": ModeInfo("interpreters", "i", "interp", _interpreters, _interpreters_experimental),
    "dask": ModeInfo("dask", "d", "dask", _dask),
}


def unavailable(mode: str, info: RunnerInfo) -> str | None:
    """Why `mode` cannot run here: the workload and the Python of a runner's description
    (engine/runner_process.describe); None when it can."""
    return MODES[mode].unavailable(info.python, info.workload)


def runnable(info: RunnerInfo, modes: Iterable[str] = tuple(MODES)) -> tuple[list[str], dict[str, str]]:
    """Those of `modes` that can run here, and why each other cannot. A compare runs every mode
    that can (the TUI's c and `conctui compare` alike) and says which it left out."""
    reasons = {mode: reason for mode in modes if (reason := unavailable(mode, info))}
    return [mode for mode in modes if mode not in reasons], reasons
