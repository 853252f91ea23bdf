"""What this interpreter is and can do (a run_events.PythonInfo), for the header, the modes and every JSON run."""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
import platform
import sys

from .gil_constants import free_threaded_build
from .run_events import PythonInfo, SubInterpreters


def usable_cores() -> int:
    """Cores this process may run on (affinity, cgroup-pinned containers), not just installed."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def interpreters_support() -> SubInterpreters:
    """Which sub-interpreter API this Python offers, judged without creating one.

    3.12's `_xxsubinterpreters` is refused: there, `import hashlib` in an isolated
    sub-interpreter aborted the whole process at exit (rc 134), and containing that would
    take a process per worker, which is the processes mode."""
    version = sys.version_info[:2]
    if version >= (3, 14) and importlib.util.find_spec("concurrent.interpreters"):
        return SubInterpreters("concurrent.interpreters", False, None)
    if version == (3, 13) and importlib.util.find_spec("_interpreters"):
        return SubInterpreters("_interpreters", True, None)
    if version < (3, 13):
        reason = ("Python %d.%d has no usable sub-interpreters: they need 3.13 (private _interpreters, "
                  "experimental) or 3.14 (concurrent.interpreters); on 3.12 an extension import "
                  "(hashlib) in one aborted the process" % version)
    else:
        reason = "this %s %d.%d has no sub-interpreter module" % ((platform.python_implementation(),) + version)
    return SubInterpreters(None, False, reason)


def platform_name() -> str:
    """platform.platform() without the `uname -p` child process it starts on Linux (8-15 ms
    before the TUI's first frame) to name the processor, which Linux's uname gives as
    "unknown" or as the machine: platform.platform() leaves both out of its string."""
    if sys.platform != "linux":
        return platform.platform()
    system, _, release, _, machine = os.uname()
    libc, version = platform.libc_ver()
    return "-".join(part for part in (system, release, machine, "with", libc + version) if part)


def python_info() -> PythonInfo:
    gil_check = getattr(sys, "_is_gil_enabled", None)
    return PythonInfo(
        executable=sys.executable,
        version=platform.python_version(),
        implementation=platform.python_implementation(),
        free_threaded=free_threaded_build(),
        gil_enabled=bool(gil_check()) if gil_check else True,
        python_gil=os.environ.get("PYTHON_GIL"),  # "1" or "0": the GIL was asked for, or against
        logical_cores=os.cpu_count() or 1,
        usable_cores=usable_cores(),
        platform=platform_name(),
        start_methods=multiprocessing.get_all_start_methods(),
        hostname=platform.node(),
        interpreters=interpreters_support(),
        # found, not imported: importing distributed costs a second and most runs never need it
        dask=importlib.util.find_spec("distributed") is not None,
    )
